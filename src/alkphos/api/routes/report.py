"""REST: interpret a lab report as it is held: pasted text, a PDF, or a form upload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Depends, Query, Request  # noqa: TID253 - api only
from starlette.datastructures import UploadFile  # noqa: TID253
from starlette.exceptions import HTTPException  # noqa: TID253

from alkphos.adapters.report.case import interpret_report
from alkphos.adapters.report.dates import DateOrder
from alkphos.adapters.report.document import MAX_BYTES, ReportTooLarge, is_pdf, report_text
from alkphos.api.context import ApiContext, api_context
from alkphos.api.errors import error_response
from alkphos.api.schemas import ErrorResponse
from alkphos.errors import InputError
from alkphos.model.report import ReportInterpretation

__all__ = ["REPORT_BODY_BYTES", "REPORT_PATHS", "ReportUpload", "read_upload", "router"]

router = APIRouter()
Context = Annotated[ApiContext, Depends(api_context)]
# A report may be up to MAX_BYTES; a form around it adds its boundary and patient fields.
REPORT_BODY_BYTES = MAX_BYTES + 64 * 1024
REPORT_PATHS = ("/v1/interpret/report", "/interpret/report")
PATIENT_FIELDS = ("age_years", "birth_date", "sex", "pregnancy_weeks")
_TEXT_TYPES = ("text/plain", "application/pdf", "application/octet-stream")
_FORM_TYPE = "multipart/form-data"
_FORM_TYPES = (_FORM_TYPE, "application/x-www-form-urlencoded")
_PATIENT_SCHEMA: dict[str, Any] = {
    "age_years": {"type": "number", "minimum": 0, "maximum": 130},
    "birth_date": {"type": "string", "format": "date"},
    "sex": {"type": "string", "enum": ["female", "male", "unknown"]},
    "pregnancy_weeks": {"type": "number", "minimum": 0, "maximum": 45},
    "date_order": {"type": "string", "enum": ["dmy", "mdy"]},
}


@dataclass(frozen=True)
class ReportUpload:
    """A report as sent: its bytes, the patient fields and the date order, if given."""

    data: bytes
    patient: dict[str, Any]
    date_order: DateOrder | None


def _number(text: str) -> float | str:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text  # the case model names the field and what it accepts


def _patient(fields: dict[str, str]) -> dict[str, Any]:
    patient: dict[str, Any] = {}
    for name in PATIENT_FIELDS:
        text = fields.get(name, "").strip()
        if text:
            patient[name] = _number(text) if name.endswith(("_years", "_weeks")) else text
    return patient


def _order(text: str | None) -> DateOrder | None:
    if not text:
        return None
    if text not in ("dmy", "mdy"):
        raise InputError("date_order", f"'{text}' is not accepted", "dmy, mdy")
    return cast("DateOrder", text)


async def read_upload(request: Request, given: dict[str, str]) -> ReportUpload:
    """The report and patient fields of a request: a text or PDF body (fields in ``given``,
    from the query) or a multipart form with the file ('report') or text ('text') and the
    fields.

    Raises:
        InputError: no report in the form, a body that is not what its type says, or an
            unreadable form.
        HTTPException: 415 for another content type.
    """
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fields = {key: value for key, value in given.items() if value}
    if kind in _FORM_TYPES:
        try:
            form = await request.form(max_files=1, max_fields=len(_PATIENT_SCHEMA) + 4)
        except HTTPException as exc:
            raise InputError(
                "$", f"not a readable form ({exc.detail})", "a multipart/form-data upload"
            ) from None
        try:
            fields.update({k: v for k, v in form.items() if isinstance(v, str) and k != "text"})
            upload = form.get("report")
            data = b""
            if isinstance(upload, UploadFile):
                data = await upload.read(MAX_BYTES + 1)
            elif isinstance(upload, str):
                data = upload.encode("utf-8")
            if not data.strip():  # a browser sends an empty file part when none is chosen
                text = form.get("text")
                data = text.encode("utf-8") if isinstance(text, str) else b""
        finally:
            await form.close()
        if not data.strip():
            raise InputError(
                "report", "no report in the form", "a file in 'report' or the text in 'text'"
            )
    elif kind in _TEXT_TYPES:
        data = await request.body()
        if kind == "application/pdf" and data.strip() and not is_pdf(data):
            raise InputError("$", "the body is sent as application/pdf but is not a PDF", "a PDF")
    else:
        raise HTTPException(
            415,
            f"content type '{kind or 'none'}' is not read here (text/plain, "
            "application/pdf or multipart/form-data)",
        )
    return ReportUpload(data, _patient(fields), _order(fields.get("date_order")))


def read_and_interpret(
    context: ApiContext, upload: ReportUpload, as_of: date | None
) -> ReportInterpretation:
    """The report's reading and interpretation.

    Raises:
        InputError: (``ReportTooLarge`` for a file over the limit) the report cannot be read.
    """
    text = report_text(upload.data, "report")
    return interpret_report(
        text,
        upload.patient,
        context.kb,
        context.clock(),
        as_of=as_of,
        date_order=upload.date_order,
    )


_REQUEST_BODY = {
    "required": True,
    "content": {
        "text/plain": {"schema": {"type": "string"}},
        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        _FORM_TYPE: {
            "schema": {
                "type": "object",
                "properties": {
                    "report": {"type": "string", "format": "binary"},
                    "text": {"type": "string"},
                    **_PATIENT_SCHEMA,
                },
            }
        },
    },
}


@router.post(
    REPORT_PATHS[0],
    tags=["interpret"],
    summary="Interpret a lab report (text or PDF)",
    response_model=ReportInterpretation,
    responses={
        413: {"model": ErrorResponse, "description": f"A report over {MAX_BYTES:,} bytes."},
        415: {"model": ErrorResponse, "description": "Not text, a PDF or a form."},
        422: {"model": ErrorResponse, "description": "The report cannot be read."},
    },
    openapi_extra={"requestBody": _REQUEST_BODY},
)
async def interpret_lab_report(
    request: Request,
    context: Context,
    as_of: Annotated[
        date | None, Query(description="Date of interpretation (default: latest result date).")
    ] = None,
    age_years: Annotated[float | None, Query(ge=0, le=130)] = None,
    birth_date: Annotated[date | None, Query()] = None,
    sex: Annotated[Literal["female", "male", "unknown"] | None, Query()] = None,
    pregnancy_weeks: Annotated[float | None, Query(ge=0, le=45)] = None,
    date_order: Annotated[
        Literal["dmy", "mdy"] | None,
        Query(description="For dates such as 03/05/2024 the report leaves open."),
    ] = None,
) -> Any:
    """A lab report -> what was read from it (each result with its line, the lines not
    understood, printed ranges set aside, flags that disagree) and its interpretation.

    The body is the report's text (text/plain), its PDF (application/pdf) with the patient
    fields in the query, or a multipart form with the file ('report') or the text ('text')
    and the patient fields.
    """
    given = {
        "age_years": "" if age_years is None else str(age_years),
        "birth_date": "" if birth_date is None else birth_date.isoformat(),
        "sex": sex or "",
        "pregnancy_weeks": "" if pregnancy_weeks is None else str(pregnancy_weeks),
        "date_order": date_order or "",
    }
    upload = await read_upload(request, given)
    try:
        return read_and_interpret(context, upload, as_of)
    except ReportTooLarge as exc:
        return error_response(413, exc)
