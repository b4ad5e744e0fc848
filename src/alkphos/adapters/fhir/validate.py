"""Validate FHIR R4 JSON with fhir.resources (R4B models) and report problems by JSON path.

A Bundle (collection, searchset or transaction) or a CDS Hooks prefetch object becomes a
list of ``Entry``: each resource validated in full, then read as alkphos reads it
(``light``), with the JSON path it came from. Anything that is not valid FHIR raises
``InputError`` naming the path, e.g.
``entry[2].resource.valueQuantity.value: not a valid FHIR decimal: "abc" (a JSON number)``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fhir.resources.R4B import get_fhir_model_class  # noqa: TID253 - shell-only module
from fhir_core.fhirabstractmodel import FHIRAbstractModel
from pydantic import ValidationError

from alkphos.adapters.fhir.light import STRICT_TYPES, Entry, light_resource
from alkphos.adapters.text import refuse_lone_surrogates
from alkphos.errors import InputError, closest

__all__ = ["BUNDLE_TYPES", "Entry", "bundle_entries", "prefetch_entries", "validate_resource"]

BUNDLE_TYPES = ("collection", "searchset", "transaction")


def _join(path: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{path}[{part}]"
    return f"{path}.{part}" if path and path != "$" else part


def validate_resource(data: Any, path: str) -> FHIRAbstractModel:
    """Validate one resource (any R4 type) and return its model."""
    if not isinstance(data, dict):
        raise InputError(path, "a resource must be a JSON object", "a FHIR R4 resource")
    refuse_lone_surrogates(data, path)
    kind = data.get("resourceType")
    if not isinstance(kind, str) or not kind:
        raise InputError(
            _join(path, "resourceType"), "required field is missing", "a FHIR resource type"
        )
    try:
        model = get_fhir_model_class(kind)
    except ValueError:
        raise InputError(
            _join(path, "resourceType"),
            f"unknown resource type {json.dumps(kind)}",
            "a FHIR R4 resource type such as Patient or Observation",
        ) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _input_error(exc, path, kind) from None
    except (KeyError, TypeError, ValueError) as exc:  # fhir.resources raises these on odd input
        raise InputError(path, f"not a valid FHIR {kind}: {type(exc).__name__}", "") from None


def bundle_entries(data: Any, path: str = "$", any_type: bool = False) -> list[Entry]:
    """Validate a Bundle and return its resources in order.

    Args:
        data: parsed JSON of the Bundle.
        path: JSON path of the Bundle, for error messages.
        any_type: accept any Bundle type (prefetch search results), not only the three a
            caller may send.
    """
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        found = data.get("resourceType") if isinstance(data, dict) else None
        problem = f"not a Bundle ({json.dumps(found)})" if found else "not a FHIR Bundle"
        raise InputError(path, problem, 'a FHIR R4 Bundle: {"resourceType": "Bundle", ...}')
    kind = data.get("type")
    if not any_type and kind not in BUNDLE_TYPES:
        raise InputError(
            _join(path, "type"),
            f"{json.dumps(kind)} is not accepted",
            ", ".join(BUNDLE_TYPES),
            suggestion=closest(kind, BUNDLE_TYPES) if isinstance(kind, str) else None,
        )
    raw_entries = data.get("entry", [])
    if not isinstance(raw_entries, list):
        raise InputError(_join(path, "entry"), "not an array", "a JSON array of entries")
    shell = {key: value for key, value in data.items() if key != "entry"}
    validate_resource(shell, path)
    entries: list[Entry] = []
    for index, raw in enumerate(raw_entries):
        where = _join(_join(path, "entry"), index)
        if not isinstance(raw, dict):
            raise InputError(where, "an entry must be a JSON object", '{"resource": {...}}')
        resource = raw.get("resource")
        if resource is None:
            continue  # e.g. a transaction DELETE: nothing to read
        full_url = raw.get("fullUrl") if isinstance(raw.get("fullUrl"), str) else None
        where = _join(where, "resource")
        model = validate_resource(resource, where)
        read = model if model.get_resource_type() in STRICT_TYPES else None
        entries.append(Entry(where, read or light_resource(resource, where), full_url))
    return entries


def prefetch_entries(prefetch: Mapping[str, Any], path: str = "prefetch") -> list[Entry]:
    """Every resource of a CDS Hooks prefetch object: single resources and search Bundles."""
    entries: list[Entry] = []
    for key, value in prefetch.items():
        where = _join(path, key)
        if value is None:
            continue  # the EHR had no data for this template
        if isinstance(value, dict) and value.get("resourceType") == "Bundle":
            entries.extend(bundle_entries(value, where, any_type=True))
        else:
            model = validate_resource(value, where)
            read = model if model.get_resource_type() in STRICT_TYPES else None
            entries.append(Entry(where, read or light_resource(value, where)))
    return entries


def _input_error(exc: ValidationError, path: str, kind: str) -> InputError:
    error = exc.errors(include_url=False)[0]
    where = path
    for part in error["loc"]:
        if isinstance(part, int | str):
            where = _join(where, part)
    value = error.get("input")
    field = error["loc"][-1] if error["loc"] else ""
    if error["type"] in ("missing", "model_field_validation.missing"):
        return InputError(where, "required field is missing", f"FHIR R4 {kind} requires it")
    if error["type"] == "extra_forbidden":
        return InputError(
            where, f"unknown field '{field}'", f"a field of the FHIR R4 {kind} resource"
        )
    shown = json.dumps(value, default=str)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    reason = str(error.get("msg", "")).removeprefix("Value error, ").rstrip(".")
    return InputError(where, f"not valid FHIR: {shown}", reason or f"see the FHIR R4 {kind}")
