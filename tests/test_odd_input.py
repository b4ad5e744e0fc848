"""Odd but possible input gives an answer or a clear InputError, never a crash."""

from __future__ import annotations

import json
from datetime import MAXYEAR, date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alkphos import InputError, interpret
from alkphos.adapters.case_json import load_json, parse_case
from alkphos.adapters.fhir.validate import validate_resource
from alkphos.adapters.text import refuse_lone_surrogates
from alkphos.knowledge.age import Age

_ANY_DATE = st.dates(min_value=date(1, 1, 1), max_value=date(MAXYEAR, 12, 31))


@pytest.mark.parametrize(
    ("birth", "on", "years"),
    [
        (date(1980, 1, 1), date(9999, 6, 30), 8019 + 180 / 366),
        (date(1980, 7, 1), date(9999, 12, 31), 8019 + 183 / 366),
        (date(2000, 2, 29), date(9999, 12, 31), 7999 + 306 / 366),
        (date(2000, 6, 30), date(2001, 6, 30), 1.0),
    ],
)
def test_age_near_the_end_of_the_calendar(birth: date, on: date, years: float) -> None:
    """The birthday after 9999 is year 10000, past Python's calendar; the age is still exact."""
    age = Age.between(birth, on)
    assert age.years == pytest.approx(years)
    assert age.days == (on - birth).days


@given(birth=_ANY_DATE, days=st.integers(min_value=0, max_value=80_000))
def test_age_is_whole_years_plus_a_fraction(birth: date, days: int) -> None:
    """For every pair of dates Python can hold, the age is defined and grows with the date."""
    on = min(birth + timedelta(days=min(days, (date.max - birth).days)), date.max)
    age = Age.between(birth, on)
    whole = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    assert whole <= age.years < whole + 1
    assert age.days == (on - birth).days


def test_a_result_in_9999_with_a_birth_date_is_refused_by_age() -> None:
    """Issue 17: a result dated 9999-06-30 with a birth date crashed; now the age is refused."""
    case = {
        "patient": {"birth_date": "1980-01-01", "sex": "female"},
        "results": [{"test": "ALP", "value": 22, "unit": "U/L", "date": "9999-06-30"}],
    }
    with pytest.raises(InputError, match=r"^patient\.birth_date: gives an age of 8019 years"):
        interpret(parse_case(case), as_of=date(9999, 12, 31))


def test_a_result_on_the_last_day_of_the_calendar_is_interpreted() -> None:
    """A birth date and a result both in 9999 are a possible (if odd) case: it is answered."""
    case = {
        "patient": {"birth_date": "9960-03-01", "sex": "female"},
        "results": [{"test": "ALP", "value": 22, "unit": "U/L", "date": "9999-12-31"}],
    }
    result = interpret(parse_case(case), as_of=date(9999, 12, 31))
    assert result.alp is not None
    assert result.alp.status == "low"


_SURROGATE_CASE = (
    '{"patient": {"age_years": 46, "sex": "female"}, '
    '"results": [{"test": "ALP", "value": 22, "unit": "U/L"}], '
    '"medications": ["omeprazole", "\\ud800 20 mg"]}'
)


def test_a_lone_surrogate_is_refused_naming_its_field() -> None:
    """JSON can spell half a UTF-16 pair; it is refused where it is read, not when written."""
    with pytest.raises(InputError) as raised:
        load_json(_SURROGATE_CASE)
    assert raised.value.path == "medications[1]"
    assert "lone surrogate \\ud800" in raised.value.problem
    with pytest.raises(InputError, match=r"^medications\[1\]: holds a lone surrogate"):
        parse_case(json.loads(_SURROGATE_CASE))


def test_a_lone_surrogate_in_a_key_is_refused() -> None:
    """A key is text too: the error names where the key is."""
    with pytest.raises(InputError, match=r"^patient: holds a lone surrogate \\udfff"):
        load_json('{"patient": {"\\udfff": 1}}')


def test_a_surrogate_pair_is_text() -> None:
    """A proper pair (an emoji) is accepted and kept."""
    data = load_json('{"medications": ["\\ud83d\\udc8a omeprazole"]}')
    assert data["medications"][0] == "\U0001f48a omeprazole"


# Any character, with halves of UTF-16 pairs often enough to matter (as JSON "\\ud800" reads).
_TEXT = st.lists(
    st.characters() | st.integers(min_value=0xD800, max_value=0xDFFF).map(chr), max_size=6
).map("".join)
_JSON_LIKE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=20,
)


@given(_JSON_LIKE)
def test_a_lone_surrogate_is_refused_wherever_it_is(data: object) -> None:
    """Any JSON-like data is refused exactly when one of its texts (key or value) holds a lone
    surrogate, and the error names a path that holds one."""
    texts: list[tuple[str, str]] = []
    stack: list[tuple[object, str]] = [(data, "$")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            texts.append((value, where))
        elif isinstance(value, dict):
            for key, item in value.items():
                texts.append((key, where))
                stack.append((item, key if where in ("", "$") else f"{where}.{key}"))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{i}]") for i, item in enumerate(value))
    faulty = {where for text, where in texts if any(0xD800 <= ord(c) <= 0xDFFF for c in text)}
    if not faulty:
        refuse_lone_surrogates(data)
        return
    with pytest.raises(InputError) as raised:
        refuse_lone_surrogates(data)
    assert raised.value.path in faulty


def test_a_lone_surrogate_in_a_fhir_resource_is_refused_with_its_path() -> None:
    """The FHIR reader refuses it with the resource's path."""
    statement = {
        "resourceType": "MedicationStatement",
        "status": "active",
        "subject": {"reference": "Patient/p1"},
        "medicationCodeableConcept": {"text": "\ud800"},
    }
    with pytest.raises(InputError) as raised:
        validate_resource(statement, "entry[2].resource")
    assert raised.value.path == "entry[2].resource.medicationCodeableConcept.text"
