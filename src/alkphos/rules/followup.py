"""When to repeat ALP, chosen by situation; the days and the advice are knowledge-base data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from alkphos.model.interpretation import AlpBlock, Cause, FollowUp
from alkphos.rules.evidence import State
from alkphos.rules.safety import hpp_features
from alkphos.rules.support import others_abnormal, supported

__all__ = ["follow_up", "situation"]

_URGENT_FLAGS = (
    "possible_cholangitis",
    "wilson_acute_liver_failure",
    "acute_liver_failure",
    "acute_severe_liver_injury",
    "marked_elevation",
    "possible_obstruction",
)
_HIGH_BY_CAUSE = {
    "benign_transient_hyperphosphatasemia": "transient_hyperphosphatasemia",
    "fracture_healing": "fracture_healing",
    "pregnancy_placental": "pregnancy",
    "postpartum_lactation": "postpartum",
    "primary_biliary_cholangitis": "chronic_cholestasis",
    "primary_sclerosing_cholangitis": "chronic_cholestasis",
}
# Disease-specific follow-up only when the diagnosis is in the case, not merely suspected.
_KNOWN_DIAGNOSIS = {
    "primary_biliary_cholangitis": ("pbc", "known_pbc"),
    "paget_disease": ("known_paget", "known_paget_disease"),
    "bone_metastases": ("known_bone_metastases", "known_bone_metastases"),
    "cirrhosis": ("known_cirrhosis", "known_cirrhosis"),
}
# Known conditions that explain signs of advanced liver disease, unless decompensation is new.
_KNOWN_LIVER = "known_cirrhosis"
_NEW_DECOMPENSATION = ("ascites", "encephalopathy", "jaundice")
_ACUTE_LOW_CAUSES = ("critical_illness", "severe_anemia")
_DRUG_LOW_CAUSES = ("antiresorptive_therapy",)


def situation(state: State, differential: Sequence[Cause], flags: Mapping[str, str | None]) -> str:
    """The follow-up rule id that fits this case."""
    alp: AlpBlock | None = state.alp
    if alp is None:
        return "no_alp"
    if any(flag in flags for flag in _URGENT_FLAGS):
        return "urgent"
    if "possible_edta_contamination" in flags:
        return "recollect"
    if "advanced_liver_disease" in flags:
        findings = state.facts.findings
        if _KNOWN_LIVER in findings and not any(f in findings for f in _NEW_DECOMPENSATION):
            return "known_cirrhosis"
        return "liver_disease"
    lead = differential[0] if differential else None
    # a cause the evidence does not support does not set the follow-up
    top = lead.id if lead is not None and supported(lead, state.facts.kb) else None
    if alp.status == "normal":
        findings = state.facts.findings
        for rule, finding in _KNOWN_DIAGNOSIS.values():
            if finding in findings:
                return rule  # e.g. PBC on treatment with a normal ALP: still its monitoring
        if "physiologic_pregnancy" in flags:
            return "pregnancy"
        if "physiologic_for_age" in flags:
            return "physiologic"
        return "normal" if not _other_abnormal(state) else "normal_alp_other_abnormal"
    if alp.status == "low":
        series = state.series
        if (series is not None and series.acute_fall) or top in _ACUTE_LOW_CAUSES:
            return "low_after_acute_illness"
        if top in _DRUG_LOW_CAUSES:
            return "low_on_antiresorptive"
        if top is not None and top != "hypophosphatasia":
            return "low_explained"
        if series is not None and series.persistently_low:
            return "low_persistent"
        if "borderline_alp" in flags and not _other_abnormal(state):
            return "borderline_low"
        if _other_abnormal(state):
            return "low_first_with_other_findings"
        return "low_unexplained_first"
    if top in _KNOWN_DIAGNOSIS:
        rule, finding = _KNOWN_DIAGNOSIS[top]
        if finding in state.facts.findings:
            return rule
    if top in _HIGH_BY_CAUSE:
        return _HIGH_BY_CAUSE[top]
    mild = alp.multiple_of_uln <= state.facts.kb.param("mild_rise_max_uln")
    if mild and state.source == "liver":
        return "hepatic_mild_unexplained"
    if mild:
        return "isolated_mild_high"
    return "high_unexplained"


def _other_abnormal(state: State) -> bool:
    """Whether any result other than ALP is outside its limits, or a finding other than a
    feature of hypophosphatasia is reported."""
    return bool(others_abnormal(state.facts, frozenset(hpp_features(state.facts.kb))))


def follow_up(
    state: State, differential: Sequence[Cause], flags: Mapping[str, str | None]
) -> FollowUp:
    """The follow-up advice for this case."""
    rule = state.facts.kb.follow_up[situation(state, differential, flags)]
    return FollowUp(
        repeat_alp_after_days=rule.repeat_alp_after_days,
        advice=rule.advice,
        basis=rule.basis,
    )
