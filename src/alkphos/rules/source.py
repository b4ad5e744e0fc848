"""Where a raised ALP comes from: liver, bone, placenta or intestine.

Liver markers (GGT, 5'-nucleotidase) rise with hepatobiliary ALP and not with bone ALP
(Shipman 2013; MSD Manual); bone-specific ALP and isoenzyme fractions name the tissue
directly; pregnancy adds placental ALP; a non-fasting sample can add intestinal ALP in
secretors. When the data cannot tell, the source is 'indeterminate' and the test that would
tell is named.
"""

from __future__ import annotations

from dataclasses import dataclass

from alkphos.facts import Facts, Measurement
from alkphos.model.interpretation import Source
from alkphos.units import plain_unit, readable

__all__ = ["SourceCall", "localise"]

_FRACTIONS = {
    "alp_liver_fraction": "liver",
    "alp_bone_fraction": "bone",
    "alp_intestinal_fraction": "intestine",
    "alp_placental_fraction": "placenta",
}
_GGT_RAISERS = ("enzyme_inducing_anticonvulsant",)


@dataclass(frozen=True, slots=True)
class SourceCall:
    """The source and the test that would settle it."""

    source: Source
    test: str | None


def _says(measurement: Measurement, name: str) -> str:
    value = f"{readable(measurement.reported_value)} {plain_unit(measurement.reported_unit)}"
    return f"{name} is {measurement.status} ({value.strip()})"


def localise(facts: Facts, alp_status: str | None) -> SourceCall:
    """Localise the ALP source from the companion results and the context."""
    if alp_status is None:
        return _call("indeterminate", ["No ALP result to localise."], None)
    if alp_status != "high":
        return _call(
            "indeterminate",
            [f"ALP is {alp_status}; the tissue source is assessed for a raised ALP."],
            None,
        )
    fraction = _by_fractions(facts)
    if fraction is not None:
        return fraction
    evidence: list[str] = []
    ggt, nucleotidase = facts.latest("ggt"), facts.latest("five_nucleotidase")
    bone_alp = facts.latest("bone_alp") or facts.latest("bone_alp_activity")
    liver_markers = [m for m in (ggt, nucleotidase) if m is not None and m.status != "unknown"]
    liver_high = [m for m in liver_markers if m.status == "high"]
    if bone_alp is not None and bone_alp.status == "high" and not liver_high:
        return _call("bone", [_says(bone_alp, "Bone-specific ALP")], None)
    if liver_high:
        evidence = [
            _says(m, _name(facts, m)) + ", so the ALP is likely hepatobiliary" for m in liver_high
        ]
        if facts.drug_classes & set(_GGT_RAISERS) or "heavy_alcohol_use" in facts.findings:
            evidence.append(
                "Alcohol and enzyme-inducing drugs also raise GGT, so a raised GGT alone "
                "does not prove a liver source."
            )
        if bone_alp is not None and bone_alp.status == "high":
            evidence.append(_says(bone_alp, "Bone-specific ALP") + ": bone may contribute too")
            return _call("indeterminate", evidence, "alp_isoenzymes")
        return _call("liver", evidence, None)
    pregnancy = _latest_pregnancy(facts)
    placental = pregnancy is not None and pregnancy >= facts.kb.param("placental_alp_from_weeks")
    if liver_markers:
        evidence = [_says(m, _name(facts, m)) + ": not a liver pattern" for m in liver_markers]
        if placental:
            evidence.append(
                f"Pregnant at {pregnancy:g} weeks: the placenta makes heat-stable ALP from the "
                "second trimester."
            )
            return _call("placenta", evidence, None)
        if _non_fasting(facts) and _mild_rise(facts):
            evidence.append(
                "The sample was not fasting: intestinal ALP rises after a fatty meal in "
                "blood group B and O secretors."
            )
            return _call("intestine", evidence, "repeat_alp")
        return _call("bone", evidence, None)
    liver_injury = [
        m
        for key in ("alt", "ast", "total_bilirubin", "direct_bilirubin")
        if (m := facts.latest(key)) is not None and m.status == "high"
    ]
    if liver_injury:
        evidence = [_says(m, _name(facts, m)) for m in liver_injury]
        evidence.append("GGT was not measured; it would confirm a liver source.")
        return _call("liver", evidence, "ggt")
    evidence = [
        "Neither GGT nor 5'-nucleotidase was measured, so liver and bone cannot be told apart."
    ]
    if placental:
        evidence.append(f"Pregnant at {pregnancy:g} weeks: placental ALP is likely to contribute.")
    return _call("indeterminate", evidence, "ggt")


def _by_fractions(facts: Facts) -> SourceCall | None:
    known = [(facts.latest(key), tissue) for key, tissue in _FRACTIONS.items()]
    present = [(m, tissue) for m, tissue in known if m is not None]
    if not present:
        return None
    raised = [(m, tissue) for m, tissue in present if m.status == "high"]
    if len(raised) == 1:
        measurement, tissue = raised[0]
        return _call(tissue, [_says(measurement, f"The {tissue} ALP fraction")], None)
    if not raised:
        measurement, tissue = max(present, key=lambda pair: pair[0].value)
        return _call(
            tissue,
            [f"The {tissue} fraction is the largest ({measurement.value:g}%) on isoenzymes."],
            None,
        )
    return _call(
        "indeterminate",
        [f"Several ALP fractions are raised: {', '.join(t for _, t in raised)}."],
        None,
    )


def _name(facts: Facts, measurement: Measurement) -> str:
    return facts.kb.analytes[measurement.analyte].name


def _latest_pregnancy(facts: Facts) -> float | None:
    latest = facts.latest("alp")
    return latest.pregnancy_weeks if latest is not None else None


def _non_fasting(facts: Facts) -> bool:
    return "non_fasting_sample" in facts.findings or any(
        m.fasting is False for m in facts.by_analyte.get("alp", ())
    )


def _mild_rise(facts: Facts) -> bool:
    """A rise small enough to come from a meal (at most the largest post-meal rise seen)."""
    latest = facts.latest("alp")
    if latest is None or latest.interval is None or latest.interval.high is None:
        return False
    return latest.value - latest.interval.high <= facts.kb.param("postprandial_max_rise")


def _call(likely: str, evidence: list[str], test: str | None) -> SourceCall:
    return SourceCall(
        Source(likely=likely, evidence=evidence, test_to_tell=test),
        test,
    )
