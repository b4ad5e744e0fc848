"""The patient's inputs in one line (issue 14, setting): age, sex, pregnancy, medicines,
findings and setting, in the text, the HTML report and the JSON."""

from __future__ import annotations

from datetime import date

import pytest

from alkphos import Knowledge, interpret
from alkphos.model.interpretation import Inputs
from alkphos.render.inputs import age_words, inputs_line
from alkphos.render.text import render_text
from alkphos.report.html import render_report

CASE = {
    "patient": {"birth_date": "1960-03-01", "sex": "female"},
    "results": [{"test": "ALP", "value": 300, "date": "2024-01-10"}],
    "medications": ["omeprazole"],
    "findings": ["spider_naevi"],
    "setting": "intensive_care",
}


@pytest.mark.parametrize(
    ("years", "words"),
    [
        (63.9, "63 years"),
        (2.0, "2 years"),
        (1.99, "23 months"),
        (0.5, "6 months"),
        (1 / 12, "1 month"),
        (0.05, "2 weeks"),
        (7 / 365.25, "1 week"),
        (3 / 365.25, "3 days"),
        (0.0, "0 days"),
    ],
)
def test_ages_are_said_as_people_say_them(years: float, words: str) -> None:
    assert age_words(years) == words


def test_the_line_names_every_input() -> None:
    line = inputs_line(
        Inputs(
            age_years=31.2,
            sex="female",
            pregnancy_weeks=30.6,
            medications=["levothyroxine", "ferrous sulfate"],
            setting="emergency",
        )
    )
    assert line == (
        "age 31 years; female, pregnant (30 weeks); medicines: levothyroxine, ferrous "
        "sulfate; seen in: emergency department"
    )


def test_nothing_given_is_said_so() -> None:
    """An unknown setting is shown as read (as outpatient); no medicine is 'none given'."""
    line = inputs_line(Inputs(age_years=None, sex="unknown"))
    assert line == (
        "age unknown; sex unknown; medicines: none given; seen in: not said (read as outpatient)"
    )


def test_a_man_is_not_called_not_pregnant() -> None:
    line = inputs_line(Inputs(age_years=50, sex="male", setting="inpatient"))
    assert "pregnant" not in line
    assert line.endswith("seen in: hospital ward")


def test_the_json_carries_the_inputs() -> None:
    """Age at the latest result from the birth date; everything else as given."""
    result = interpret(CASE)
    assert result.inputs is not None
    dumped = result.model_dump(mode="json")["inputs"]
    assert dumped["setting"] == "intensive_care"
    assert dumped["sex"] == "female"
    assert dumped["medications"] == ["omeprazole"]
    assert dumped["findings"] == ["spider_naevi"]
    assert 63 < dumped["age_years"] < 64


def test_text_and_html_show_the_inputs(kb: Knowledge) -> None:
    result = interpret(CASE)
    text = " ".join(render_text(result).split())
    assert "PATIENT age 63 years; female, not pregnant; medicines: omeprazole" in text
    assert "findings: spider naevi; seen in: intensive care" in text
    html = render_report(result, kb, date(2026, 1, 2))
    assert "<strong>Read with:</strong> age 63 years; female, not pregnant" in html
    assert "seen in: intensive care</p>" in html
