"""CDS Hooks 2.0: discovery and the service endpoints."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request  # noqa: TID253 - api only
from fastapi import Path as Path_  # noqa: TID253
from fastapi.responses import JSONResponse  # noqa: TID253
from starlette.exceptions import HTTPException  # noqa: TID253

from alkphos.api.cds.definitions import ServiceSpec
from alkphos.api.cds.fetch import PreconditionFailed
from alkphos.api.cds.models import CdsRequest, CdsResponse, Discovery
from alkphos.api.context import ApiContext, api_context
from alkphos.api.errors import error_response
from alkphos.api.schemas import BODY_ERRORS, ErrorResponse
from alkphos.errors import InputError

__all__ = ["router", "service_spec"]

router = APIRouter(tags=["cds-hooks"])
Context = Annotated[ApiContext, Depends(api_context)]
ServiceId = Annotated[str, Path_(description="The service id from discovery.")]
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "No service with this id."},
    412: {
        "model": ErrorResponse,
        "description": "The data the service needs was neither prefetched nor obtainable "
        "from fhirServer.",
    },
    **BODY_ERRORS,
}


def service_spec(context: ApiContext, service_id: str) -> ServiceSpec:
    """The service with this id, or 404."""
    spec = context.services.service(service_id)
    if spec is None:
        raise HTTPException(404, f"no CDS service '{service_id}'")
    return spec


@router.get(
    "/cds-services",
    summary="CDS Hooks discovery",
    response_model=Discovery,
    response_model_exclude_none=True,
)
async def discovery(context: Context) -> Discovery:
    """Every CDS service with its hook and prefetch templates."""
    return context.services.discovery(context.kb, context.clock())


@router.post(
    "/cds-services/{service_id}",
    summary="Call a CDS service",
    response_model=CdsResponse,
    response_model_exclude_none=True,
    responses=_ERRORS,
)
async def call_service(
    service_id: ServiceId, body: CdsRequest, request: Request, context: Context
) -> Any:
    """The cards for one hook call (an empty list when nothing needs attention)."""
    spec = service_spec(context, service_id)
    try:
        response = await context.runner.call(spec, body, context.base_url(request))
    except PreconditionFailed as exc:
        return error_response(
            412, InputError("prefetch", str(exc), "the prefetch keys of discovery, or fhirServer")
        )
    # Serialised here, once: the cards are already validated models.
    return JSONResponse(response.model_dump(mode="json", exclude_none=True))
