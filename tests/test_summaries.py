"""The two summaries: numbers for the clinician, plain words for the patient."""

from __future__ import annotations

from typing import Any

import pytest

from alkphos import interpret
from tests.conftest import golden_cases
from tests.readability import flesch_reading_ease, syllables

JARGON = ("hypophosphatasia", "cholestatic", "antiresorptive", "isoenzyme", "ULN", "CTCAE")


def test_syllable_counter_on_known_words() -> None:
    """The syllable estimate is right on plain words (the readability test rests on it)."""
    assert [syllables(w) for w in ("the", "doctor", "medicine", "table", "enzyme")] == [
        1,
        2,
        3,
        2,
        2,
    ]


def test_flesch_scale() -> None:
    """Short plain sentences score high; long technical ones score low."""
    assert flesch_reading_ease("The cat sat on the mat. It was warm.") > 90
    hard = (
        "Hypophosphatasia demonstrates characteristically diminished tissue-nonspecific "
        "alkaline phosphatase enzymatic activity with consequential mineralisation impairment."
    )
    assert flesch_reading_ease(hard) < 0


@pytest.mark.parametrize("example", golden_cases(), ids=lambda c: c["id"])
def test_patient_summary_is_plain(example: dict[str, Any]) -> None:
    """Flesch reading ease >= 60, no unexplained jargon, the medicine advice only for someone
    who takes medicines."""
    patient = interpret(example["case"]).summary.patient
    assert flesch_reading_ease(patient) >= 60, patient
    for word in JARGON:
        assert word.lower() not in patient.lower(), word
    advice = patient.endswith("Talk to your doctor before changing any medicine.")
    assert advice == bool(example["case"].get("medications"))


@pytest.mark.parametrize("example", golden_cases(), ids=lambda c: c["id"])
def test_clinician_summary_has_numbers_and_interval(example: dict[str, Any]) -> None:
    """The clinician summary gives the ALP value and the interval used."""
    result = interpret(example["case"])
    assert result.alp is not None
    text = result.summary.clinician
    assert f"ALP {result.alp.value:g} U/L" in text
    interval = result.alp.reference_interval
    assert f"{interval.low:g}-{interval.high:g} U/L" in text


def test_patient_summary_is_calm_when_normal() -> None:
    """A normal result does not alarm: no 'contact your doctor today'."""
    result = interpret(
        {
            "patient": {"age_years": 30, "sex": "female"},
            "results": [{"test": "ALP", "value": 70, "date": "2024-01-02"}],
        }
    )
    assert "today" not in result.summary.patient
    assert "within the usual range" in result.summary.patient


def test_patient_summary_is_prompt_when_critical() -> None:
    """A critical flag asks the patient to contact the doctor today."""
    result = interpret(
        {
            "patient": {"age_years": 20, "sex": "female"},
            "results": [{"test": "ALP", "value": 30, "date": "2024-01-02"}],
            "findings": ["acute_liver_failure"],
        }
    )
    assert result.summary.patient.startswith("Some results need prompt care")


def test_patient_summary_leads_with_the_result_and_the_range_used() -> None:
    """The patient reads her value, whether it is in range and which range first (issue 16
    item 4): in pregnancy the pregnancy range, and the midwife is named."""
    result = interpret(
        {
            "patient": {"age_years": 31, "sex": "female", "pregnancy_weeks": 34},
            "results": [
                {"test": "ALP", "value": 250, "date": "2024-01-02"},
                {"test": "GGT", "value": 40, "date": "2024-01-02"},
            ],
        }
    )
    text = result.summary.patient
    assert text.startswith("Your ALP was 250 U/L, higher than the usual range at 34 weeks of")
    assert "(38-229 U/L)" in text
    assert "midwife" in text
