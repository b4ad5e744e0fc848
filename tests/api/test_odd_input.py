"""Odd input over HTTP gives a 4xx or an answer, never a 500, and stores nothing bad."""

from __future__ import annotations

from typing import Any

import pytest

MEDICATION = '"\\ud800 omeprazole"'
CASE = (
    '{"patient": {"age_years": 46, "sex": "female"}, '
    '"results": [{"test": "ALP", "value": 22, "unit": "U/L", "date": "2025-01-20"}], '
    f'"medications": [{MEDICATION}]}}'
)


def test_a_lone_surrogate_in_a_case_is_422(api: Any) -> None:
    """Issue 17: "\\ud800" in a medication was a 500 (the answer could not be written)."""
    response = api.post("/v1/interpret", content=CASE, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"]["path"] == "medications[0]"


def test_a_pasted_lone_surrogate_is_refused_beside_the_box_and_not_stored(api: Any) -> None:
    """A pasted one stored a link that could never be shown (500 on every visit)."""
    response = api.post("/interpret/paste", data={"document": CASE}, follow_redirects=False)
    assert response.status_code == 422
    assert "medications[0]: holds a lone surrogate" in response.text
    assert "location" not in response.headers


@pytest.mark.parametrize(
    "birth",
    ["1980-01-01", "0001-01-01"],
)
def test_a_result_dated_9999_with_a_birth_date_is_422(api: Any, birth: str) -> None:
    """Issue 17: a result dated 9999-06-30 with a birth date was a 500 (year 10000)."""
    case = {
        "patient": {"birth_date": birth, "sex": "female"},
        "results": [{"test": "ALP", "value": 22, "unit": "U/L", "date": "9999-06-30"}],
    }
    response = api.post("/v1/interpret", json=case)
    assert response.status_code == 422
    assert response.json()["error"]["path"] == "patient.birth_date"
