"""REST: the case and FHIR endpoints, the knowledge export, health, 413 and 422."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx
import pytest

from alkphos import InputError, interpret, parse_case
from tests.api.conftest import CASES
from tests.api.fhir_cases import bundle

EX01 = CASES["EX-01"]["case"]


def test_health_names_the_versions(api: Any) -> None:
    """/healthz answers ok with the alkphos and knowledge versions."""
    body = api.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["knowledge_version"].startswith("kb-")


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_interpret_gives_the_engines_answer(client: Any, case_id: str) -> None:
    """POST /v1/interpret returns exactly what interpret() returns for every example case."""
    case = CASES[case_id]["case"]
    response = client.post("/v1/interpret", json=case)
    assert response.status_code == 200
    assert response.json() == json.loads(interpret(case).model_dump_json())


def test_interpret_over_real_http(server: str) -> None:
    """The same through a real uvicorn server, with an explicit as_of."""
    response = httpx.post(f"{server}/v1/interpret?as_of=2017-01-01", json=EX01, timeout=30)
    assert response.status_code == 200
    assert response.json()["as_of"] == "2017-01-01"
    assert response.json()["alp"]["status"] == "low"


@pytest.mark.parametrize(
    "body",
    [
        {"patient": {"sex": "femal"}, "results": [{"test": "ALP", "value": 20}]},
        {"patient": {}, "results": [{"test": "ALP", "value": "high"}]},
        {"patient": {}, "results": []},
        {"patient": {}, "results": [{"test": "ALP", "value": 20, "unit": "IU/mL"}]},
        {"patient": {}, "results": [{"test": "ALP", "value": 20, "dose": 1}]},
        [1, 2],
    ],
)
def test_bad_case_is_422_in_the_words_of_the_cli(api: Any, body: Any) -> None:
    """422 carries the JSON path, the problem and what is accepted, as the CLI says them."""
    response = api.post("/v1/interpret?as_of=2024-01-01", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    try:
        interpret(parse_case(body), as_of=date(2024, 1, 1))
    except InputError as exc:
        expected = exc
    else:  # pragma: no cover - every body above is bad
        pytest.fail("the body was accepted by the engine")
    assert error["message"] == str(expected)
    assert (error["path"], error["problem"], error["accepted"]) == (
        expected.path,
        expected.problem,
        expected.accepted,
    )


def test_not_json_is_422(api: Any) -> None:
    """A body that is not JSON (or not UTF-8) is a 422 at '$'."""
    for content in (b"{not json", b"\xff\xfe"):
        response = api.post(
            "/v1/interpret", content=content, headers={"content-type": "application/json"}
        )
        assert response.status_code == 422
        assert response.json()["error"]["path"] == "$"


def test_body_over_one_megabyte_is_413(api: Any) -> None:
    """A body above 1 MB is refused with 413, with or without Content-Length."""
    big = b'{"patient": {}, "results": [], "pad": "' + b"x" * 1_000_100 + b'"}'
    response = api.post("/v1/interpret", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413

    def chunks() -> Any:
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    if isinstance(api, httpx.Client):  # a chunked upload: no Content-Length at all
        response = api.post(
            "/v1/interpret", content=chunks(), headers={"content-type": "application/json"}
        )
        assert response.status_code == 413


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_fhir_bundle_gives_the_same_interpretation(client: Any, case_id: str) -> None:
    """A Bundle made from a case is interpreted exactly like the case itself."""
    case = CASES[case_id]["case"]
    response = client.post("/v1/interpret/fhir", json=bundle(case))
    assert response.status_code == 200
    body = response.json()
    expected = json.loads(interpret(case).model_dump_json())
    for key in expected:
        # result labels are the FHIR names, not the case's; the inputs echo what was given
        # (a birthDate, not age_years; medicine names as coded), checked below
        if key not in ("results", "inputs"):
            assert body[key] == expected[key], key
    given, read = expected["inputs"], body["inputs"]
    assert (read["sex"], read["setting"]) == (given["sex"], given["setting"])
    if given["age_years"] is not None:
        assert abs(read["age_years"] - given["age_years"]) < 2 / 365.25
    assert len(read["medications"]) == len(given["medications"])


@pytest.mark.parametrize("kind", ["searchset", "transaction"])
def test_other_bundle_types_are_read(api: Any, kind: str) -> None:
    """searchset and transaction Bundles are read like a collection."""
    response = api.post("/v1/interpret/fhir", json=bundle(EX01, bundle_type=kind))
    assert response.status_code == 200
    assert response.json()["alp"]["value"] == 23


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda b: b.update(type="history"), "type"),
        (lambda b: b.update(resourceType="Patient"), "$"),
        (
            lambda b: b["entry"][1]["resource"]["valueQuantity"].update(value="abc"),
            "entry[1].resource.valueQuantity.value",
        ),
        (lambda b: b["entry"][1]["resource"].pop("status"), "entry[1].resource.status"),
        (
            lambda b: b["entry"][2]["resource"].update(resourceType="Nonsense"),
            "entry[2].resource.resourceType",
        ),
        (
            lambda b: b["entry"][1]["resource"]["valueQuantity"].update(code="IU/mL", unit="IU/mL"),
            "entry[1].resource.valueQuantity",
        ),
    ],
)
def test_bad_fhir_is_422_naming_the_fhir_path(api: Any, change: Any, path: str) -> None:
    """Invalid FHIR, or a value the engine refuses, is a 422 whose path points into the Bundle,
    as a FHIR OperationOutcome (issue 16 item 6)."""
    from fhir.resources.R4B.operationoutcome import OperationOutcome

    document = bundle(EX01)
    change(document)
    response = api.post("/v1/interpret/fhir", json=document)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    outcome = OperationOutcome.model_validate(response.json())
    assert outcome.issue[0].expression == [path]
    assert all(issue.severity == "error" for issue in outcome.issue)


def test_fhir_output_validates_and_codes_the_status(api: Any) -> None:
    """?output=fhir gives a valid Bundle: report, ALP Observation (L), one issue per flag."""
    from fhir.resources.R4B.bundle import Bundle

    response = api.post("/v1/interpret/fhir?output=fhir", json=bundle(EX01))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    document = response.json()
    Bundle.model_validate(document)
    kinds = [entry["resource"]["resourceType"] for entry in document["entry"]]
    result = interpret(EX01)
    serious = [flag for flag in result.flags if flag.severity != "info"]
    assert kinds == ["DiagnosticReport", "Observation"] + ["DetectedIssue"] * len(serious)
    report, observation = (entry["resource"] for entry in document["entry"][:2])
    assert report["conclusion"] == result.summary.clinician
    assert report["conclusionCode"][0]["coding"][0]["code"] == "hypophosphatasia"
    assert report["subject"] == {"reference": "Patient/p1"}
    assert observation["interpretation"][0]["coding"][0]["code"] == "L"
    assert observation["referenceRange"][0]["low"]["value"] == 40
    assert observation["valueQuantity"] == {
        "value": 23.0,
        "unit": "U/L",
        "system": "http://unitsofmeasure.org",
        "code": "U/L",
    }
    issues = {e["resource"]["code"]["coding"][0]["code"] for e in document["entry"][2:]}
    assert issues == {flag.id for flag in serious}


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_fhir_output_is_a_valid_bundle_for_every_golden_case(client: Any, case_id: str) -> None:
    """The service does not re-validate its own Bundle on every call: this does, for each
    golden case, with fhir.resources."""
    from fhir.resources.R4B.bundle import Bundle

    response = client.post("/v1/interpret/fhir?output=fhir", json=bundle(CASES[case_id]["case"]))
    assert response.status_code == 200, response.text
    Bundle.model_validate(response.json())


@pytest.mark.parametrize(("case_id", "code"), [("EX-04", "LL"), ("EX-05", "H"), ("EX-09", "N")])
def test_fhir_output_interpretation_codes(client: Any, case_id: str, code: str) -> None:
    """Low with a critical flag is LL; high is H; normal is N."""
    from fhir.resources.R4B.bundle import Bundle

    response = client.post("/v1/interpret/fhir?output=fhir", json=bundle(CASES[case_id]["case"]))
    document = response.json()
    Bundle.model_validate(document)
    observation = document["entry"][1]["resource"]
    assert observation["interpretation"][0]["coding"][0]["code"] == code


def test_fhir_output_is_deterministic(client: Any) -> None:
    """The same Bundle in gives the same Bundle out, byte for byte."""
    first = client.post("/v1/interpret/fhir?output=fhir", json=bundle(EX01)).content
    second = client.post("/v1/interpret/fhir?output=fhir", json=bundle(EX01)).content
    assert first == second


def test_knowledge_export(api: Any) -> None:
    """/v1/knowledge is the knowledge export, citations included."""
    from alkphos import load_knowledge
    from alkphos.knowledge.export import export_knowledge

    body = api.get("/v1/knowledge").json()
    assert body == json.loads(json.dumps(export_knowledge(load_knowledge())))


def test_openapi_names_and_documents_every_schema(api: Any) -> None:
    """Every schema of /openapi.json has a name and a description."""
    document = api.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    for name in ("Case", "FhirBundle", "Interpretation", "CdsRequest", "Card", "ErrorResponse"):
        assert name in schemas
    undocumented = [name for name, schema in schemas.items() if not schema.get("description")]
    assert undocumented == []


def test_unknown_link_is_404(api: Any) -> None:
    """A link id nobody issued is a 404."""
    assert api.get("/interpretations/" + "0" * 32).status_code == 404


@pytest.mark.parametrize("alp", [5e-324, 0.0, 1e-300, 1e308, 1.7976931348623157e308])
@pytest.mark.parametrize("route", ["/v1/interpret", "/v1/interpret/fhir"])
def test_any_finite_number_is_an_answer_or_a_422(client: Any, route: str, alp: float) -> None:
    """Underflowing and overflowing values never reach the service as a 500."""
    case = {
        "patient": {"age_years": 40, "sex": "male"},
        "results": [
            {"test": "ALP", "value": alp, "unit": "U/L", "date": "2024-01-02"},
            {"test": "ALT", "value": 500, "unit": "U/L", "date": "2024-01-02"},
        ],
    }
    body = case if route == "/v1/interpret" else bundle(case)
    response = client.post(f"{route}?as_of=2024-01-10", json=body)
    assert response.status_code in (200, 422), response.text


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_a_non_finite_number_is_a_422(client: Any, token: str) -> None:
    """A NaN or infinite value (JSON extensions some clients send) is refused, not read."""
    text = (
        '{"patient": {"age_years": 40}, "results": [{"test": "ALP", "value": 22, '
        f'"reference_low": {token}, "date": "2024-01-02"}}]}}'
    )
    response = client.post(
        "/v1/interpret?as_of=2024-01-10",
        content=text,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("as_of", ["0.0", "1700000000", "2024-13-01", "yesterday"])
def test_as_of_is_a_calendar_date_only(client: Any, as_of: str) -> None:
    """A number is not read as Unix time (schemathesis found as_of=0.0 read as 1970-01-01)."""
    response = client.post(f"/v1/interpret?as_of={as_of}", json=EX01)
    assert response.status_code == 422, response.text


def test_an_unknown_route_is_problem_details(api: Any) -> None:
    """Issue 16 item 6: a 404 is RFC 9457 problem details like every other error."""
    response = api.get("/v1/no-such-route")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 404
    assert body["title"] == "Not found"
    assert body["errors"][0]["path"] == "$"
