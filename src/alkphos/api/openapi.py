"""The OpenAPI document: FastAPI's, plus the case and Bundle schemas and the JWT scheme."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI  # noqa: TID253 - api only
from fastapi.openapi.utils import get_openapi  # noqa: TID253

from alkphos.model.schema import case_json_schema
from alkphos.web.examples import examples

__all__ = ["openapi_document"]

_FHIR_BUNDLE: dict[str, Any] = {
    "title": "FhirBundle",
    "description": "A FHIR R4 Bundle of Patient, Observation (LOINC, valueQuantity in UCUM), "
    "MedicationRequest/MedicationStatement (RxNorm or text) and Condition (SNOMED CT or "
    "ICD-10) resources; validated in full with the FHIR R4 models.",
    "type": "object",
    "required": ["resourceType", "type"],
    "properties": {
        "resourceType": {"const": "Bundle"},
        "type": {"enum": ["collection", "searchset", "transaction"]},
        "entry": {
            "type": "array",
            "items": {
                "type": "object",
                "description": "A Bundle entry.",
                "properties": {
                    "fullUrl": {"type": "string"},
                    "resource": {"type": "object", "description": "A FHIR R4 resource."},
                },
            },
        },
    },
}


# A smallest Bundle: a woman of 52 with one low ALP (LOINC 6768-6, UCUM U/L).
_BUNDLE_EXAMPLE: dict[str, Any] = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {
            "fullUrl": "urn:uuid:6f1d2a52-0000-4000-8000-000000000001",
            "resource": {
                "resourceType": "Patient",
                "id": "p1",
                "gender": "female",
                "birthDate": "1972-05-01",
            },
        },
        {
            "fullUrl": "urn:uuid:6f1d2a52-0000-4000-8000-000000000002",
            "resource": {
                "resourceType": "Observation",
                "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "6768-6"}]},
                "subject": {"reference": "Patient/p1"},
                "effectiveDateTime": "2025-01-20",
                "valueQuantity": {
                    "value": 24,
                    "unit": "U/L",
                    "system": "http://unitsofmeasure.org",
                    "code": "U/L",
                },
            },
        },
    ],
}


_OPERATION_OUTCOME: dict[str, Any] = {
    "title": "OperationOutcome",
    "description": "A FHIR R4 OperationOutcome: one issue per problem, its FHIRPath-like "
    "location in expression.",
    "type": "object",
    "required": ["resourceType", "issue"],
    "properties": {
        "resourceType": {"const": "OperationOutcome"},
        "issue": {"type": "array", "items": {"type": "object"}},
    },
}
_PROBLEM = {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}
_OUTCOME = {"schema": {"$ref": "#/components/schemas/OperationOutcome"}}


def _document_errors(paths: dict[str, Any]) -> None:
    """Every refusal alkphos words (401, 404, 405, 412, 413, 415, 422) is problem details; a
    refusal on the FHIR routes is an OperationOutcome."""
    for path, operations in paths.items():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if status not in ("401", "404", "405", "412", "413", "415", "422"):
                    continue
                if path.startswith("/v1/interpret/fhir") and status in ("404", "422"):
                    response["content"] = {"application/fhir+json": _OUTCOME}
                else:
                    response["content"] = {"application/problem+json": _PROBLEM}


def _add_examples(paths: dict[str, Any]) -> None:
    """Request examples: the page's worked cases for a case, a small Bundle for FHIR."""
    case_examples = {
        example.id: {"summary": example.title, "description": example.note, "value": example.case}
        for example in examples()
    }
    bundle_example = {"low-alp": {"summary": "One low ALP", "value": _BUNDLE_EXAMPLE}}
    for path, chosen in (("/v1/interpret", case_examples), ("/v1/interpret/fhir", bundle_example)):
        body = paths.get(path, {}).get("post", {}).get("requestBody", {})
        for content in body.get("content", {}).values():
            content["examples"] = chosen


def openapi_document(
    app: FastAPI, jwt: bool, service_ids: list[str], exempt: Callable[[str], bool]
) -> dict[str, Any]:
    """The OpenAPI document of ``app`` (built once, then cached on the app); with ``jwt``,
    the paths ``exempt`` names are marked as needing no token."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    case = json.loads(json.dumps(case_json_schema()).replace("#/$defs/", "#/components/schemas/"))
    for name, definition in case.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    case.pop("$schema", None)
    case.pop("$id", None)
    schemas["Case"] = case
    schemas["FhirBundle"] = _FHIR_BUNDLE
    schemas["OperationOutcome"] = _OPERATION_OUTCOME
    _add_examples(document["paths"])
    _document_errors(document["paths"])
    for path, operations in document["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "service_id" and path.startswith("/cds-services/"):
                    parameter["schema"] = {"type": "string", "enum": service_ids}
    if jwt:
        document["components"]["securitySchemes"] = {
            "cdsHooksJwt": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "A JWT signed by the CDS client (CDS Hooks 2.0 security); "
                "aud is the URL of the endpoint called.",
            }
        }
        document["security"] = [{"cdsHooksJwt": []}]
        for path, operations in document["paths"].items():
            if exempt(path):
                for operation in operations.values():
                    operation["security"] = []
    app.openapi_schema = document
    return document
