"""The two summaries: concise with numbers for the clinician, plain words for the patient."""

from __future__ import annotations

from collections.abc import Sequence

from alkphos.knowledge.loader import Knowledge
from alkphos.model.interpretation import (
    AlpBlock,
    Cause,
    Flag,
    FollowUp,
    Pattern,
    Source,
    TestRecommendation,
)
from alkphos.render.numbers import canonical, limits
from alkphos.rules.evidence import State
from alkphos.rules.intervals import adult_interval, status_of
from alkphos.rules.support import others_abnormal, supported

__all__ = ["clinician_summary", "patient_summary"]

_MEDICINES = "Talk to your doctor before changing any medicine."
# What a value with no supported cause usually means, for the clinician and the patient.
_NO_CAUSE = {
    "low": (
        "No cause stands out: nothing in these results supports one cause over another. "
        "An isolated low ALP in a well person is often a passing or constitutional finding; "
        "a repeat shows whether it persists, and only a persistent low ALP needs a work-up.",
        "Nothing in your results points to a particular reason. A slightly low value in "
        "someone who feels well often means nothing lasting; a repeat test shows whether it "
        "stays low.",
    ),
    "high": (
        "No cause stands out: nothing in these results supports one cause over another. "
        "A mildly raised ALP without other abnormal results often settles on a fasting repeat; "
        "if it does not, GGT or bone ALP tells where it comes from.",
        "Nothing in your results points to a particular reason. A slightly raised value often "
        "settles by itself; a repeat test, with one or two others, shows where it comes from.",
    ),
}


def _no_cause(state: State, status: str, *, clinician: bool) -> str:
    """What to say when no cause is supported: what such a value usually means in a well
    person, or, when other results are abnormal, that those come first."""
    facts = state.facts
    others = others_abnormal(facts, ignore=facts.findings)  # the results only
    if not others:
        return _NO_CAUSE[status][0 if clinician else 1]
    if clinician:
        return (
            f"No cause of the {status} ALP stands out; read it with the other abnormal results "
            f"({', '.join(others)}), which come first."
        )
    return (
        "Nothing in your results points to a particular reason for this value. Some of your "
        "other results are also outside the usual range, and your doctor will look at those first."
    )


def _lab_mark(state: State, alp: AlpBlock) -> list[str]:
    """When a range for pregnancy or for a child was used and the adults' range (the one
    many lab reports print) would judge the value otherwise, say what mark the lab report
    may show and why it differs."""
    if alp.reference_interval.source != "knowledge base":
        return []
    pregnant = state.pregnancy_weeks() is not None and state.facts.sex != "male"
    if not (pregnant or _child(state)):
        return []
    adult = adult_interval(state.facts.kb, "alp", state.facts.sex, state.age_years())
    adult_status = status_of(alp.value, adult)
    if adult is None or adult_status == alp.status or adult_status not in ("low", "high"):
        return []
    mark = {"low": "L (low)", "high": "H (high)"}[adult_status]
    whom = "adults who are not pregnant" if pregnant else "adults"
    return [
        f"Many lab reports print the range for {whom} ({adult.low:g}-{adult.high:g} U/L), "
        f"so yours may mark this result {mark}. The range for you is the one above."
    ]


def _child(state: State) -> bool:
    age = state.age_years()
    return age is not None and age < state.facts.kb.param("adult_age_years")


def _supported(state: State, differential: Sequence[Cause]) -> list[Cause]:
    """The causes this case's evidence supports, in rank order."""
    return [cause for cause in differential if supported(cause, state.facts.kb)]


def _limits(alp: AlpBlock, kb: Knowledge) -> str:
    interval = alp.reference_interval
    return limits(interval, "alp", kb) if interval.low is not None else "?"


def _when(days: int | None) -> str:
    if days is None:
        return ""
    if days == 0:
        return "now"
    if days < 56:
        return f"in about {round(days / 7)} weeks"
    return f"in about {round(days / 30)} months"


def _range_for(state: State, alp: AlpBlock) -> str:
    """Whose usual range was used, in words: the laboratory's, pregnancy's, a child's."""
    if alp.reference_interval.source == "laboratory":
        return "your laboratory printed"
    weeks = state.pregnancy_weeks()
    if weeks is not None:
        return f"at {weeks:.0f} weeks of pregnancy"
    return "for children of your age" if _child(state) else "for your age and sex"


def _carer(state: State) -> str:
    """Whom to tell: the midwife in pregnancy, else the doctor."""
    return "midwife or doctor" if state.pregnancy_weeks() is not None else "doctor"


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
    kb = state.facts.kb
    interval = alp.reference_interval
    basis = interval.basis.split(";")[0].split(" (")[0]
    parts = [
        f"ALP {canonical(alp.value, 'alp', kb)} U/L{' on ' + alp.date if alp.date else ''}: "
        f"{alp.status} "
        f"(interval {_limits(alp, kb)}, {interval.source}: {basis})."
    ]
    if alp.status == "high":
        grade = f", CTCAE v5.0 {alp.grade} ({alp.grade_label})" if alp.grade else ""
        parts.append(f"{alp.multiple_of_uln:g} x ULN{grade}.")
    if any(flag.id == "borderline_alp" for flag in flags):
        parts.append(f"Borderline {alp.status}: within the method's allowable error of the limit.")
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
    backed = _supported(state, differential)
    if backed:
        others = ", ".join(cause.name for cause in backed[1:3])
        parts.append(
            f"Leading cause: {backed[0].name}" + (f"; also supported: {others}." if others else ".")
        )
    elif differential and alp.status in _NO_CAUSE:
        parts.append(_no_cause(state, alp.status, clinician=True))
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
    intro = "ALP (alkaline phosphatase) is made mostly by the liver and the bones."
    medicines = f" {_MEDICINES}" if state.facts.case.medications else ""
    if alp is None:
        return f"{intro} Your results do not include an ALP test, so we cannot say more.{medicines}"
    ids = {flag.id for flag in flags}
    parts = []
    # What matters most comes first: prompt care, then what the result means, then the rest.
    if any(flag.severity == "critical" for flag in flags):
        parts.append("Some results need prompt care. Please contact your doctor today.")
    elif "advanced_liver_disease" in ids:
        parts.append("Some of your other results need a check soon: see your doctor this week.")
    words = {"low": "lower than", "high": "higher than", "normal": "within"}[alp.status]
    parts.append(
        f"Your ALP was {canonical(alp.value, 'alp', kb)} U/L, {words} the usual range "
        f"{_range_for(state, alp)} ({_limits(alp, kb)})."
    )
    parts.extend(_lab_mark(state, alp))
    parts.append(intro)
    if "physiologic_for_age" in ids:
        parts.append("That is normal while bones are still growing, so it is not a worry.")
    if "physiologic_pregnancy" in ids:
        parts.append("That is normal in pregnancy, because the placenta makes extra ALP.")
    backed = _supported(state, differential)
    if backed:
        parts.append(f"The most likely reason: {kb.causes[backed[0].id].plain}")
        if len(differential) > 1:
            parts.append("Your doctor will also think about other reasons.")
    elif differential and alp.status in _NO_CAUSE:
        parts.append(_no_cause(state, alp.status, clinician=False))
    if "avoid_antiresorptives" in ids and "antiresorptive" in state.facts.drug_classes:
        parts.append(
            "Do not stop your bone medicine on your own: stopping some of them suddenly can "
            "harm your bones. Your doctor will check whether it is the right one for you."
        )
    elif "avoid_antiresorptives" in ids and not _child(state):
        parts.append(
            "Some bone medicines, like alendronate or denosumab, may not suit you until "
            "this is checked."
        )
    if "possible_edta_contamination" in ids:
        parts.append("The blood sample may have been spoiled, so the test should be done again.")
    if tests:
        parts.append(f"Your {_carer(state)} may suggest a few more tests.")
    when = _when(follow.repeat_alp_after_days)
    if when and when != "now":
        parts.append(f"A repeat ALP test {when} is a good idea.")
    if state.facts.case.medications:
        parts.append(_MEDICINES)
    return " ".join(parts)
