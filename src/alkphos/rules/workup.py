"""The next tests, in priority order, each with its reason.

Tests called for by a flag come first (e.g. recollect a suspect sample). Then the work-up of
the leading causes, cheapest and most decisive first (the tier of each test); advanced
imaging, invasive tests and genetics only for causes close to the top. A test whose analytes
are already in the case is not recommended again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from alkphos.facts import Facts
from alkphos.model.interpretation import Cause, TestRecommendation

__all__ = ["recommend_tests"]


def recommend_tests(
    facts: Facts,
    differential: Sequence[Cause],
    flags: Mapping[str, str | None],
    source_test: str | None,
) -> list[TestRecommendation]:
    """Rank the tests worth doing next."""
    kb = facts.kb
    done = set(facts.by_analyte)
    chosen: dict[str, tuple[tuple[float, ...], str, list[str]]] = {}

    def offer(test_id: str, key: tuple[float, ...], reason: str, cause: str | None) -> None:
        test = kb.tests[test_id]
        present = any if test.done_when == "any" else all
        if test.analytes and present(a in done for a in test.analytes):
            return
        best, text, causes = chosen.get(test_id, (key, reason, []))
        if cause is not None and cause not in causes:
            causes.append(cause)
        chosen[test_id] = (min(best, key), text if best <= key else reason, causes)

    for order, flag_id in enumerate(flags):
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
            )
    if source_test is not None:
        reason = "Tells whether the raised ALP comes from the liver or from bone."
        offer(source_test, (1, 0, 0), reason, None)
    considered = int(kb.param("workup_causes_considered"))
    leaders = differential[:considered]
    if leaders:
        close = leaders[0].score - kb.param("workup_close_score_gap")
        advanced = int(kb.param("workup_advanced_tier"))
        for rank, cause in enumerate(leaders):
            for position, test_id in enumerate(kb.causes[cause.id].tests):
                tier = kb.tests[test_id].tier
                if tier >= advanced and cause.score < close:
                    continue
                offer(test_id, (2, tier, rank, 0, position), kb.tests[test_id].purpose, cause.name)
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
