"""Health and the knowledge export."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends  # noqa: TID253 - api only
from fastapi.responses import Response  # noqa: TID253

from alkphos._version import __version__
from alkphos.api.context import ApiContext, api_context
from alkphos.api.schemas import Health, KnowledgeExport
from alkphos.knowledge.export import export_knowledge

__all__ = ["router"]

router = APIRouter()
Context = Annotated[ApiContext, Depends(api_context)]


@router.get("/healthz", tags=["service"], summary="Health", response_model=Health)
async def healthz(context: Context) -> Health:
    """The service is up (no token needed)."""
    return Health(alkphos_version=__version__, knowledge_version=context.kb.version)


@router.get(
    "/v1/knowledge",
    tags=["knowledge"],
    summary="The knowledge base",
    response_model=KnowledgeExport,
)
async def knowledge(context: Context) -> Response:
    """Every cause, test, finding, flag, drug, interval and citation (as ``alkphos kb export``)."""
    body = context.cached.get("knowledge")
    if body is None:
        body = json.dumps(export_knowledge(context.kb), ensure_ascii=False).encode()
        context.cached["knowledge"] = body
    return Response(body, media_type="application/json")
