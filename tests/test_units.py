"""Unit conversion: factors computed with pint, exact for known cases, reversible for all."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alkphos import Knowledge, interpret
from alkphos.errors import UnitError
from alkphos.units import conversion_factor, normalise_spelling


@pytest.mark.parametrize(
    ("analyte", "unit", "factor"),
    [
        ("alp", "ukat/L", 60.0),
        ("alp", "µkat/L", 60.0),
        ("alp", "IU/L", 1.0),
        ("calcium", "mg/dL", 0.2495),
        ("total_bilirubin", "umol/L", 1 / 17.1),
        ("magnesium", "mg/dL", 0.4114),
        ("vitamin_d", "ng/mL", 2.496),
        ("vitamin_b12", "pg/mL", 0.7378),
        ("pth", "pmol/L", 1 / 0.106),
        ("plp", "ng/mL", 4.046),
        ("zinc", "ug/dL", 0.153),
    ],
)
def test_known_factors(kb: Knowledge, analyte: str, unit: str, factor: float) -> None:
    """Factors match the published conversion tables to three significant figures."""
    conversion = kb.unit_index[analyte][normalise_spelling(unit)]
    assert math.isclose(conversion.factor, factor, rel_tol=2e-3)


def test_every_accepted_unit_has_a_positive_factor(kb: Knowledge) -> None:
    """Every spelling of every analyte converts to its canonical unit."""
    for analyte, table in kb.unit_index.items():
        assert table, analyte
        for conversion in table.values():
            assert conversion.factor > 0, (analyte, conversion.spelling)


@given(value=st.floats(min_value=1e-6, max_value=1e6), data=st.data())
def test_round_trip(kb: Knowledge, value: float, data: st.DataObject) -> None:
    """A value converted to canonical and back returns unchanged (to float precision)."""
    analyte = data.draw(st.sampled_from(sorted(kb.unit_index)))
    spelling = data.draw(st.sampled_from(sorted(kb.unit_index[analyte])))
    factor = kb.unit_index[analyte][spelling].factor
    assert math.isclose(value * factor / factor, value, rel_tol=1e-12)


@given(value=st.floats(min_value=1e-3, max_value=1e4))
def test_mass_molar_round_trip_through_pint(value: float) -> None:
    """mg/dL -> mmol/L -> mg/dL with a molar mass gives the value back."""
    there = value * conversion_factor("mg/dL", "mmol/L", 40.078)
    back = there * conversion_factor("mmol/L", "mg/dL", 40.078)
    assert math.isclose(back, value, rel_tol=1e-9)


def test_incompatible_units_are_refused() -> None:
    """A catalytic unit never converts to a mass unit."""
    with pytest.raises(ValueError, match="measure different things"):
        conversion_factor("U/L", "mg/L", 100.0)


def test_converted_alp_is_judged_in_u_per_l() -> None:
    """1.2 ukat/L is 72 U/L; the unit_converted flag says so."""
    result = interpret(
        {
            "patient": {"age_years": 45, "sex": "male"},
            "results": [{"test": "ALP", "value": 1.2, "unit": "ukat/L", "date": "2024-01-02"}],
        }
    )
    assert result.alp is not None
    assert result.alp.value == 72.0
    assert "unit_converted" in {flag.id for flag in result.flags}


def test_unknown_unit_names_accepted_units() -> None:
    """IU/mL for ALP is refused with the accepted units and a suggestion."""
    with pytest.raises(UnitError) as caught:
        interpret(
            {
                "patient": {"age_years": 45},
                "results": [{"test": "ALP", "value": 70, "unit": "IU/mL", "date": "2024-01-02"}],
            }
        )
    assert caught.value.path == "results[0].unit"
    assert caught.value.suggestion == "IU/L"
    assert "U/L" in caught.value.accepted
