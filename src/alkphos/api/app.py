"""The app factory: REST, FHIR and CDS Hooks on one FastAPI application."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from fastapi import FastAPI  # noqa: TID253 - api only
from fastapi.middleware.gzip import GZipMiddleware  # noqa: TID253 - api only

from alkphos._version import __version__
from alkphos.api.cds.definitions import load_services
from alkphos.api.cds.fetch import FetchLimits
from alkphos.api.cds.runner import CdsRunner
from alkphos.api.context import ApiContext
from alkphos.api.crosssite import CrossSiteMiddleware
from alkphos.api.errors import install_handlers
from alkphos.api.failsafe import FailsafeMiddleware
from alkphos.api.headers import SecurityHeadersMiddleware
from alkphos.api.hosts import HostMiddleware
from alkphos.api.middleware import AccessLogMiddleware, BodyLimitMiddleware
from alkphos.api.openapi import openapi_document
from alkphos.api.pdfs import PdfRenderer
from alkphos.api.quota import Quota
from alkphos.api.routes import cds_hooks, feedback, interpret, meta, report
from alkphos.api.security import AuthMiddleware, JwtVerifier, load_jwks
from alkphos.api.settings import Settings
from alkphos.api.store import Store
from alkphos.engine import knowledge
from alkphos.knowledge.loader import Knowledge

__all__ = ["create_app"]

logger = logging.getLogger("alkphos.api")

_DESCRIPTION = """\
Interprets alkaline phosphatase (ALP) results.

- **REST**: `POST /v1/interpret` (a case) and `POST /v1/interpret/fhir` (a FHIR R4 Bundle;
  `?output=fhir` answers with a FHIR Bundle), `POST /v1/interpret/report` (a lab report as
  text or PDF), `GET /v1/knowledge`.
- **CDS Hooks 2.0**: discovery at `GET /cds-services`, the services at
  `POST /cds-services/{id}`, feedback at `POST /cds-services/{id}/feedback`.

Bad input is a 422 naming the JSON path and what is accepted. Decision support, not a
diagnosis.
"""


_PAGE_PATHS = ("/", "/interpret", "/interpret/paste", "/interpret/report", "/docs")
_PAGE_PREFIXES = ("/interpretations/", "/static/", "/examples/")


def _exempt(path: str) -> bool:
    """Paths served without a JWT: health, and the web page a browser opens (card links have
    unguessable ids; a browser cannot send a CDS client's token)."""
    return path == "/healthz" or path in _PAGE_PATHS or path.startswith(_PAGE_PREFIXES)


def create_app(
    settings: Settings | None = None,
    kb: Knowledge | None = None,
    clock: Callable[[], date] = date.today,
) -> FastAPI:
    """Build the service.

    Args:
        settings: how to run (default: ``Settings()``: no auth, loopback).
        kb: the knowledge base (default: the bundled one).
        clock: today's date, for card interpretations and the prefetch look-back.

    Raises:
        ValueError: the settings are unsafe or incomplete (e.g. no auth off loopback).
        InputError: the settings' intervals file cannot be read or has a wrong entry.
    """
    settings = settings or Settings()
    problems = settings.problems()
    if problems:
        raise ValueError("; ".join(problems))
    kb = kb or knowledge()
    if settings.intervals is not None:
        from alkphos.intervals.use import resolve

        kb = resolve(settings.intervals, kb)
    services = load_services(kb)
    store = Store(settings.db, settings.link_days)
    store.purge()
    limits = FetchLimits(settings.fhir_max_bytes, settings.fhir_max_entries, settings.fhir_seconds)
    runner = CdsRunner(kb, services, store, clock, limits)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        gc.collect()
        gc.freeze()  # the knowledge base lives as long as the process: keep it out of GC passes
        try:
            async with runner.http_client():
                yield
        finally:
            pdfs.close(wait=True)
            store.flush()

    app = FastAPI(
        title="alkphos",
        version=__version__,
        description=_DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        # FastAPI's OpenTelemetry would export exception messages and request URLs (patient
        # data, link ids) wherever OTEL_* variables point: only route-level metrics stay on.
        telemetry={
            "tracing": False,
            "logs": False,
            "operation_spans": False,
            "auto_configure": False,
        },
    )
    pdfs = PdfRenderer(kb, settings.pdf_workers, settings.pdf_waiting)
    limited = settings.auth == "jwt"  # the form is open to a network: rate limits too
    quota = Quota(
        max_case_bytes=settings.max_case_bytes,
        per_minute=settings.anonymous_per_minute if limited else 0,
        bytes_per_hour=settings.anonymous_bytes_per_hour if limited else 0,
    )
    app.state.context = ApiContext(
        settings=settings,
        kb=kb,
        services=services,
        store=store,
        runner=runner,
        clock=clock,
        quota=quota,
        pdfs=pdfs,
    )
    install_handlers(app)
    from alkphos.web import routes as web

    # The CDS Hooks calls first: the busiest routes, matched before the rest are tried (no
    # other path begins /cds-services/).
    app.include_router(cds_hooks.router)
    app.include_router(web.router)  # before interpret: /interpretations/{link}.pdf first
    from alkphos.web import report as web_report

    app.include_router(web_report.router)
    for module in (meta, interpret, report, feedback):
        app.include_router(module.router)
    uploads = dict.fromkeys(report.REPORT_PATHS, report.REPORT_BODY_BYTES)
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes, larger=uploads)
    # Compressed when the client accepts it (the form's unit lists repeat: 79 KB -> ~10 KB).
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(SecurityHeadersMiddleware, frame_ancestors=settings.frame_ancestors)
    if settings.auth == "jwt":
        assert settings.jwks is not None
        verifier = JwtVerifier(load_jwks(settings.jwks), settings.issuers, store)
        app.add_middleware(
            AuthMiddleware, verifier=verifier, public_url=settings.public_url, exempt=_exempt
        )
    else:
        logger.warning(
            "authentication is off (--auth none): serving on loopback only (%s)", settings.host
        )
    app.add_middleware(CrossSiteMiddleware, public_url=settings.public_url)
    app.add_middleware(HostMiddleware, names=settings.host_names(), exempt=("/healthz",))
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(FailsafeMiddleware)

    def custom_openapi() -> dict[str, Any]:
        ids = [service.id for service in services.services]
        return openapi_document(app, jwt=settings.auth == "jwt", service_ids=ids, exempt=_exempt)

    app.openapi = custom_openapi  # type: ignore[method-assign]
    return app
