"""The case model: the shipped JSON Schema is generated from it and matches the contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from alkphos import Case, InputError, parse_case
from alkphos.model.schema import case_json_schema
from tests.conftest import golden_cases

ROOT = Path(__file__).parent.parent
SHIPPED = json.loads((ROOT / "schemas" / "case.schema.json").read_text(encoding="utf-8"))
CONTRACT = json.loads(
    (ROOT / "tests" / "golden" / "contract-case.schema.json").read_text(encoding="utf-8")
)


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=FormatChecker())


def test_shipped_schema_is_generated_from_the_model() -> None:
    """schemas/case.schema.json is exactly what the model generates (run `alkphos schema`)."""
    assert case_json_schema() == SHIPPED


@pytest.mark.parametrize("example", golden_cases(), ids=lambda c: c["id"])
def test_every_example_is_valid(example: dict[str, Any]) -> None:
    """Every worked case is valid for the model, the shipped schema and the contract schema."""
    parse_case(example["case"])
    _validator(SHIPPED).validate(example["case"])
    _validator(CONTRACT).validate(example["case"])


INVALID = [
    {"patient": {}},
    {"results": [{"test": "ALP", "value": 1}]},
    {"patient": {}, "results": []},
    {"patient": {}, "results": [{"test": "ALP"}]},
    {"patient": {}, "results": [{"value": 3}]},
    {"patient": {}, "results": [{"test": "ALP", "value": "3"}]},
    {"patient": {"sex": "other"}, "results": [{"test": "ALP", "value": 3}]},
    {"patient": {"age_years": 131}, "results": [{"test": "ALP", "value": 3}]},
    {"patient": {"age_years": -1}, "results": [{"test": "ALP", "value": 3}]},
    {"patient": {"pregnancy_weeks": 46}, "results": [{"test": "ALP", "value": 3}]},
    {"patient": {"postpartum_weeks": -2}, "results": [{"test": "ALP", "value": 3}]},
    {"patient": {"age_years": None}, "results": [{"test": "ALP", "value": 3}]},
    {"patient": {}, "results": [{"test": "ALP", "value": 3, "extra": 1}]},
    {"patient": {}, "results": [{"test": "ALP", "value": 3}], "notes": "x"},
    {"patient": {}, "results": [{"test": "ALP", "value": 3}], "medications": [1]},
    {"patient": {}, "results": [{"test": "ALP", "value": 3, "fasting": "yes"}]},
]


@pytest.mark.parametrize("document", INVALID)
def test_invalid_documents_are_refused_by_all(document: dict[str, Any]) -> None:
    """The model, the shipped schema and the contract agree on what is invalid."""
    with pytest.raises(InputError):
        parse_case(document)
    assert not _validator(SHIPPED).is_valid(document)
    assert not _validator(CONTRACT).is_valid(document)


_results = st.lists(
    st.fixed_dictionaries(
        {"test": st.sampled_from(["ALP", "GGT", "6768-6"]), "value": st.floats(0, 1e4)},
        optional={
            "unit": st.sampled_from(["U/L", "IU/L"]),
            "date": st.dates().map(lambda d: d.isoformat()),
            "reference_low": st.floats(0, 50),
            "reference_high": st.floats(50, 500),
            "fasting": st.booleans(),
        },
    ),
    min_size=1,
    max_size=4,
)
_patients = st.fixed_dictionaries(
    {},
    optional={
        "age_years": st.floats(0, 130),
        "sex": st.sampled_from(["female", "unknown"]),
        "pregnancy_weeks": st.one_of(st.none(), st.floats(0, 45)),
        "postpartum_weeks": st.one_of(st.none(), st.floats(0, 100)),
    },
)


@given(patient=_patients, results=_results)
def test_valid_documents_are_accepted_by_all(
    patient: dict[str, Any], results: list[dict[str, Any]]
) -> None:
    """Any document the contract accepts, the model and the shipped schema accept too."""
    document = {"patient": patient, "results": results}
    assert _validator(CONTRACT).is_valid(document)
    assert _validator(SHIPPED).is_valid(document)
    assert isinstance(parse_case(document), Case)


def test_model_is_frozen() -> None:
    """A parsed case cannot be changed."""
    parsed = parse_case({"patient": {}, "results": [{"test": "ALP", "value": 3}]})
    with pytest.raises(ValueError, match="frozen"):
        parsed.patient.sex = "female"  # type: ignore[misc]
