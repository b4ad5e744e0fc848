"""When to repeat ALP, chosen by situation; the days and the advice are knowledge-base data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from alkphos.model.interpretation import AlpBlock, Cause, FollowUp
from alkphos.rules.evidence import State
from alkphos.rules.support import supported

__all__ = ["follow_up", "situation"]

_URGENT_FLAGS = (
    "wilson_acute_liver_failure",
    "acute_liver_failure",
    "marked_elevation",
    "possible_obstruction",
)
_HIGH_BY_CAUSE = {
    "benign_transient_hyperphosphatasemia": "transient_hyperphosphatasemia",
    "fracture_healing": "fracture_healing",
    "primary_biliary_cholangitis": "pbc",
    "pregnancy_placental": "pregnancy",
    "postpartum_lactation": "postpartum",
}
_ACUTE_LOW_CAUSES = ("critical_illness", "severe_anemia")


def situation(state: State, differential: Sequence[Cause], flags: Mapping[str, str | None]) -> str:
    """The follow-up rule id that fits this case."""
    alp: AlpBlock | None = state.alp
    if alp is None:
        return "no_alp"
    if any(flag in flags for flag in _URGENT_FLAGS):
        return "urgent"
    if "possible_edta_contamination" in flags:
        return "recollect"
    lead = differential[0] if differential else None
    # a cause the evidence does not support does not set the follow-up
    top = lead.id if lead is not None and supported(lead, state.facts.kb) else None
    if alp.status == "normal":
        if "physiologic_pregnancy" in flags:
            return "pregnancy"
        return "physiologic" if "physiologic_for_age" in flags else "normal"
    if alp.status == "low":
        series = state.series
        if (series is not None and series.acute_fall) or top in _ACUTE_LOW_CAUSES:
            return "low_after_acute_illness"
        if series is not None and series.persistently_low:
            return "low_persistent"
        return "low_unexplained_first"
    if top in _HIGH_BY_CAUSE:
        return _HIGH_BY_CAUSE[top]
    mild = alp.multiple_of_uln <= state.facts.kb.param("mild_rise_max_uln")
    if mild and state.source == "liver":
        return "hepatic_mild_unexplained"
    if mild:
        return "isolated_mild_high"
    return "high_unexplained"


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
