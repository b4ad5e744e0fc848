"""The OpenAPI document: FastAPI's, plus the case and Bundle schemas and the JWT scheme."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI  # noqa: TID253 - api only
from fastapi.openapi.utils import get_openapi  # noqa: TID253

from alkphos.model.schema import case_json_schema

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
