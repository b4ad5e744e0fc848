"""The web page's lab-report box: read a pasted or uploaded report and show the case form
filled in with what was read, to check and correct before interpreting.

The form is filled with the case ``POST /v1/interpret/report`` interprets (printed ranges
that cannot apply to the patient left out, with the reason shown), so interpreting the form
as read gives the same answer.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request  # noqa: TID253 - web only
from fastapi.responses import HTMLResponse  # noqa: TID253

from alkphos.adapters.report.case import report_case
from alkphos.adapters.report.document import ReportTooLarge
from alkphos.api.context import ApiContext, api_context
from alkphos.api.routes.report import read_and_interpret, read_upload
from alkphos.errors import InputError
from alkphos.web.form import FormState
from alkphos.web.render import render_form

__all__ = ["form_fields", "router"]

router = APIRouter(include_in_schema=False)
Context = Annotated[ApiContext, Depends(api_context)]
_ROWS = 5


def _text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def form_fields(case: dict[str, Any]) -> dict[str, str]:
    """The case form's fields for a case: the patient and one row per result."""
    fields = {name: _text(value) for name, value in case["patient"].items()}
    for number, result in enumerate(case["results"]):
        for name, value in result.items():
            fields[f"results-{number}-{name}"] = _text(value)
    return fields


@router.post("/interpret/report", response_class=HTMLResponse)
async def read_for_form(request: Request, context: Context) -> HTMLResponse:
    """Read the report and show the form filled in; a report that cannot be read is shown
    again with the reason beside the box."""
    base = context.base_url(request) if context.settings.public_url else ""
    form = await request.form()
    pasted = form.get("text")
    text = pasted if isinstance(pasted, str) else ""
    typed = {k: v for k, v in form.items() if isinstance(v, str) and k not in ("text",)}
    order = typed.get("date_order", "")
    try:
        upload = await read_upload(request, {})
        report = read_and_interpret(context, upload, None)
    except InputError as error:
        state = FormState.from_fields(typed, _ROWS)
        status = 413 if isinstance(error, ReportTooLarge) else 422
        html = render_form(
            context.kb,
            base,
            state,
            {"report": str(error)},
            report_text=text,
            date_order=order,
        )
        return HTMLResponse(html, status_code=status)
    without = {item.line for item in report.set_aside}
    case = report_case(report.reading, upload.patient, context.kb, without=without)
    state = FormState.from_fields(form_fields(case), _ROWS)
    html = render_form(context.kb, base, state, report=report, report_text=text, date_order=order)
    return HTMLResponse(html)
