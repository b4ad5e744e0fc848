"""What real records hold (issue 14 item 13, issue 18 item 5): findings of chronic liver
disease with their codes, prothrombin time in seconds, default cut-offs for markers printed
without limits, and a note (never a silent 'unknown') for a marker with no limit at all."""

from __future__ import annotations

from typing import Any

import pytest

from alkphos import Knowledge, interpret
from alkphos.knowledge.codes import match_code

WHEN = "2024-01-10"


def _run(kb: Knowledge, *results: dict[str, Any], **case: Any) -> Any:
    return interpret(
        {
            "patient": {"age_years": 58, "sex": "female"},
            "results": [{"test": "ALP", "value": 250, "unit": "U/L", "date": WHEN}, *results],
            **case,
        },
        kb=kb,
    )


def _result(test: str, value: float, unit: str, **extra: Any) -> dict[str, Any]:
    return {"test": test, "value": value, "unit": unit, "date": WHEN, **extra}


@pytest.mark.parametrize(
    ("typed", "finding"),
    [
        ("ascites", "ascites"),
        ("shifting dullness", "ascites"),
        ("Enlarged liver", "hepatomegaly"),
        ("spider naevi", "spider_naevi"),
        ("spider angioma", "spider_naevi"),
        ("ankle edema", "oedema"),
        ("oedema", "oedema"),
    ],
)
def test_findings_of_liver_disease_are_understood(kb: Knowledge, typed: str, finding: str) -> None:
    assert kb.find_finding(typed) == finding
    assert _run(kb, findings=[typed]).not_understood == []


@pytest.mark.parametrize(
    ("system", "code", "finding"),
    [
        ("http://snomed.info/sct", "389026000", "ascites"),
        ("http://hl7.org/fhir/sid/icd-10-cm", "R18.8", "ascites"),
        ("http://snomed.info/sct", "80515008", "hepatomegaly"),
        ("http://hl7.org/fhir/sid/icd-10-cm", "R16.0", "hepatomegaly"),
        ("http://hl7.org/fhir/sid/icd-10-cm", "I78.1", "spider_naevi"),
        ("http://snomed.info/sct", "267038008", "oedema"),
        ("http://hl7.org/fhir/sid/icd-10-cm", "R60.0", "oedema"),
        ("http://hl7.org/fhir/sid/icd-10-cm", "R60.9", "oedema"),
    ],
)
def test_the_findings_have_codes(kb: Knowledge, system: str, code: str, finding: str) -> None:
    entry = match_code(kb, system, code)
    assert entry is not None
    assert entry.finding == finding


def test_malignant_ascites_is_not_coded_as_plain_ascites(kb: Knowledge) -> None:
    assert match_code(kb, "http://hl7.org/fhir/sid/icd-10-cm", "R18.0") is None


def test_prothrombin_time_in_seconds_is_its_own_analyte(kb: Knowledge) -> None:
    """LOINC 5902-2; the lab's limits win; without them the Labcorp adult 9.1-12.0 s applies."""
    result = _run(
        kb,
        _result("PT", 14.5, "s"),
        _result("5902-2", 20, "sec", reference_low=11, reference_high=13.5),
        _result("INR", 1.1, "INR"),
    )
    rows = [(r.analyte, r.status, r.reference_interval) for r in result.results[1:]]
    assert [(a, s) for a, s, _ in rows] == [
        ("prothrombin_time", "high"),
        ("prothrombin_time", "high"),
        ("inr", "normal"),
    ]
    default, lab = rows[0][2], rows[1][2]
    assert default is not None
    assert (default.low, default.high, default.source) == (9.1, 12.0, "knowledge base")
    assert lab is not None
    assert (lab.high, lab.source) == (13.5, "laboratory")


@pytest.mark.parametrize(
    ("test", "value", "unit", "status", "high"),
    [
        ("AMA", 45, "U/mL", "high", 20.0),  # Labcorp ELISA: above 20.0 Units is not negative
        ("AMA", 12, "U/mL", "normal", 20.0),
        ("IgM", 410, "mg/dL", "high", 2.86),  # Mayo adults 37-286 mg/dL (g/L canonical)
        ("CEA", 9, "ng/mL", "high", 3.0),  # StatPearls: non-smoking adults up to 3.0 ug/L
        ("NT-proBNP", 900, "pg/mL", "high", 125),  # ESC 2021: below 125 pg/mL HF unlikely
        ("NT-proBNP", 80, "pg/mL", "normal", 125),
    ],
)
def test_markers_without_printed_limits_use_a_cited_default(
    kb: Knowledge, test: str, value: float, unit: str, status: str, high: float
) -> None:
    result = _run(kb, _result(test, value, unit))
    marker = result.results[1]
    assert marker.status == status
    assert marker.reference_interval is not None
    assert marker.reference_interval.high == high
    assert result.not_understood == []


@pytest.mark.parametrize(
    ("test", "unit"), [("tTG IgA", "U/mL"), ("Intrinsic factor antibodies", "AU/mL")]
)
def test_a_marker_with_no_limit_anywhere_is_said_to_be_unused(
    kb: Knowledge, test: str, unit: str
) -> None:
    """Kit-specific units with no citable default: the output says it was not used."""
    result = _run(kb, _result(test, 142, unit))
    assert result.results[1].status == "unknown"
    (note,) = result.not_understood
    assert note.startswith("results[1]: ")
    assert "was not used" in note
    assert "no reference limits" in note


def test_the_same_marker_with_the_labs_limits_is_judged(kb: Knowledge) -> None:
    result = _run(kb, _result("tTG IgA", 142, "U/mL", reference_high=7))
    assert result.results[1].status == "high"
    assert result.not_understood == []
