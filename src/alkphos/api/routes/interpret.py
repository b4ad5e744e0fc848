"""REST: interpret a case or a FHIR Bundle; show the interpretation behind a card link."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request  # noqa: TID253 - api only
from fastapi import Path as Path_  # noqa: TID253
from fastapi.responses import JSONResponse  # noqa: TID253
from pydantic import BeforeValidator

from alkphos.adapters.case_json import load_json, read_case_text
from alkphos.adapters.fhir import interpret_fhir, interpretation_bundle, read_bundle
from alkphos.api.context import ApiContext, api_context
from alkphos.api.links import linked_interpretation
from alkphos.api.schemas import BODY_ERRORS, ErrorResponse
from alkphos.engine import default_as_of, interpret
from alkphos.errors import InputError, closest
from alkphos.knowledge.loader import Knowledge
from alkphos.model.case import Case
from alkphos.model.interpretation import Interpretation
from alkphos.web.routes import page_for

__all__ = ["router"]

router = APIRouter()
Context = Annotated[ApiContext, Depends(api_context)]


def _calendar_date(value: object) -> object:
    """Only an ISO 8601 calendar date (a number would otherwise be read as Unix time)."""
    if isinstance(value, str):
        return date.fromisoformat(value)
    return value


AsOf = Annotated[
    date | None,
    BeforeValidator(_calendar_date),
    Query(
        description="Date of interpretation, YYYY-MM-DD (default: the latest result date, else "
        "today)."
    ),
]
_ERRORS = BODY_ERRORS
_LINK = {"pattern": "^[0-9a-f]{32}$", "description": "The link id from a card."}


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("$", "the body is not UTF-8 text", "a UTF-8 JSON document") from None


@router.post(
    "/v1/interpret",
    tags=["interpret"],
    summary="Interpret a case",
    response_model=Interpretation,
    responses=_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Case"}}},
        }
    },
)
async def interpret_case(request: Request, context: Context, as_of: AsOf = None) -> Any:
    """A case (the contract's input) -> the interpretation (the contract's output).

    With ``Accept: text/html`` the answer is the interpretation page (stored at a stable
    address, as a card link is).
    """
    case = read_case_text(_text(await request.body()))
    _refuse_a_misspelt_alp(case, context.kb)
    when = as_of or default_as_of(case) or context.clock()
    result = interpret(case, as_of=when, kb=context.kb)
    if _wants_html(request):
        payload = {"case": case.model_dump(exclude_none=True, mode="json"), "notes": []}
        link = await context.store.saved(payload, when.isoformat())
        return page_for(context, request, result, link)
    return result


def _refuse_a_misspelt_alp(case: Case, kb: Knowledge) -> None:
    """No ALP result, but a test name alkphos does not know is close to an ALP name: most
    likely a misspelt ALP, so a 422 with the name meant rather than 'ALP not measured'."""
    if any(kb.find_analyte(result.test) == "alp" for result in case.results):
        return
    alp = kb.analytes["alp"]
    names = [alp.name, *alp.aliases]
    for index, result in enumerate(case.results):
        if kb.find_analyte(result.test) is not None:
            continue
        meant = closest(result.test, names)
        if meant is not None:
            raise InputError(
                f"results[{index}].test",
                f"'{result.test}' is not a test alkphos knows, and the case has no ALP result",
                "an ALP name such as ALP, Alkaline phosphatase or LOINC 6768-6",
                suggestion=meant,
            )


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept.split("text/html")[0]


@router.post(
    "/v1/interpret/fhir",
    tags=["interpret"],
    summary="Interpret a FHIR R4 Bundle",
    response_model=Interpretation,
    responses={
        **_ERRORS,
        200: {
            "description": "The interpretation, or with output=fhir a FHIR Bundle.",
            "content": {
                "application/fhir+json": {"schema": {"$ref": "#/components/schemas/FhirBundle"}}
            },
        },
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/FhirBundle"}},
                "application/fhir+json": {"schema": {"$ref": "#/components/schemas/FhirBundle"}},
            },
        }
    },
)
async def interpret_bundle(
    request: Request,
    context: Context,
    as_of: AsOf = None,
    output: Annotated[
        Literal["json", "fhir"],
        Query(description="json: the interpretation; fhir: a FHIR R4 Bundle."),
    ] = "json",
) -> Any:
    """A FHIR R4 Bundle (collection, searchset or transaction) -> the interpretation."""
    read = read_bundle(load_json(_text(await request.body())), context.kb)
    result = interpret_fhir(read, as_of=as_of or read.latest or context.clock(), kb=context.kb)
    if output == "fhir":
        bundle = interpretation_bundle(result, context.kb, read.patient_id)
        return JSONResponse(bundle, media_type="application/fhir+json")
    return result


_LINK_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "Unknown or expired link."},
    422: {"model": ErrorResponse, "description": "Not a link id."},
}


@router.get(
    "/interpretations/{link}",
    tags=["interpret"],
    summary="The interpretation behind a card link",
    response_model=Interpretation,
    responses=_LINK_RESPONSES,
)
async def linked(request: Request, context: Context, link: Annotated[str, Path_(**_LINK)]) -> Any:
    """The interpretation a CDS card links to: the page for a browser, JSON otherwise."""
    result = linked_interpretation(context, link)
    if _wants_html(request):
        return page_for(context, request, result, link)
    return result


@router.get(
    "/v1/interpretations/{link}",
    tags=["interpret"],
    summary="The interpretation behind a card link (API)",
    response_model=Interpretation,
    responses=_LINK_RESPONSES,
)
async def linked_api(context: Context, link: Annotated[str, Path_(**_LINK)]) -> Interpretation:
    """The same interpretation, under the API prefix (always behind authentication)."""
    return linked_interpretation(context, link)
