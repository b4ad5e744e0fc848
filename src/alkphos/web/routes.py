"""The web page: the case form, pasted JSON, examples, the interpretation page and its PDF.

Every page works without JavaScript. A submitted case is stored (as a card link is) and the
browser is sent to the interpretation's stable address, ``/interpretations/{link}``.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request  # noqa: TID253 - web only
from fastapi import Path as Path_  # noqa: TID253
from fastapi.responses import HTMLResponse, RedirectResponse, Response  # noqa: TID253
from starlette.exceptions import HTTPException  # noqa: TID253

from alkphos.adapters.case_json import load_json, parse_case
from alkphos.adapters.fhir import interpret_fhir, read_bundle
from alkphos.api.context import ApiContext, api_context
from alkphos.api.links import linked_interpretation
from alkphos.engine import default_as_of, interpret
from alkphos.errors import InputError
from alkphos.model.interpretation import Interpretation
from alkphos.report.html import stylesheet
from alkphos.web.checks import check_form
from alkphos.web.examples import examples
from alkphos.web.form import FormState, case_from_form, field_for_path
from alkphos.web.render import render_docs, render_form, render_interpretation

__all__ = ["page_for", "router"]

router = APIRouter(include_in_schema=False)
Context = Annotated[ApiContext, Depends(api_context)]
_LINK = {"pattern": "^[0-9a-f]{32}$"}
_ROWS, _MORE = 5, 3
_STATIC = {  # name -> media type
    "style.css": "text/css; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "icon.svg": "image/svg+xml",
    "docs.js": "text/javascript; charset=utf-8",
}


def _field_message(error: InputError) -> str:
    message = error.problem + (f" ({error.accepted})" if error.accepted else "")
    return message + (f"; did you mean '{error.suggestion}'?" if error.suggestion else "")


def _base(context: ApiContext, request: Request) -> str:
    return context.base_url(request) if context.settings.public_url else ""


async def _store(
    context: ApiContext, request: Request, case: dict[str, Any], notes: list[str], as_of: date
) -> str:
    """Store a case from the form (within what an anonymous caller may store)."""
    link = context.store.link({"case": case, "notes": notes}, as_of.isoformat())
    address = request.client.host if request.client else ""
    context.quota.admit(address, len(link.text.encode("utf-8")))
    await context.store.kept(link)
    return link.id


async def _form_open(context: Context) -> None:
    """404 unless the service serves the case form (off under --auth jwt by default)."""
    if not context.settings.serves_form:
        raise HTTPException(
            404,
            "the case form is off: this service checks JWTs (--auth jwt); "
            "start it with --web-form to serve the form",
        )


FormOpen = Depends(_form_open)


def _see(context: ApiContext, request: Request, link: str, reader: str = "") -> RedirectResponse:
    """To the interpretation's address (the patient view first when a patient reads it)."""
    view = "?view=patient" if reader == "patient" else ""
    url = f"{_base(context, request)}/interpretations/{link}{view}"
    return RedirectResponse(url, status_code=303)


async def _fields(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    fields: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            fields.setdefault(key, []).append(value)
    return fields


@router.get("/", response_class=HTMLResponse, dependencies=[FormOpen])
async def home(request: Request, context: Context) -> HTMLResponse:
    """The case form."""
    state = FormState.from_fields({}, _ROWS)
    return HTMLResponse(render_form(context.kb, _base(context, request), state))


@router.post("/interpret", response_class=HTMLResponse, dependencies=[FormOpen])
async def submit(request: Request, context: Context) -> Response:
    """Interpret the form; on bad input show the form again with the error beside its field."""
    fields = await _fields(request)
    state = FormState.from_fields(fields, _ROWS)
    base = _base(context, request)
    if fields.get("action", [""])[0] == "more":
        state.rows.extend(FormState.from_fields({}, _MORE).rows)
        state.more = True
        return HTMLResponse(render_form(context.kb, base, state))
    found = check_form(state, context.kb)
    if found:
        errors: dict[str, str] = {}
        for error in found:
            errors.setdefault(error.field, error.message)
        return HTMLResponse(render_form(context.kb, base, state, errors), status_code=422)
    try:
        case = case_from_form(state)
        if not case["results"]:
            errors = {"results-0-test": "enter at least one result (a test and its value)"}
            return HTMLResponse(render_form(context.kb, base, state, errors), status_code=422)
        parsed = parse_case(case)
        when = default_as_of(parsed) or context.clock()
        interpret(parsed, as_of=when, kb=context.kb)
    except InputError as error:
        errors = {field_for_path(error.path, state.origin()): _field_message(error)}
        return HTMLResponse(render_form(context.kb, base, state, errors), status_code=422)
    return _see(context, request, await _store(context, request, case, [], when), state.reader)


@router.post("/interpret/paste", response_class=HTMLResponse, dependencies=[FormOpen])
async def paste(request: Request, context: Context) -> Response:
    """Interpret a pasted case JSON or FHIR R4 Bundle."""
    fields = await _fields(request)
    text = fields.get("document", [""])[0]
    base = _base(context, request)
    state = FormState.from_fields({}, _ROWS)
    try:
        data = load_json(text)
        if isinstance(data, dict) and data.get("resourceType") == "Bundle":
            read = read_bundle(data, context.kb)
            result = interpret_fhir(read, kb=context.kb, as_of=read.latest or context.clock())
            case, notes = read.case or {}, list(read.notes)
            when = date.fromisoformat(result.as_of)
        else:
            parsed = parse_case(data)
            when = default_as_of(parsed) or context.clock()
            interpret(parsed, as_of=when, kb=context.kb)
            case, notes = data, []
    except InputError as error:
        errors = {"document": f"{error.path}: {_field_message(error)}"}
        return HTMLResponse(render_form(context.kb, base, state, errors, text), status_code=422)
    return _see(context, request, await _store(context, request, case, notes, when))


@router.post("/examples/{name}", response_class=HTMLResponse, dependencies=[FormOpen])
async def example(name: str, request: Request, context: Context) -> Response:
    """Open a bundled example."""
    chosen = next((e for e in examples() if e.id == name), None)
    if chosen is None:
        raise HTTPException(404, "no such example")
    parsed = parse_case(chosen.case)
    when = default_as_of(parsed) or context.clock()
    link = await context.store.saved({"case": chosen.case, "notes": []}, when.isoformat())
    return _see(context, request, link)


def page_for(
    context: ApiContext, request: Request, result: Interpretation, link: str
) -> HTMLResponse:
    """The interpretation page for a result (``?view=patient`` opens the patient view)."""
    view = request.query_params.get("view", "clinician")
    html = render_interpretation(result, context.kb, _base(context, request), link, view)
    return HTMLResponse(html)


@router.get("/interpretations/{link}.pdf")
async def interpretation_pdf(context: Context, link: Annotated[str, Path_(**_LINK)]) -> Response:
    """The interpretation as a PDF for the patient's record."""
    result = linked_interpretation(context, link)
    pdf = await context.pdfs.render(result, context.clock())
    headers = {"Content-Disposition": f'attachment; filename="alkphos-{link[:8]}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.get("/interpretations/{link}.json")
async def interpretation_json(
    context: Context, link: Annotated[str, Path_(**_LINK)]
) -> Interpretation:
    """The interpretation as JSON."""
    return linked_interpretation(context, link)


@router.get("/docs", response_class=HTMLResponse)
async def docs(request: Request, context: Context) -> HTMLResponse:
    """The API page: every route from the OpenAPI document, its examples sent from the page."""
    document = request.app.openapi()
    return HTMLResponse(render_docs(context.kb, _base(context, request), document))


@router.get("/static/{name}")
async def static(name: str) -> Response:
    """The page's own assets (nothing is fetched from elsewhere)."""
    if name not in _STATIC:
        raise HTTPException(404, "no such file")
    return Response(
        _asset(name), media_type=_STATIC[name], headers={"Cache-Control": "public, max-age=3600"}
    )


@cache
def _asset(name: str) -> bytes:
    """An asset's bytes, read once (the stylesheet is the report's own)."""
    if name == "style.css":
        return stylesheet().encode("utf-8")
    return (resources.files("alkphos.web") / "static" / name).read_bytes()
