"""The next tests, in priority order, each with its reason.

Tests called for by a flag come first (e.g. recollect a suspect sample). Then the test that
decides a supported leading cause (its first test not yet done, or one made decisive by a
result, such as ALPL sequencing once PLP is raised). A borderline ALP (within the method's
error of its limit) with nothing supported and nothing else abnormal gets the repeat alone
(and the source test for a rise). Then the work-up of the leading causes,
cheapest and most decisive first (the tier of each test); advanced imaging, invasive tests and
genetics only for causes close to the top. A test is offered only where it fits the patient
(sex, age, pregnancy) and the question (liver tests for a low ALP only when a flag calls for
them; nothing a result already makes unnecessary); a test whose analytes are already in the
case is not recommended again, and ALP is not repeated once its persistence is established.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from alkphos.facts import Facts
from alkphos.model.interpretation import Cause, TestRecommendation
from alkphos.rules.safety import hpp_features
from alkphos.rules.series import Series
from alkphos.rules.support import others_abnormal

__all__ = ["recommend_tests"]


def recommend_tests(
    facts: Facts,
    differential: Sequence[Cause],
    flags: Mapping[str, str | None],
    source_test: str | None,
    series: Series | None,
) -> list[TestRecommendation]:
    """Rank the tests worth doing next."""
    kb = facts.kb
    done = set(facts.by_analyte)
    chosen: dict[str, tuple[tuple[float, ...], str, list[str]]] = {}
    low_alp = (latest := facts.latest("alp")) is not None and latest.status == "low"

    def offer(
        test_id: str, key: tuple[float, ...], reason: str, cause: str | None, *, flag: bool = False
    ) -> None:
        test = kb.tests[test_id]
        present = any if test.done_when == "any" else all
        if test.analytes and present(a in done for a in test.analytes):
            return
        if not _fits(facts, test_id) or (low_alp and not test.for_low_alp and not flag):
            return
        best, text, causes = chosen.get(test_id, (key, reason, []))
        if cause is not None and cause not in causes:
            causes.append(cause)
        chosen[test_id] = (min(best, key), text if best <= key else reason, causes)

    considered = int(kb.param("workup_causes_considered"))
    # With supported causes, their work-up; without, the first-line work-up of the most common.
    leaders = [c for c in differential[:considered] if c.supported] or differential[:considered]
    lead = next((c for c in leaders if c.supported), None)
    normal_state = (
        lead is not None and kb.causes[lead.id].physiological and not others_abnormal(facts)
    )
    if normal_state:
        # A normal state explains it, and nothing else is abnormal: no work-up.
        leaders, lead, source_test = [], None, None
    settle_first = "borderline_alp" in flags and lead is None and not others_abnormal(facts)
    if settle_first:
        # Within the method's error of its limit, nothing supported and nothing else
        # abnormal: the repeat, with the source test for a rise, decides whether there is
        # anything to work up.
        leaders = []
        offer("repeat_alp", (1, 0, 0), kb.tests["repeat_alp"].purpose, None)
    explained = low_alp and lead is not None and lead.id != "hypophosphatasia"
    if explained or (low_alp and _hpp_not_yet(facts, differential, series)):
        # A proven other cause is treated first, and a first low ALP is repeated first: the
        # hypophosphatasia work-up only if ALP stays low.
        leaders = [c for c in leaders if c.id != "hypophosphatasia"]
    for order, flag_id in enumerate(flags):
        if explained and flag_id == "persistently_low_alp":
            continue  # its tests are the hypophosphatasia work-up, deferred
        flag = kb.flags[flag_id]
        label = f"flag: {flag_id.replace('_', ' ')}"
        for position, test_id in enumerate(flag.tests):
            # Critical flags' tests come first; the others join the work-up by tier,
            # ahead of cause-driven tests of the same tier.
            group = 0 if flag.severity == "critical" else 2
            offer(
                test_id,
                (group, kb.tests[test_id].tier, -1, order, position),
                kb.tests[test_id].purpose,
                label,
                flag=True,
            )
    if source_test is not None:
        reason = "Tells whether the raised ALP comes from the liver or from bone."
        offer(source_test, (1, 0, 0), reason, None)
    if low_alp and lead is None and _hpp_not_yet(facts, differential, series):
        # A first low ALP that nothing explains: whether it persists decides everything else.
        offer("repeat_alp", (1, 0, 0), kb.tests["repeat_alp"].purpose, None)
    if lead is not None:
        decisive = _decisive(facts, kb.causes[lead.id].tests, done)
        if decisive is not None:
            offer(decisive, (1, 0, 0), kb.tests[decisive].purpose, lead.name)
    if leaders:
        close = leaders[0].score - kb.param("workup_close_score_gap")
        advanced = int(kb.param("workup_advanced_tier"))
        # With the tissue still unknown and no cause supported, the source test comes first
        # and only first-line tests beside it (ACG 2017: confirm the origin, then work up).
        first_line_only = source_test is not None and lead is None
        for rank, cause in enumerate(leaders):
            for position, test_id in enumerate(kb.causes[cause.id].tests):
                tier = kb.tests[test_id].tier
                if (tier >= advanced and cause.score < close) or (first_line_only and tier > 1):
                    continue
                offer(test_id, (2, tier, rank, 0, position), kb.tests[test_id].purpose, cause.name)
    if series is not None and series.persistently_low:
        chosen.pop("repeat_alp", None)
    ordered = sorted(chosen.items(), key=lambda item: item[1][0])
    return [
        TestRecommendation(
            id=test_id,
            name=kb.tests[test_id].name,
            priority=rank,
            reason=f"{reason} (for: {', '.join(causes)})" if causes else reason,
        )
        for rank, (test_id, (_, reason, causes)) in enumerate(ordered, start=1)
    ]


def _hpp_not_yet(facts: Facts, differential: Sequence[Cause], series: Series | None) -> bool:
    """A low ALP not yet shown to persist, with nothing else for hypophosphatasia (no
    supporting finding, the cause not supported): its work-up waits for the repeat."""
    if series is not None and series.persistently_low:
        return False
    if any(finding in facts.findings for finding in hpp_features(facts.kb)):
        return False
    return not any(c.id == "hypophosphatasia" and c.supported for c in differential)


def _holds(facts: Facts, condition: str) -> bool:
    """A 'status:analyte' condition on the latest result."""
    status, analyte = condition.split(":")
    measurement = facts.latest(analyte)
    return measurement is not None and measurement.status == status


def _fits(facts: Facts, test_id: str) -> bool:
    """Whether the test fits this patient and is still needed."""
    test = facts.kb.tests[test_id]
    if facts.sex in ("female", "male") and facts.sex not in test.sexes:
        return False
    latest = facts.latest("alp")
    age = latest.age.years if latest is not None and latest.age is not None else None
    age = age if age is not None else facts.case.patient.age_years
    if test.min_age_years is not None and age is not None and age < test.min_age_years:
        return False
    pregnant = latest.pregnancy_weeks if latest is not None else facts.case.patient.pregnancy_weeks
    if not test.in_pregnancy and pregnant is not None:
        return False
    return not any(_holds(facts, condition) for condition in test.not_needed_when)


def _decisive(facts: Facts, tests: Sequence[str], done: set[str]) -> str | None:
    """The test that decides a cause: one a result has made decisive, else its first test
    that fits and is not yet done."""
    kb = facts.kb
    for test_id in tests:
        if any(_holds(facts, condition) for condition in kb.tests[test_id].decisive_when):
            return test_id if _fits(facts, test_id) else None
    for test_id in tests:
        test = kb.tests[test_id]
        present = any if test.done_when == "any" else all
        if test.analytes and present(a in done for a in test.analytes):
            continue
        if test_id == "repeat_alp" or not _fits(facts, test_id):
            continue
        return test_id
    return None
