"""The explained differential: score = prior + weights of the evidence that holds.

Only causes whose direction fits the ALP status are scored. The evidence shown for a cause
is exactly the evidence that moved its score: positive weights "for", negative "against".
An item counts only in the population its figure was measured in (``applies_in``; otherwise
it is listed as not applied, with that population), and of the items showing one underlying
sign (``sign``: jaundice, total and direct bilirubin) only the strongest counts.
"""

from __future__ import annotations

from alkphos.knowledge.schema import Cause as CauseDefinition
from alkphos.knowledge.schema import EvidenceItem
from alkphos.model.interpretation import Cause
from alkphos.rules.evidence import State, holds

__all__ = ["CONTEXT_PREDICATES", "rank_causes"]

# Who the patient is (age, sex) and which tissue or injury pattern the ALP shows: these shift
# the ranking, but they are shared by every cause of their kind, so alone they never make a
# cause supported; something specific in the case must.
CONTEXT_PREDICATES = frozenset(
    {
        "age_below",
        "age_at_least",
        "sex",
        "source",
        "pattern",
        # normal liver tests or bone minerals say where the ALP does not come from, which is
        # shared by every cause of the other tissue
        "liver_tests_normal",
        "bone_minerals_normal",
        # likewise one normal result ("bilirubin is normal despite the high ALP"): it is
        # shared by every cause that leaves that test alone
        "normal",
    }
)
# A rise that is only mild ("below a multiple of the upper limit") is shared by every cause
# that raises ALP a little, so it never supports one alone; a marked rise (above a multiple,
# above 1000 U/L) narrows the causes and counts.
_ALP_SIZE_PREDICATES = frozenset({"below_uln"})


def _from_the_case(item: EvidenceItem) -> bool:
    """Whether an evidence item is the case's own (results, findings, medicines, setting,
    time, a marked ALP), not who the patient is, the tissue or pattern, the other tissue's
    normal tests or a merely mild rise."""
    if item.diagnostic is not None:
        return item.diagnostic
    predicate, *args = item.when.split(":")
    if predicate in CONTEXT_PREDICATES:
        return False
    return not (predicate in _ALP_SIZE_PREDICATES and args[:1] == ["alp"] and not item.applies_in)


def rank_causes(state: State) -> list[Cause]:
    """Every cause fitting the ALP status, most likely first."""
    if state.alp is None or state.alp.status == "normal":
        return []
    status = state.alp.status
    kb = state.facts.kb
    memo: dict[str, bool] = {}

    def check(expression: str) -> bool:
        held = memo.get(expression)
        if held is None:
            held = memo[expression] = holds(state, expression)
        return held

    def met(cause: CauseDefinition) -> bool:
        return not cause.requires or any(check(expression) for expression in cause.requires)

    scored: list[tuple[float, float, str, Cause]] = []
    for cause in kb.causes.values():
        if cause.direction not in (status, "either"):
            continue
        score = cause.prior
        evidence_for: list[str] = []
        evidence_against: list[str] = []
        not_applied: list[str] = []
        citations = list(cause.citations)
        applicable: list[EvidenceItem] = []
        from_case = 0.0
        for item in cause.evidence:
            if not check(item.when) or item.weight == 0:
                continue
            if all(check(expression) for expression in item.applies_in):
                applicable.append(item)
            else:
                not_applied.append(f"{item.says} Not weighed here: {item.population}.")
        strongest: dict[tuple[str, bool], EvidenceItem] = {}
        for item in applicable:
            if item.sign is not None:
                key = (item.sign, item.weight > 0)
                if key not in strongest or abs(item.weight) > abs(strongest[key].weight):
                    strongest[key] = item
        for item in applicable:
            if item.sign is not None and strongest[(item.sign, item.weight > 0)] is not item:
                continue  # the same sign is already counted, by a stronger item
            score += item.weight
            if _from_the_case(item):
                from_case += item.weight
            (evidence_for if item.weight > 0 else evidence_against).append(item.says)
            citations.extend(c for c in item.citations if c not in citations)
        result = Cause(
            id=cause.id,
            name=cause.name,
            score=round(score, 2),
            evidence_for=evidence_for,
            evidence_against=evidence_against,
            citations=citations,
            supported=(backed := score > cause.prior and from_case > 0 and met(cause)),
            standing="supported"
            if backed
            else "less likely"
            if score < cause.prior
            else "possible",
            evidence_not_applied=not_applied,
        )
        scored.append((-result.score, -cause.prior, cause.id, result))
    scored.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in scored]
