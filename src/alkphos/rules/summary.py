"""The two summaries: concise with numbers for the clinician, plain words for the patient."""

from __future__ import annotations

from collections.abc import Sequence

from alkphos.model.interpretation import (
    AlpBlock,
    Cause,
    Flag,
    FollowUp,
    Pattern,
    Source,
    TestRecommendation,
)
from alkphos.rules.evidence import State

__all__ = ["clinician_summary", "patient_summary"]

_ALWAYS = "Talk to your doctor before changing any medicine."


def _limits(alp: AlpBlock) -> str:
    interval = alp.reference_interval
    return f"{interval.low:g}-{interval.high:g} U/L" if interval.low is not None else "?"


def _when(days: int | None) -> str:
    if days is None:
        return ""
    if days == 0:
        return "now"
    if days < 56:
        return f"in about {round(days / 7)} weeks"
    return f"in about {round(days / 30)} months"


def clinician_summary(
    state: State,
    source: Source,
    pattern: Pattern | None,
    differential: Sequence[Cause],
    tests: Sequence[TestRecommendation],
    flags: Sequence[Flag],
    follow: FollowUp,
) -> str:
    """One short paragraph with the numbers and the interval used."""
    alp = state.alp
    if alp is None:
        return "No ALP result: nothing to interpret for ALP. " + follow.advice
    interval = alp.reference_interval
    basis = interval.basis.split(";")[0].split(" (")[0]
    parts = [
        f"ALP {alp.value:g} U/L{' on ' + alp.date if alp.date else ''}: {alp.status} "
        f"(interval {_limits(alp)}, {interval.source}: {basis})."
    ]
    if alp.status == "high":
        grade = f", CTCAE v5.0 {alp.grade} ({alp.grade_label})" if alp.grade else ""
        parts.append(f"{alp.multiple_of_uln:g} x ULN{grade}.")
    series = state.series
    if series is not None and series.n_low > 1:
        persistent = "persistent" if series.persistently_low else "not persistent"
        parts.append(
            f"Low on {series.n_low} of {len(series.results)} results ({persistent}; "
            f"{series.definition})."
        )
    if alp.status == "high":
        parts.append(f"Likely source: {source.likely}.")
        if pattern is not None:
            parts.append(f"Pattern {pattern.name} (R = {pattern.r_ratio:g}).")
    if differential:
        lead = differential[0]
        others = ", ".join(cause.name for cause in differential[1:3])
        parts.append(
            f"Leading cause: {lead.name}" + (f"; also consider {others}." if others else ".")
        )
    serious = [flag.id.replace("_", " ") for flag in flags if flag.severity != "info"]
    if serious:
        parts.append("Flags: " + "; ".join(serious) + ".")
    if tests:
        parts.append("Next: " + ", ".join(test.name for test in tests[:4]) + ".")
    parts.append(follow.advice)
    return " ".join(parts)


def patient_summary(
    state: State,
    differential: Sequence[Cause],
    tests: Sequence[TestRecommendation],
    flags: Sequence[Flag],
    follow: FollowUp,
) -> str:
    """Plain words a 12-year-old can follow; never alarming without cause."""
    alp = state.alp
    kb = state.facts.kb
    intro = (
        "ALP (alkaline phosphatase) is an enzyme, a protein that takes phosphate off other "
        "molecules. Most of it comes from the liver and the bones."
    )
    if alp is None:
        return f"{intro} Your results do not include an ALP test, so we cannot say more. {_ALWAYS}"
    words = {"low": "lower than", "high": "higher than", "normal": "within"}[alp.status]
    parts = [intro, f"Your ALP was {words} the usual range for your age and sex."]
    ids = {flag.id for flag in flags}
    if "physiologic_for_age" in ids:
        parts.append("That is normal while bones are still growing, so it is not a worry.")
    if "physiologic_pregnancy" in ids:
        parts.append("That is normal in pregnancy, because the placenta makes extra ALP.")
    if differential:
        parts.append(f"The most likely reason: {kb.causes[differential[0].id].plain}")
        if len(differential) > 1:
            parts.append("Your doctor will also think about other reasons.")
    if any(flag.severity == "critical" for flag in flags):
        parts.append("Some results need prompt care. Please contact your doctor today.")
    if "avoid_antiresorptives" in ids:
        parts.append(
            "Some bone medicines, like alendronate or denosumab, may not suit you until "
            "this is checked."
        )
    if "possible_edta_contamination" in ids:
        parts.append("The blood sample may have been spoiled, so the test should be done again.")
    if tests:
        parts.append("Your doctor may suggest a few more tests.")
    when = _when(follow.repeat_alp_after_days)
    if when and when != "now":
        parts.append(f"A repeat ALP test {when} is a good idea.")
    parts.append(_ALWAYS)
    return " ".join(parts)
