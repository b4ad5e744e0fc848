"""Screening knowledge: the secondary causes, ranking signals and published yields are cited
data, checked at load; the per-patient reading of the same data; the interval table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alkphos import Knowledge, KnowledgeError, interpret
from alkphos.knowledge.age import Age
from alkphos.knowledge.loader import build_knowledge
from alkphos.rules.intervals import knowledge_interval
from alkphos.screening.tables import FIRST_YEAR_DAYS, SEXES, YEAR_KEY_BASE, KnowledgeTables


def test_the_secondary_causes_are_those_of_the_issue(kb: Knowledge) -> None:
    """Four drug classes, five conditions and four laboratory findings exclude a person."""
    rules = [rule for rule in kb.screening.values() if rule.role == "exclude"]
    assert {r.drug_class for r in rules if r.kind == "drug_class"} == {
        "antiresorptive",
        "glucocorticoid",
        "estrogen",
        "fibrate",
    }
    assert {r.cause for r in rules if r.kind == "condition"} == {
        "hypothyroidism",
        "malnutrition",
        "wilson_disease",
        "celiac_disease",
        "critical_illness",
    }
    assert {(r.analyte, r.status) for r in rules if r.kind == "lab"} == {
        ("magnesium", "low"),
        ("zinc", "low"),
        ("tsh", "high"),
        ("albumin", "low"),
    }
    for rule in kb.screening.values():
        assert rule.citations
        assert set(rule.citations) <= set(kb.citations)


def test_published_yields_are_cited_and_consistent(kb: Knowledge) -> None:
    """Each yield cites its study; where a count is given, it matches the percentage."""
    assert {y.stage for y in kb.yields.values()} == {"persistent", "with_low"}
    for item in kb.yields.values():
        assert set(item.citations) <= set(kb.citations)
        if item.found is not None:
            assert abs(100 * item.found / item.screened - item.percent) < 0.01


@pytest.mark.parametrize(
    ("file", "edit", "message"),
    [
        (
            "screening.yaml",
            lambda t: t.replace("drug_class: antiresorptive", "drug_class: antiresorptives"),
            "screening.yaml: antiresorptive: unknown drug class 'antiresorptives'",
        ),
        (
            "screening.yaml",
            lambda t: t.replace("    analyte: magnesium\n", "", 1),
            "screening.yaml: low_magnesium: a lab rule needs 'analyte'",
        ),
        (
            "screening.yaml",
            lambda t: t.replace("findings: [eating_disorder]", "findings: [critical_illness]"),
            "finding 'critical_illness' is also in 'malnutrition'",
        ),
        (
            "screening.yaml",
            lambda t: t.replace("citations: [lum1995]\n", "citations: [lum1959]\n", 1),
            "unknown citation 'lum1959'",
        ),
        (
            "screening.yaml",
            lambda t: t.replace("    cause: wilson_disease\n", "", 1),
            "an exclude rule needs 'cause'",
        ),
        (
            "yields.yaml",
            lambda t: t.replace("citations: [maman2016]", "citations: [maman2061]"),
            "yields.yaml: maman2016: unknown citation 'maman2061'",
        ),
        (
            "screening.yaml",
            lambda t: t.replace("    role: rank\n", "    role: ranking\n", 1),
            "screening.yaml: screening.very_low_alp.role",
        ),
    ],
)
def test_a_broken_screening_file_names_file_and_key(
    broken: Callable[[str, Callable[[str], str]], Path],
    file: str,
    edit: Callable[[str], str],
    message: str,
) -> None:
    """A broken screening rule or yield is a KnowledgeError naming the file and the key."""
    with pytest.raises(KnowledgeError) as caught:
        build_knowledge(broken(file, edit), version="test")
    assert message in str(caught.value)


def _case(**extra: Any) -> dict[str, Any]:
    results = [
        {"test": "ALP", "value": 25, "date": "2024-01-10"},
        {"test": "ALP", "value": 26, "date": "2024-03-10"},
        *extra.pop("results", []),
    ]
    return {"patient": {"sex": "female", "birth_date": "1970-05-05"}, "results": results, **extra}


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, []),
        ({"medications": ["Fosamax 70 mg weekly"]}, ["antiresorptive"]),
        ({"medications": ["prednisolone", "omeprazole"]}, ["glucocorticoid"]),
        ({"findings": ["hypothyroidism"]}, ["hypothyroidism"]),
        ({"findings": ["sepsis"]}, ["critical_illness"]),
        (
            {"results": [{"test": "Mg", "value": 0.5, "unit": "mmol/L", "date": "2023-11-01"}]},
            ["low_magnesium"],
        ),
        (  # 90 days before the first low is the window's edge: 2023-10-12
            {"results": [{"test": "Mg", "value": 0.5, "unit": "mmol/L", "date": "2023-10-11"}]},
            [],
        ),
        (
            {"results": [{"test": "TSH", "value": 9, "date": "2024-02-01"}]},
            ["high_tsh"],
        ),
    ],
)
def test_the_per_patient_engine_reads_the_same_secondary_causes(
    extra: dict[str, Any], expected: list[str]
) -> None:
    """``interpret`` lists the screening exclusions that hold, from the same data file."""
    result = interpret(_case(**extra), as_of=date(2024, 4, 1))
    assert result.alp_series is not None
    assert result.alp_series.persistently_low
    assert result.secondary_causes == expected


_ROWS: dict[str, dict[tuple[str, str, int], list[dict[str, Any]]]] = {}


def _interval_rows(kb: Knowledge) -> dict[tuple[str, str, int], list[dict[str, Any]]]:
    if kb.version not in _ROWS:
        index: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
        for row in KnowledgeTables.build(kb).intervals.to_pylist():
            index.setdefault((row["analyte"], row["sex"], row["age_key"]), []).append(row)
        _ROWS[kb.version] = index
    return _ROWS[kb.version]


@given(
    days=st.integers(min_value=0, max_value=130 * 366),
    sex=st.sampled_from(SEXES),
    analyte=st.sampled_from(["alp", "magnesium", "zinc", "tsh", "albumin", "plp"]),
)
def test_the_interval_table_is_the_engines_choice(
    kb: Knowledge, days: int, sex: str, analyte: str
) -> None:
    """For every age and sex, the row screening joins is the interval ``interpret`` picks."""
    birth = date(1890, 1, 1)
    on = date.fromordinal(birth.toordinal() + days)
    age = Age.between(birth, on)
    whole = int(age.years)
    key = int(age.days) if whole == 0 else YEAR_KEY_BASE + whole
    assert whole > 0 or age.days <= FIRST_YEAR_DAYS
    rows = _interval_rows(kb).get((analyte, sex, key), [])
    chosen = knowledge_interval(kb, analyte, age, sex, None)
    if whole > 130:
        return
    if chosen is None or (chosen.low is None and chosen.high is None):
        assert rows == []
    else:
        assert [(r["ref_low"], r["ref_high"]) for r in rows] == [(chosen.low, chosen.high)]
