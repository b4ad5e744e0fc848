"""Every finite number, from the smallest subnormal to the largest double, gives an
interpretation or a clear input error: never a crash in a ratio, a conversion or a grade."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from alkphos import InputError, Knowledge, interpret, load_knowledge

KB = load_knowledge()
# Every finite non-negative double, with the extremes always tried.
_ANY = st.one_of(
    st.sampled_from([0.0, 5e-324, 2.2250738585072014e-308, 1e-300, 1e308, 1.7976931348623157e308]),
    st.floats(min_value=0, allow_nan=False, allow_infinity=False),
)
_SPELLINGS = [
    (analyte.id, unit)
    for analyte in KB.analytes.values()
    for unit in (analyte.unit, *(u.unit for u in analyte.units))
]


def _finite(node: Any) -> bool:
    """Whether every number in a JSON-like tree is finite."""
    if isinstance(node, float):
        return math.isfinite(node)
    if isinstance(node, dict):
        return all(_finite(value) for value in node.values())
    if isinstance(node, list):
        return all(_finite(value) for value in node)
    return True


def _interpret_or_refuse(case: dict[str, Any]) -> None:
    """The case is interpreted with finite numbers throughout, or refused as bad input."""
    try:
        result = interpret(case)
    except InputError:
        return
    dumped = json.loads(result.model_dump_json())
    assert _finite(dumped)


def _row(test: str, value: float, unit: str, **limits: float) -> dict[str, Any]:
    return {"test": test, "value": value, "unit": unit, "date": "2025-01-01", **limits}


@given(
    spelling=st.sampled_from(_SPELLINGS),
    value=_ANY,
    alp=_ANY,
    low=st.none() | _ANY,
    high=st.none() | _ANY,
)
def test_any_value_of_any_analyte_in_any_unit(
    spelling: tuple[str, str], value: float, alp: float, low: float | None, high: float | None
) -> None:
    """An analyte's value and its printed limits at any magnitude never crash the engine."""
    analyte, unit = spelling
    limits = {k: v for k, v in (("reference_low", low), ("reference_high", high)) if v is not None}
    results = [_row("ALP", alp, "U/L"), _row(KB.analytes[analyte].name, value, unit, **limits)]
    _interpret_or_refuse({"patient": {"age_years": 40, "sex": "female"}, "results": results})


@given(alp=_ANY, earlier_alp=_ANY, alt=_ANY, ast=_ANY, bilirubin=_ANY, inr=_ANY, uln=_ANY)
@example(alp=5e-324, earlier_alp=5e-324, alt=500, ast=500, bilirubin=5e-324, inr=2, uln=129)
@example(
    alp=1e308, earlier_alp=5e-324, alt=5e-324, ast=1e308, bilirubin=1e308, inr=1e308, uln=5e-324
)
@example(alp=0.4, earlier_alp=0.0, alt=0.4, ast=3000, bilirubin=0.04, inr=3, uln=0.5)
def test_every_ratio_at_the_float_extremes(
    alp: float,
    earlier_alp: float,
    alt: float,
    ast: float,
    bilirubin: float,
    inr: float,
    uln: float,
) -> None:
    """R ratio, ALP/bilirubin, AST/ALT, the fold change and the multiple of the ULN."""
    case = {
        "patient": {"age_years": 19, "sex": "male"},
        "results": [
            {"test": "ALP", "value": earlier_alp, "date": "2024-06-01"},
            _row("ALP", alp, "U/L", reference_high=uln),
            _row("ALT", alt, "U/L"),
            _row("AST", ast, "U/L"),
            _row("Total bilirubin", bilirubin, "mg/dL"),
            _row("INR", inr, "{INR}"),
        ],
        "findings": ["acute_liver_failure", "encephalopathy"],
    }
    _interpret_or_refuse(case)


def test_the_reported_underflow_gives_an_answer() -> None:
    """The issue's case: ALP 5e-324 with ALT 500 is below detection, low, and has no R."""
    result = interpret(
        {
            "patient": {"age_years": 40, "sex": "male"},
            "results": [_row("ALP", 5e-324, "U/L"), _row("ALT", 500, "U/L")],
        }
    )
    assert result.alp is not None
    assert result.alp.status == "low"
    assert result.pattern is None
    assert any("below detection" in note for note in result.not_understood)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("field", ["value", "reference_low", "reference_high"])
def test_non_finite_numbers_are_refused(field: str, bad: float) -> None:
    """NaN or infinity anywhere in a result is bad input, never read as a number."""
    row = _row("ALP", 22, "U/L") | {field: bad}
    with pytest.raises(InputError, match="finite"):
        interpret({"patient": {"age_years": 40, "sex": "male"}, "results": [row]})


def test_a_limit_below_the_reporting_step_is_refused(kb: Knowledge) -> None:
    """An upper limit that rounds to zero at the method's precision cannot be divided by."""
    with pytest.raises(InputError, match="smallest step"):
        interpret(
            {
                "patient": {"age_years": 40, "sex": "male"},
                "results": [_row("ALP", 80, "U/L", reference_high=0.2)],
            }
        )
    assert kb.analytes["alp"].step == 1.0


def test_an_implausible_companion_is_set_aside_not_the_case() -> None:
    """An albumin of 820 g/L is a data error: it is named and set aside, ALP still read."""
    result = interpret(
        {
            "patient": {"age_years": 40, "sex": "male"},
            "results": [_row("ALP", 30, "U/L"), _row("Albumin", 820, "g/L")],
        }
    )
    assert result.alp is not None
    assert result.alp.status == "low"
    assert any("implausible Albumin" in n and "set aside" in n for n in result.not_understood)


def test_an_implausible_alp_still_refuses_the_case() -> None:
    """Without a believable ALP there is nothing to interpret."""
    with pytest.raises(InputError, match="implausible Alkaline phosphatase"):
        interpret({"patient": {"age_years": 40}, "results": [_row("ALP", 1e9, "U/L")]})
