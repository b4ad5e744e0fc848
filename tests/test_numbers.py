"""Numbers as people read them (issue 18): the lab's unit, a sensible precision, no braces."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from alkphos import interpret
from alkphos.render.numbers import reported
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
