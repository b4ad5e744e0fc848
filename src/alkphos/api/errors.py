"""Exception handlers: bad input is a 422 naming the JSON path; nothing a client sends is a 500."""

from __future__ import annotations

import json
import logging
import re
import traceback
from typing import Any

from fastapi import FastAPI, Request  # noqa: TID253 - api only
from fastapi.exceptions import RequestValidationError  # noqa: TID253
from fastapi.responses import JSONResponse  # noqa: TID253
from starlette.exceptions import HTTPException  # noqa: TID253

from alkphos.api.pdfs import PdfBusy
from alkphos.api.quota import QuotaExceeded
from alkphos.api.schemas import ErrorDetail, ErrorResponse
from alkphos.errors import InputError, InputErrors, closest

__all__ = ["PROBLEM_JSON", "error_response", "install_handlers", "validation_error"]

PROBLEM_JSON = "application/problem+json"
FHIR_JSON = "application/fhir+json"
_TITLES = {
    404: "Not found",
    405: "Method not allowed",
    413: "The request body is too large",
    415: "Unsupported media type",
    422: "The request cannot be interpreted",
}

logger = logging.getLogger("alkphos.api")

_WORDS = {
    "missing": ("required field is missing", "see the request schema"),
    "extra_forbidden": ("unknown field", "see the request schema"),
    "string_type": ("not a string", "a JSON string"),
    "dict_type": ("not an object", "a JSON object"),
    "model_type": ("not an object", "a JSON object"),
    "list_type": ("not an array", "a JSON array"),
    "bool_type": ("not a boolean", "true or false"),
    "int_type": ("not an integer", "a JSON integer"),
    "json_invalid": ("not JSON", "a JSON document"),
}


def _detail(error: InputError) -> ErrorDetail:
    return ErrorDetail(
        path=error.path or "$",
        problem=error.problem,
        accepted=error.accepted,
        suggestion=error.suggestion,
        message=str(error),
    )


def _all(error: InputError) -> list[InputError]:
    return list(error.errors) if isinstance(error, InputErrors) else [error]


def error_response(
    status: int,
    error: InputError,
    headers: dict[str, str] | None = None,
    *,
    fhir: bool = False,
) -> JSONResponse:
    """An RFC 9457 problem details body (``application/problem+json``) listing every problem
    found, each with its JSON path; ``error`` repeats the first, as before. On the FHIR
    routes (``fhir``), a FHIR R4 OperationOutcome with one issue per problem."""
    found = _all(error)
    if fhir:
        outcome = {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "error",
                    "code": "too-costly" if status == 413 else "invalid",
                    "diagnostics": str(item),
                    "expression": [item.path or "$"],
                }
                for item in found
            ],
        }
        return JSONResponse(outcome, status_code=status, headers=headers, media_type=FHIR_JSON)
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _TITLES.get(status, "The request cannot be served"),
        "status": status,
        "detail": str(found[0]) if len(found) == 1 else f"{len(found)} problems: {found[0]}; ...",
        "errors": [_detail(item).model_dump() for item in found],
    }
    body.update(ErrorResponse(error=_detail(found[0])).model_dump())
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _is_fhir(request: Request) -> bool:
    return request.url.path.startswith("/v1/interpret/fhir")


def validation_error(exc: RequestValidationError) -> InputError:
    """Every problem of a FastAPI validation error, as one ``InputErrors``."""
    errors = exc.errors() or [{"loc": (), "type": "", "msg": "invalid"}]
    return InputErrors([_one(error) for error in errors])


def _one(first: dict[str, Any]) -> InputError:
    """One problem of a FastAPI validation error as an ``InputError``."""
    if first.get("type") == "json_invalid":
        return _not_json(first)
    parts = [p for p in first.get("loc", ()) if p not in ("body", "query", "path")]
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    kind = str(first.get("type", ""))
    problem, accepted = _WORDS.get(kind, (str(first.get("msg", "invalid")).lower(), ""))
    if kind == "extra_forbidden" and parts:
        problem = f"unknown field '{parts[-1]}'"
    if kind == "value_error":
        problem = str(first.get("ctx", {}).get("error", first.get("msg", "invalid")))
    suggestion = None
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", str(first.get("ctx", {}).get("expected", "")))
        value = first.get("input")
        problem = f"{json.dumps(value, default=str)} is not accepted"
        accepted = ", ".join(options)
        suggestion = closest(value, options) if isinstance(value, str) else None
    return InputError(path or "$", problem, accepted, suggestion)


def _not_json(error: dict[str, Any]) -> InputError:
    """FastAPI puts the character offset of a JSON syntax error where a path goes."""
    where = [p for p in error.get("loc", ()) if isinstance(p, int)]
    reason = str(error.get("ctx", {}).get("error", "")) or "not JSON"
    at = f" at character {where[0] + 1}" if where else ""
    return InputError("$", f"not JSON: {reason}{at}", "a JSON document")


def install_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> JSONResponse:
        return error_response(422, exc, fhir=_is_fhir(request))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, validation_error(exc), fhir=_is_fhir(request))

    @app.exception_handler(RecursionError)
    async def _deep(request: Request, exc: RecursionError) -> JSONResponse:
        return error_response(
            422,
            InputError("$", "nested too deeply", "ordinary FHIR or JSON"),
            fhir=_is_fhir(request),
        )

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError) -> JSONResponse:
        # A date near year 1 or 9999 overflows date arithmetic in the rules: the client's
        # input, so a 422; logged, as the engine should have refused it itself.
        frames = "".join(traceback.format_tb(exc.__traceback__)[-3:])
        logger.warning("input out of range (OverflowError) on %s\n%s", request.method, frames)
        return error_response(
            422,
            InputError(
                "$", "a date or number is out of range", "dates from 1900 on; finite values"
            ),
        )

    @app.exception_handler(QuotaExceeded)
    async def _quota(request: Request, exc: QuotaExceeded) -> JSONResponse:
        accepted = "a smaller case" if exc.status == 413 else "fewer cases; try again later"
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        return error_response(exc.status, InputError("$", exc.problem, accepted), headers)

    @app.exception_handler(PdfBusy)
    async def _pdf_busy(request: Request, exc: PdfBusy) -> JSONResponse:
        error = InputError("$", "every PDF worker is busy", "a request a few seconds later")
        return error_response(503, error, {"Retry-After": str(exc.retry_after)})

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI's answer to a body it cannot decode
            return error_response(
                422, InputError("$", "the body cannot be read as JSON", "a UTF-8 JSON document")
            )
        problem = str(exc.detail) if exc.detail else "error"
        return error_response(  # problem details too (a 404, a 405), as every other error
            exc.status_code,
            InputError("$", problem),
            getattr(exc, "headers", None),
            fhir=_is_fhir(request),
        )
