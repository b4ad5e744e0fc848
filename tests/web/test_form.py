"""The case form: numbers as typed, a decimal comma, and numbers that could be read two ways."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alkphos.errors import InputError
from alkphos.web.form import FormRow, FormState, case_from_form, field_for_path


def _state(value: str, *, blank_rows: int = 0) -> FormState:
    rows = [FormRow() for _ in range(blank_rows)]
    rows.append(FormRow(test="ALP", value=value, unit="U/L", date="2025-01-20"))
    return FormState(patient={"age_years": "50", "sex": "female"}, rows=rows)


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False).map(lambda v: round(v, 3)))
def test_a_number_with_a_point_is_that_number(value: float) -> None:
    """Whatever Python writes for a number comes back as the same number."""
    (result,) = case_from_form(_state(repr(value)))["results"]
    assert result["value"] == value


@pytest.mark.parametrize(("typed", "number"), [("0,8", 0.8), ("12,5", 12.5), ("1,2345", 1.2345)])
def test_a_decimal_comma_is_read_as_a_point(typed: str, number: float) -> None:
    (result,) = case_from_form(_state(typed))["results"]
    assert result["value"] == number


@pytest.mark.parametrize("typed", ["1,234", "12,000", "-1,500"])
def test_a_number_that_could_be_read_two_ways_is_refused_beside_its_field(typed: str) -> None:
    """1,234 U/L is a cholestatic ALP read one way and a very low one read the other."""
    state = _state(typed, blank_rows=2)
    with pytest.raises(InputError) as caught:
        case_from_form(state)
    assert caught.value.path == "results[0].value"
    assert "could be read two ways" in caught.value.problem
    assert "1234" in caught.value.accepted
    assert field_for_path(caught.value.path, state.origin()) == "results-2-value"


@pytest.mark.parametrize("typed", ["abc", "1,234,567"])
def test_text_that_is_not_a_number_is_passed_on_for_the_case_parser(typed: str) -> None:
    (result,) = case_from_form(_state(typed))["results"]
    assert result["value"] == typed


def test_the_setting_chosen_on_the_form_reaches_the_case() -> None:
    """Issue 14: the form carries where the patient is seen; not said leaves it out."""
    fields = {"results-0-test": "ALP", "results-0-value": "30", "setting": "intensive_care"}
    assert case_from_form(FormState.from_fields(fields, 1))["setting"] == "intensive_care"
    fields.pop("setting")
    assert "setting" not in case_from_form(FormState.from_fields(fields, 1))
