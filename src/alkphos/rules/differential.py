"""The explained differential: score = prior + weights of the evidence that holds.

Only causes whose direction fits the ALP status are scored. The evidence shown for a cause
is exactly the evidence that moved its score: positive weights "for", negative "against".
"""

from __future__ import annotations

from alkphos.model.interpretation import Cause
from alkphos.rules.evidence import State, holds

__all__ = ["rank_causes"]


def rank_causes(state: State) -> list[Cause]:
    """Every cause fitting the ALP status, most likely first."""
    if state.alp is None or state.alp.status == "normal":
        return []
    status = state.alp.status
    kb = state.facts.kb
    memo: dict[str, bool] = {}
    scored: list[tuple[float, float, str, Cause]] = []
    for cause in kb.causes.values():
        if cause.direction not in (status, "either"):
            continue
        score = cause.prior
        evidence_for: list[str] = []
        evidence_against: list[str] = []
        citations = list(cause.citations)
        for item in cause.evidence:
            held = memo.get(item.when)
            if held is None:
                held = memo[item.when] = holds(state, item.when)
            if not held or item.weight == 0:
                continue
            score += item.weight
            (evidence_for if item.weight > 0 else evidence_against).append(item.says)
            citations.extend(c for c in item.citations if c not in citations)
        result = Cause(
            id=cause.id,
            name=cause.name,
            score=round(score, 2),
            evidence_for=evidence_for,
            evidence_against=evidence_against,
            citations=citations,
        )
        scored.append((-result.score, -cause.prior, cause.id, result))
    scored.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in scored]
