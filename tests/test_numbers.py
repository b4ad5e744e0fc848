"""Numbers as people read them (issue 18): the lab's unit, a sensible precision, no braces."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from alkphos import Knowledge, interpret
from alkphos.render.numbers import at_precision, reported, unit_decimals
from alkphos.render.text import render_text
from alkphos.units import plain_unit, readable


@given(st.floats(min_value=1e-6, max_value=1e7, allow_nan=False))
def test_readable_keeps_three_significant_figures(value: float) -> None:
    """Within half a unit of the third significant figure, never in exponent form."""
    text = readable(value)
    assert "e" not in text
    shown = float(text)
    step = 10 ** (math.floor(math.log10(value)) - 2)
    assert abs(shown - value) <= max(step, 1e-12) / 2 + 1e-9 * value


def test_whole_numbers_keep_their_digits() -> None:
    assert readable(1234) == "1234"
    assert readable(5.61274) == "5.61"
    assert readable(16.21) == "16.2"
    assert readable(0.0584) == "0.0584"


def test_units_lose_their_braces() -> None:
    assert plain_unit("{INR}") == ""
    assert plain_unit("umol/g{creat}") == "umol/g creatinine"
    assert plain_unit("mL/min/{1.73_m2}") == "mL/min/1.73 m²"
    assert plain_unit("U/L") == "U/L"


def test_results_are_shown_as_the_lab_reported_them() -> None:
    """A bilirubin of 96 umol/L reads '96 umol/L', not '5.61274 mg/dL'; its interval is in
    umol/L too; an INR has no '{INR}'."""
    result = interpret(
        {
            "patient": {"age_years": 50, "sex": "male"},
            "results": [
                {"test": "ALP", "value": 300, "date": "2024-01-10"},
                {"test": "Total bilirubin", "value": 96, "unit": "umol/L", "date": "2024-01-10"},
                {"test": "INR", "value": 1.2, "date": "2024-01-10"},
            ],
        }
    )
    bilirubin = next(r for r in result.results if r.analyte == "total_bilirubin")
    value, interval = reported(bilirubin)
    assert value == "96 umol/L"
    assert interval.endswith("umol/L")
    text = render_text(result)
    assert "5.61274" not in text
    assert "{INR}" not in text


# The method's reporting precision (issue 18 item 7): knowledge-base decimals per analyte,
# carried over to the unit the laboratory reported.


def _places(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


@given(
    st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=4),
)
@example(39.8, 0)
@example(5.61274, 1)
@example(0.3 * 17.1, 1)
@example(2.675, 2)
def test_at_precision_rounds_to_the_method_and_at_most_one_place_more(
    value: float, decimals: int
) -> None:
    """At least the method's places, at most one more, within half a step of the value,
    never an exponent or a minus sign on zero."""
    text = at_precision(value, decimals)
    assert "e" not in text
    assert not text.startswith("-")
    places = _places(text)
    assert decimals <= places <= decimals + 1
    assert abs(float(text) - value) <= 0.5 * 10.0**-places + 1e-9 * max(value, 1)


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=3))
def test_a_value_sent_at_the_methods_precision_or_one_place_finer_is_shown_exactly(
    units: int, decimals: int
) -> None:
    """Nothing the laboratory printed (up to one place finer than the method) is lost."""
    for places in (decimals, decimals + 1):
        value = float(Decimal(units).scaleb(-places))
        assert Decimal(at_precision(value, decimals)) == Decimal(units).scaleb(-places)


def test_precision_examples() -> None:
    """A whole-unit ALP of 39.8 stays 39.8 beside a limit of 40; 5.61274 mg/dL at one
    place is 5.61; an albumin of 4 g/dL at one place is 4.0."""
    assert at_precision(39.8, 0) == "39.8"
    assert at_precision(40.0, 0) == "40"
    assert at_precision(5.61274, 1) == "5.61"
    assert at_precision(4.0, 1) == "4.0"


@pytest.mark.parametrize(
    ("decimals", "factor", "places"),
    [
        (0, 60.0, 2),  # ALP: 1 U/L steps are about 0.02 ukat/L: two places
        (1, 1 / 17.1, 0),  # bilirubin: 0.1 mg/dL is 1.7 umol/L: whole umol/L
        (0, 10.0, 1),  # albumin: 1 g/L is 0.1 g/dL
        (2, 0.2495, 1),  # calcium: 0.01 mmol/L is 0.04 mg/dL
        (0, 1.0, 0),
        (2, 0.0, 2),  # no factor: the canonical precision
    ],
)
def test_the_precision_carries_over_to_the_reported_unit(
    decimals: int, factor: float, places: int
) -> None:
    assert unit_decimals(decimals, factor) == places


def test_every_result_is_shown_at_its_methods_precision() -> None:
    """The laboratory's units and limits as printed; the knowledge base's limits converted
    to that unit at its precision: no 0.509-1.018 mg/dL, no 9.177-16.21 umol/L."""
    result = interpret(
        {
            "patient": {"age_years": 33, "sex": "female"},
            "results": [
                {"test": "ALP", "value": 1.25, "unit": "ukat/L", "date": "2024-01-10"},
                {"test": "calcium", "value": 9.52, "unit": "mg/dL", "date": "2024-01-10"},
                {"test": "creatinine", "value": 0.853, "unit": "mg/dL", "date": "2024-01-10"},
                {
                    "test": "albumin",
                    "value": 3.5,
                    "unit": "g/dL",
                    "date": "2024-01-10",
                    "reference_low": 3.4,
                    "reference_high": 5.4,
                },
            ],
        }
    )
    shown = {row.analyte: reported(row) for row in result.results}
    assert shown["alp"][0] == "1.25 ukat/L"
    assert _places(shown["alp"][1].split("-")[0]) == 2
    assert shown["calcium"] == ("9.52 mg/dL", "8.4-10.4 mg/dL")
    assert shown["creatinine"][0] == "0.853 mg/dL"
    assert all(_places(limit.split()[0]) == 2 for limit in shown["creatinine"][1].split("-"))
    assert shown["albumin"] == ("3.5 g/dL", "3.4-5.4 g/dL")
    # the JSON keeps the full values
    creatinine = next(r for r in result.results if r.analyte == "creatinine")
    assert creatinine.reported_value == 0.853
    assert creatinine.value not in (75.0, 75.4)


def test_the_alp_reads_the_same_in_text_html_and_cards(kb: Knowledge) -> None:
    """An ALP of 39.8 U/L is 39.8 everywhere people read it, beside its limit of 40."""
    from alkphos.api.cds.cards import card_values
    from alkphos.report.html import render_report

    result = interpret(
        {
            "patient": {"age_years": 33, "sex": "female"},
            "results": [{"test": "ALP", "value": 39.8, "date": "2024-01-10"}],
        }
    )
    assert "39.8 U/L on 2024-01-10: LOW" in render_text(result)
    assert '<span class="alp-value">39.8 U/L</span>' in render_report(result, kb, date(2026, 1, 2))
    assert card_values(result)["value"] == "39.8"
    assert card_values(result)["low"] == "40"


def test_numbers_inside_flags_and_summaries_are_at_the_methods_precision(kb: Knowledge) -> None:
    """A flag's detail and the summary show a result as the laboratory reported it, at the
    method's precision: bilirubin 5.61274 mg/dL is 5.61 mg/dL, an ALP in ukat/L stays in
    ukat/L, and the borderline limit is in the same unit as the value."""
    obstruction = interpret(
        {
            "patient": {"age_years": 60, "sex": "female"},
            "findings": ["fever", "ruq_pain"],
            "results": [
                {"test": "ALP", "value": 9.5, "unit": "ukat/L", "date": "2024-03-01"},
                {"test": "Bilirubin", "value": 5.61274, "unit": "mg/dL", "date": "2024-03-01"},
            ],
        },
        kb=kb,
    )
    details = " ".join(flag.message for flag in obstruction.flags)
    assert "5.61 mg/dL" in details
    assert "5.61274" not in details
    assert "ukat/L" in details
    assert "570 U/L" in obstruction.summary.clinician  # 9.5 ukat/L at the U/L precision
    borderline = interpret(
        {
            "patient": {"age_years": 60, "sex": "male"},
            "results": [{"test": "ALP", "value": 0.655, "unit": "ukat/L", "date": "2024-03-01"}],
        },
        kb=kb,
    )
    flag = next(flag for flag in borderline.flags if flag.id == "borderline_alp")
    assert "0.655 ukat/L" in flag.message
    assert "limit 0.67 ukat/L" in flag.message  # 40 U/L at the method's 0.01 ukat/L step
