"""The explained differential: direction filter, evidence shown = evidence scored, ordering."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alkphos import Knowledge
from alkphos.knowledge.schema import EvidenceItem
from alkphos.model.interpretation import Cause
from alkphos.rules.evidence import holds
from alkphos.rules.support import supported
from tests.conftest import case, row, scaled
from tests.rules.helpers import SAMPLES, lln, run, state_of, uln, with_context


def _expected_evidence(
    kb: Knowledge, data: dict[str, Any], as_of: date, cause: Cause
) -> tuple[list[str], list[str], float]:
    """The evidence that holds for a cause, and the score, recomputed from the knowledge base."""
    state = state_of(data, kb, as_of)
    spec = kb.causes[cause.id]
    held = [
        item
        for item in spec.evidence
        if holds(state, item.when)
        and item.weight != 0
        and all(holds(state, e) for e in item.applies_in)
    ]
    # Of the items showing one sign (in one direction), only the strongest counts.
    held = [
        item
        for item in held
        if item.sign is None
        or item
        is max(
            (o for o in held if o.sign == item.sign and (o.weight > 0) == (item.weight > 0)),
            key=lambda o: abs(o.weight),
        )
    ]
    for_ = [item.says for item in held if item.weight > 0]
    against = [item.says for item in held if item.weight < 0]
    return for_, against, spec.prior + sum(item.weight for item in held)


@pytest.mark.parametrize("name", [n for n in SAMPLES if n.startswith("low")])
def test_low_alp_lists_only_low_and_either_causes(kb: Knowledge, as_of: date, name: str) -> None:
    """A low ALP's differential is every low or either-way cause, and no high-only cause."""
    result = run(SAMPLES[name], as_of)
    assert result.alp is not None
    assert result.alp.status == "low"
    listed = {cause.id for cause in result.differential}
    assert listed == {c.id for c in kb.causes.values() if c.direction in ("low", "either")}


@pytest.mark.parametrize("name", [n for n in SAMPLES if n.startswith("high")])
def test_high_alp_lists_only_high_and_either_causes(kb: Knowledge, as_of: date, name: str) -> None:
    """A high ALP's differential is every high or either-way cause, and no low-only cause."""
    result = run(SAMPLES[name], as_of)
    assert result.alp is not None
    assert result.alp.status == "high"
    listed = {cause.id for cause in result.differential}
    assert listed == {c.id for c in kb.causes.values() if c.direction in ("high", "either")}


def test_normal_alp_has_no_differential(kb: Knowledge, as_of: date) -> None:
    """A normal ALP, even with abnormal companions and findings, has an empty differential."""
    data = with_context(
        case(row("ALP", 80), row("GGT", 300), row("ALT", 200), age_years=60, sex="female"),
        findings=["jaundice"],
    )
    assert run(data, as_of).differential == []


def test_no_alp_has_no_differential(as_of: date) -> None:
    """Without an ALP there is no differential."""
    assert run(case(row("GGT", 300), age_years=60), as_of).differential == []


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_evidence_shown_is_the_evidence_scored(kb: Knowledge, as_of: date, name: str) -> None:
    """For every cause, the evidence shown is exactly what held, and the score is its sum."""
    data = SAMPLES[name]
    for cause in run(data, as_of).differential:
        for_, against, score = _expected_evidence(kb, data, as_of, cause)
        assert cause.evidence_for == for_, cause.id
        assert cause.evidence_against == against, cause.id
        assert cause.score == round(score, 2), cause.id


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_score_is_prior_plus_shown_weights(kb: Knowledge, as_of: date, name: str) -> None:
    """score == prior + the weights of the shown items, looked up in the knowledge base."""
    for cause in run(SAMPLES[name], as_of).differential:
        spec = kb.causes[cause.id]
        pool = Counter((item.says, item.weight > 0) for item in spec.evidence if item.weight)
        total = spec.prior
        for text, positive in [(t, True) for t in cause.evidence_for] + [
            (t, False) for t in cause.evidence_against
        ]:
            assert pool[(text, positive)] > 0, (cause.id, text)
            pool[(text, positive)] -= 1
            total += next(
                item.weight
                for item in spec.evidence
                if item.says == text and (item.weight > 0) == positive
            )
        assert cause.score == pytest.approx(round(total, 2)), cause.id


def test_shown_evidence_moves_the_score(kb: Knowledge, as_of: date) -> None:
    """A cause with supporting evidence scores above its prior; with none it stays at it."""
    result = run(SAMPLES["low_persistent_hpp"], as_of)
    for cause in result.differential:
        prior = kb.causes[cause.id].prior
        if not cause.evidence_for and not cause.evidence_against:
            assert cause.score == prior
    hpp = next(c for c in result.differential if c.id == "hypophosphatasia")
    assert hpp.evidence_for
    assert hpp.score > kb.causes["hypophosphatasia"].prior


def test_zero_weight_evidence_is_not_shown(kb: Knowledge, as_of: date) -> None:
    """An evidence item with weight 0 never appears, even when it holds."""
    spec = kb.causes["hypophosphatasia"]
    zero = EvidenceItem(when="low:alp", weight=0.0, says="ZERO-WEIGHT MARKER")
    changed = spec.model_copy(update={"evidence": [*spec.evidence, zero]})
    modified = dataclasses.replace(kb, causes={**kb.causes, "hypophosphatasia": changed})
    base = run(SAMPLES["low_single"], as_of)
    result = run(SAMPLES["low_single"], as_of, kb=modified)
    hpp = next(c for c in result.differential if c.id == "hypophosphatasia")
    before = next(c for c in base.differential if c.id == "hypophosphatasia")
    assert "ZERO-WEIGHT MARKER" not in hpp.evidence_for + hpp.evidence_against
    assert hpp.score == before.score


def test_new_evidence_in_the_knowledge_base_changes_the_score(kb: Knowledge, as_of: date) -> None:
    """Evidence added to causes.yaml is shown and scored (scores follow the knowledge base)."""
    spec = kb.causes["hypophosphatasia"]
    extra = EvidenceItem(when="low:alp", weight=0.4, says="EXTRA MARKER")
    changed = spec.model_copy(update={"evidence": [*spec.evidence, extra]})
    modified = dataclasses.replace(kb, causes={**kb.causes, "hypophosphatasia": changed})
    before = next(
        c for c in run(SAMPLES["low_single"], as_of).differential if c.id == "hypophosphatasia"
    )
    after = next(
        c
        for c in run(SAMPLES["low_single"], as_of, kb=modified).differential
        if c.id == "hypophosphatasia"
    )
    assert after.evidence_for == [*before.evidence_for, "EXTRA MARKER"]
    assert after.score == pytest.approx(before.score + 0.4)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_names_and_citations_come_from_the_knowledge_base(
    kb: Knowledge, as_of: date, name: str
) -> None:
    """Each cause carries its name and its citations first, then the shown items' citations."""
    data = SAMPLES[name]
    state = state_of(data, kb, as_of)
    for cause in run(data, as_of).differential:
        spec = kb.causes[cause.id]
        assert cause.name == spec.name
        expected = list(spec.citations)
        for item in spec.evidence:
            if item.weight and holds(state, item.when):
                expected.extend(c for c in item.citations if c not in expected)
        assert cause.citations == expected


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sorted_by_score(as_of: date, name: str) -> None:
    """Causes are listed from the highest score down."""
    scores = [cause.score for cause in run(SAMPLES[name], as_of).differential]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_ordering_is_deterministic(as_of: date, name: str) -> None:
    """The same case gives the same differential, in the same order, every time."""
    first = run(SAMPLES[name], as_of).differential
    second = run(SAMPLES[name], as_of).differential
    assert [c.model_dump() for c in first] == [c.model_dump() for c in second]


_COMPANIONS = {
    "GGT": [10, 200],
    "ALT": [15, 300],
    "total bilirubin": [0.5, 4],
    "calcium": [1.9, 2.4, 2.9],
    "phosphate": [0.6, 1.1, 1.8],
    "vitamin D": [25, 90],
    "TSH": [0.1, 2, 12],
    "PLP": [10, 60, 300],
}


@settings(max_examples=scaled(60))
@given(
    alp=st.sampled_from([15, 30, 200, 450, 900]),
    companions=st.dictionaries(
        st.sampled_from(sorted(_COMPANIONS)), st.integers(min_value=0, max_value=2), max_size=5
    ),
    findings=st.lists(
        st.sampled_from(["fever", "jaundice", "bone pain", "early tooth loss", "pruritus"]),
        max_size=3,
        unique=True,
    ),
    age=st.sampled_from([3, 16, 35, 70]),
)
def test_any_case_is_sorted_and_direction_filtered(
    kb: Knowledge,
    as_of: date,
    alp: int,
    companions: dict[str, int],
    findings: list[str],
    age: int,
) -> None:
    """For any case: scores never increase down the list and directions fit the ALP status."""
    rows = [row("ALP", alp)] + [
        row(test, _COMPANIONS[test][pick % len(_COMPANIONS[test])])
        for test, pick in companions.items()
    ]
    data = with_context(case(*rows, age_years=age, sex="female"), findings=findings)
    result = run(data, as_of)
    assert result.alp is not None
    scores = [cause.score for cause in result.differential]
    assert scores == sorted(scores, reverse=True)
    if result.alp.status == "normal":
        assert result.differential == []
    for cause in result.differential:
        assert kb.causes[cause.id].direction in (result.alp.status, "either")


def test_low_and_high_boundaries(kb: Knowledge, as_of: date) -> None:
    """One unit below the LLN gives a low differential; one unit above the ULN a high one."""
    low = run(case(row("ALP", lln(kb, "alp") - 1), age_years=50, sex="male"), as_of)
    high = run(case(row("ALP", uln(kb, "alp") + 1), age_years=50, sex="male"), as_of)
    assert low.differential
    assert high.differential
    assert {c.id for c in low.differential}.isdisjoint(
        {c.id for c in kb.causes.values() if c.direction == "high"}
    )
    assert {c.id for c in high.differential}.isdisjoint(
        {c.id for c in kb.causes.values() if c.direction == "low"}
    )


def test_a_cause_is_supported_only_when_its_evidence_lifts_it_above_its_prior(
    kb: Knowledge,
) -> None:
    """One definition for flags, follow-up and cards: evidence for that is outweighed by
    evidence against does not support a cause."""
    prior = kb.causes["hypophosphatasia"].prior

    def cause(score: float, said_for: list[str], *, own: bool = True) -> Cause:
        return Cause(
            id="hypophosphatasia",
            name="x",
            score=score,
            evidence_for=said_for,
            evidence_against=["against"],
            citations=[],
            supported=own and score > prior,
        )

    assert supported(cause(prior + 0.5, ["for"]), kb)
    assert not supported(cause(prior - 0.5, ["for"]), kb)
    assert not supported(cause(prior, []), kb)
    assert not supported(cause(prior + 0.5, ["for"], own=False), kb)
