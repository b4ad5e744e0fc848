"""Read a case from JSON text or a parsed object, with one clear error on bad input.

Every problem becomes an ``InputError`` whose message is
``<json path>: <what is wrong> (<what is accepted>)``, with a "did you mean" where a close
match exists, e.g. ``patient.sex: 'femal' is not accepted (female, male, unknown); did you
mean 'female'?``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from pydantic import ValidationError

from alkphos.adapters.text import refuse_lone_surrogates
from alkphos.errors import InputError, InputErrors, closest
from alkphos.model.case import Case, LabResult, Patient

__all__ = ["load_json", "parse_case", "read_case_text"]

_FIELDS: dict[str, list[str]] = {
    "": list(Case.model_fields),
    "patient": list(Patient.model_fields),
    "results": list(LabResult.model_fields),
}


def load_json(text: str) -> Any:
    """Parse JSON text (``InputError`` with the line and column when it is not JSON)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            "$", f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", "a JSON object"
        ) from None
    refuse_lone_surrogates(data)
    return data


def read_case_text(text: str) -> Case:
    """Parse JSON text into a case."""
    return parse_case(load_json(text))


def parse_case(data: Any) -> Case:
    """Validate a parsed JSON object as a case."""
    if isinstance(data, Case):
        return data
    if not isinstance(data, dict):
        raise InputError("$", f"a case must be a JSON object, not {_json_type(data)}", "an object")
    refuse_lone_surrogates(data)
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        raise _input_errors(exc) from None


def _path(location: tuple[int | str, ...]) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "$"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _section(location: tuple[int | str, ...]) -> str:
    named = [part for part in location[:-1] if isinstance(part, str)]
    return named[0] if named else ""


def _input_errors(exc: ValidationError) -> InputErrors:
    """Every problem of a validation error, the most telling first: an unknown field usually
    explains a missing one (a misspelt name)."""
    errors = exc.errors(include_url=False)
    ordered = sorted(errors, key=lambda e: e["type"] != "extra_forbidden")
    found = list(dict.fromkeys(_input_error(error) for error in ordered))
    return InputErrors(found)


def _number_in(value: Any) -> str | None:
    """The number a string holds ("58" -> '58'), to suggest sending it as a JSON number."""
    if not isinstance(value, str):
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return f"{number:g}" if math.isfinite(number) else None


def _option_meant(value: str, options: list[str]) -> str | None:
    """The option a near miss means: the only one it begins ('F' -> 'female'), else the
    closest spelling."""
    starting = [o for o in options if value.strip() and o.lower().startswith(value.strip().lower())]
    return starting[0] if len(starting) == 1 else closest(value, options)


def _input_error(error: Any) -> InputError:
    location = tuple(error["loc"])
    path = _path(location)
    kind = error["type"]
    value = error.get("input")
    context = error.get("ctx") or {}
    field = location[-1] if location else ""
    if kind == "missing":
        return InputError(path, "required field is missing", _required(location))
    if kind == "extra_forbidden":
        allowed = _FIELDS.get(_section(location), [])
        return InputError(
            path,
            f"unknown field '{field}'",
            "accepted: " + ", ".join(allowed),
            suggestion=closest(str(field), allowed),
        )
    if kind in ("float_type", "int_type", "float_parsing"):
        return InputError(
            path,
            f"not a number: {json.dumps(value)}",
            "a JSON number, e.g. 42",
            suggestion=_number_in(value),
        )
    if kind in ("string_type",):
        return InputError(path, f"not a string: {json.dumps(value)}", "a JSON string")
    if kind in ("bool_type",):
        return InputError(path, f"not a boolean: {json.dumps(value)}", "true or false")
    if kind in ("list_type",):
        return InputError(path, f"not an array: {json.dumps(value)}", "a JSON array")
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return InputError(path, f"not an object: {json.dumps(value)}", "a JSON object")
    if kind == "too_short":
        return InputError(path, "is empty", "at least one item")
    if kind == "string_too_short":
        return InputError(path, "is empty", "a non-empty string")
    if kind == "literal_error":
        options = [o.strip(" '") for o in str(context.get("expected", "")).split(" or ")]
        options = [part.strip("'") for option in options for part in option.split(", ")]
        return InputError(
            path,
            f"{json.dumps(value)} is not accepted",
            ", ".join(options),
            suggestion=_option_meant(value, options) if isinstance(value, str) else None,
        )
    if kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        limit = next(iter(context.values()), "")
        bound = f"{limit:g}" if isinstance(limit, int | float) else str(limit)
        words = {
            "less_than_equal": f"at most {bound}",
            "greater_than_equal": f"at least {bound}",
            "less_than": f"below {bound}",
            "greater_than": f"above {bound}",
        }[kind]
        what = "age" if field == "age_years" else str(field).replace("_", " ")
        return InputError(path, f"{what} {json.dumps(value)} is out of range", words)
    if kind == "value_error":
        message = str(context.get("error", error["msg"]))
        if field in ("date", "birth_date"):
            return InputError(
                path,
                f"not a date: {json.dumps(value)}",
                "an ISO 8601 date such as 2024-05-31 or date-time 2024-05-31T08:30:00",
            )
        if message.startswith("null is not accepted for "):
            name = message.removeprefix("null is not accepted for ")
            return InputError(
                f"{path}.{name}" if path != "$" else name,
                "null is not accepted",
                "leave the field out, or give a value",
            )
        if "pregnancy_weeks" in message or "postpartum_weeks" in message:
            name = "pregnancy_weeks" if "pregnancy_weeks" in message else "postpartum_weeks"
            return InputError(
                f"{path}.{name}" if path != "$" else name,
                f"{name} is given for a male patient",
                "only for a female patient or one of unknown sex",
            )
        return InputError(path, message, "")
    return InputError(path, str(error["msg"]).lower(), "")


def _required(location: tuple[int | str, ...]) -> str:
    field = location[-1] if location else ""
    if field == "results":
        return "an array of results, each with at least test and value"
    if field == "patient":
        return 'an object, e.g. {"age_years": 40, "sex": "female"}'
    if field in ("test", "value"):
        return "every result needs test and value"
    return "see case.schema.json"
