"""The JSON Schema of the case input, generated from the pydantic model."""

from __future__ import annotations

from typing import Any

from alkphos.model.case import Case, LabResult, Patient

__all__ = ["case_json_schema"]


def _drop_null(schema: dict[str, Any], keep: frozenset[str]) -> None:
    for name, prop in schema.get("properties", {}).items():
        options = prop.get("anyOf")
        if name in keep or not options:
            continue
        rest = [option for option in options if option.get("type") != "null"]
        if len(rest) == 1:
            del prop["anyOf"]
            prop.update(rest[0])
        prop.pop("default", None)


def case_json_schema() -> dict[str, Any]:
    """The case schema (JSON Schema 2020-12): optional fields may be absent, not null."""
    schema = Case.model_json_schema()
    _drop_null(schema, Case.NULLABLE)
    definitions = schema.get("$defs", {})
    for model in (Patient, LabResult):
        if model.__name__ in definitions:
            _drop_null(definitions[model.__name__], model.NULLABLE)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "alkphos/case.schema.json",
        **schema,
    }
