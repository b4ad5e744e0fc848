"""What every route needs, built once by ``create_app`` and kept on ``app.state``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from fastapi import Request  # noqa: TID253 - api only

from alkphos.api.cds.definitions import Services
from alkphos.api.cds.runner import CdsRunner
from alkphos.api.pdfs import PdfRenderer
from alkphos.api.quota import Quota
from alkphos.api.settings import Settings
from alkphos.api.store import Store
from alkphos.knowledge.loader import Knowledge

__all__ = ["ApiContext", "api_context"]


@dataclass
class ApiContext:
    """The service's long-lived parts."""

    settings: Settings
    kb: Knowledge
    services: Services
    store: Store
    runner: CdsRunner
    clock: Callable[[], date]
    quota: Quota
    pdfs: PdfRenderer
    cached: dict[str, bytes] = field(default_factory=dict)

    def base_url(self, request: Request) -> str:
        """The base URL clients reach this service at (``--public-url`` wins)."""
        if self.settings.public_url:
            return self.settings.public_url.rstrip("/")
        return str(request.base_url).rstrip("/")


async def api_context(request: Request) -> ApiContext:
    """FastAPI dependency: the context of the app serving ``request`` (async: no thread hop)."""
    context = request.app.state.context
    assert isinstance(context, ApiContext)
    return context
