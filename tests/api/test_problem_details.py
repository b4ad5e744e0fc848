"""API errors as the web expects (issue 16, item 6): RFC 9457 problem details with every
problem found and its JSON path, suggestions for near misses of enumerated fields and for
numbers sent as strings, a 422 for a misspelt ALP, the command line's one line unchanged."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

ALP = {"test": "ALP", "value": 30, "date": "2025-01-02"}


def _problem(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"] == "about:blank"
    assert body["status"] == 422
    assert body["title"]
    assert body["detail"]
    assert body["error"] == body["errors"][0]
    return body


def test_every_problem_in_one_response(api: Any) -> None:
    case = {
        "patient": {"sex": "F", "age_years": "58"},
        "results": [ALP, {"test": "GGT", "value": "high"}],
        "setting": "ward",
    }
    body = _problem(api.post("/v1/interpret", json=case))
    by_path = {error["path"]: error for error in body["errors"]}
    assert set(by_path) == {"patient.sex", "patient.age_years", "results[1].value", "setting"}
    assert by_path["patient.sex"]["suggestion"] == "female"
    assert by_path["patient.age_years"]["suggestion"] == "58"
    assert by_path["results[1].value"]["suggestion"] is None
    assert all(error["message"].startswith(error["path"] + ": ") for error in body["errors"])


def test_a_misspelt_alp_is_a_422_with_the_name_meant(api: Any) -> None:
    """A misspelt ALP without any ALP result: a 422 with the name meant, not 'alp: null'."""
    case = {"patient": {"age_years": 50}, "results": [dict(ALP, test="alk phosphatse")]}
    body = _problem(api.post("/v1/interpret", json=case))
    assert body["error"]["path"] == "results[0].test"
    assert body["error"]["suggestion"] == "Alk phosphatase"
    # with an ALP present, an unknown other test is set aside as before
    fine = {"patient": {"age_years": 50}, "results": [ALP, dict(ALP, test="alk phosphatse")]}
    assert api.post("/v1/interpret", json=fine).status_code == 200


def test_a_unit_of_another_kind_gets_no_lookalike_suggestion(api: Any) -> None:
    """mg/dL for ALP is a real unit of another kind: no 'did you mean mU/mL'."""
    case = {"patient": {"age_years": 50}, "results": [dict(ALP, unit="mg/dL")]}
    body = _problem(api.post("/v1/interpret", json=case))
    assert body["error"]["path"] == "results[0].unit"
    assert body["error"]["suggestion"] is None
    near = {"patient": {"age_years": 50}, "results": [dict(ALP, unit="IU/mL")]}
    assert _problem(api.post("/v1/interpret", json=near))["error"]["suggestion"] == "IU/L"


def test_the_command_line_still_says_one_line() -> None:
    case = {"patient": {"sex": "F", "age_years": "58"}, "results": [ALP]}
    done = subprocess.run(
        [sys.executable, "-m", "alkphos", "interpret", "-"],
        input=json.dumps(case),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith("error: patient.")


def test_the_openapi_request_examples_are_interpreted(api: Any) -> None:
    """Issue 16 item 7: the OpenAPI carries request examples, and each one is answered."""
    paths = api.get("/openapi.json").json()["paths"]
    for path in ("/v1/interpret", "/v1/interpret/fhir"):
        content = paths[path]["post"]["requestBody"]["content"]
        for media in content.values():
            assert media["examples"], (path, media)
            for name, example in media["examples"].items():
                response = api.post(path, json=example["value"])
                assert response.status_code == 200, (path, name, response.text)
                assert response.json()["alp"] is not None
