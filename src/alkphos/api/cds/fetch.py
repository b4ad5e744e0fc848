"""Get a service's data: from the prefetch when the client sent it, else from ``fhirServer``.

Per CDS Hooks 2.0, a prefetch key the client could not satisfy is left out, and one with no
data is null. Missing keys are fetched from the client's FHIR server with the bearer token of
``fhirAuthorization``; when a required key can be had neither way the service answers 412.
An optional key that cannot be fetched (or is cut short at the page limit) is said in a
note, which the interpretation lists under what was not understood; one whose context
field the hook did not send (an encounter without ``encounterId``) is simply not fetched.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx  # noqa: TID253 - api only

from alkphos.api.cds.definitions import Services, ServiceSpec, render
from alkphos.api.cds.models import CdsRequest
from alkphos.knowledge.loader import Knowledge

__all__ = ["TIMEOUT", "Gathered", "PreconditionFailed", "gather"]

# httpx logs every URL at INFO; the URLs hold patient ids, so keep it to warnings.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)

TIMEOUT = httpx.Timeout(5.0)
_MAX_PAGES = 10
_FHIR_JSON = "application/fhir+json, application/json"


class PreconditionFailed(Exception):
    """The data a service needs is neither prefetched nor obtainable (HTTP 412)."""


@dataclass(frozen=True)
class Gathered:
    """The service's data by prefetch key, and notes on what could not be had in full."""

    data: dict[str, Any]
    notes: tuple[str, ...] = ()


async def gather(
    spec: ServiceSpec,
    services: Services,
    request: CdsRequest,
    client: httpx.AsyncClient | None,
    kb: Knowledge,
    today: date,
) -> Gathered:
    """The service's data by prefetch key (None: the client has no such data).

    ``client`` is the pooled HTTP client for FHIR servers; without one, a client is made
    only when something has to be fetched.
    """
    given = request.prefetch or {}
    data = {key: given[key] for key in spec.prefetch if key in given}
    missing = [key for key in spec.prefetch if key not in given]
    if not missing:
        return Gathered(data)
    required = [key for key in missing if services.prefetch[key].required]
    if request.fhirServer is None:
        if required:
            raise PreconditionFailed(
                f"prefetch {', '.join(required)} missing and no fhirServer to fetch it from"
            )
        return Gathered(data)
    base = str(request.fhirServer).rstrip("/")
    token = request.fhirAuthorization.access_token if request.fhirAuthorization else None
    context = request.context.model_dump(exclude_none=True)
    queries = {key: render(services.template(key, kb, today), context) for key in missing}
    # An optional key whose context field the hook did not send (no encounterId) has no data.
    queries = {
        key: query
        for key, query in queries.items()
        if query is not None or services.prefetch[key].required
    }
    if not queries:
        return Gathered(data)
    if client is None:
        async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False) as own:
            fetched = await _fetch_all(own, base, list(queries.values()), token)
    else:
        fetched = await _fetch_all(client, base, list(queries.values()), token)
    notes: list[str] = []
    for key, value in zip(queries, fetched, strict=True):
        if isinstance(value, BaseException):
            if services.prefetch[key].required:
                raise PreconditionFailed(f"fetching {key} from the FHIR server failed") from None
            notes.append(
                f"prefetch.{key}: could not be fetched from the FHIR server ({_why(value)}); "
                "the interpretation was made without it"
            )
            continue
        data[key], complete = value
        if not complete:
            notes.append(
                f"prefetch.{key}: only the first {_MAX_PAGES} pages were read from the FHIR "
                "server; later entries were not considered"
            )
    return Gathered(data, tuple(notes))


def _why(error: BaseException) -> str:
    """Why a fetch failed, in words."""
    if isinstance(error, LookupError):
        return "the hook context lacks a field its query needs"
    if isinstance(error, httpx.HTTPStatusError):
        return f"the server answered HTTP {error.response.status_code}"
    if isinstance(error, httpx.TimeoutException):
        return "no answer in time"
    if isinstance(error, httpx.HTTPError):
        return "the server could not be reached"
    return "its answer could not be read"


async def _fetch_all(
    client: httpx.AsyncClient, base: str, queries: list[str | None], token: str | None
) -> list[tuple[Any, bool] | BaseException]:
    return await asyncio.gather(
        *(_fetch(client, base, query, token) for query in queries), return_exceptions=True
    )


async def _fetch(
    client: httpx.AsyncClient, base: str, query: str | None, token: str | None
) -> tuple[Any, bool]:
    """The document a query finds, and whether it was read in full (paging stops at
    ``_MAX_PAGES``)."""
    if query is None:
        msg = "a context field the template needs is missing"
        raise LookupError(msg)
    headers = {"Accept": _FHIR_JSON}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = await client.get(f"{base}/{query}", headers=headers)
    if response.status_code == 404 and "?" not in query:
        return None, True  # a read of a resource that does not exist: no data
    response.raise_for_status()
    document = response.json()
    pages, complete = 1, True
    while isinstance(document, dict) and document.get("resourceType") == "Bundle":
        following = _next_link(document)
        # Follow paging only on the same server, so the token never leaves it.
        if following is None or not following.startswith(base + "/"):
            break
        if pages >= _MAX_PAGES:
            complete = False
            break
        page = await client.get(following, headers=headers)
        page.raise_for_status()
        more = page.json()
        document = {**more, "entry": [*document.get("entry", []), *more.get("entry", [])]}
        pages += 1
    if isinstance(document, dict) and document.get("resourceType") == "Bundle":
        document = {key: value for key, value in document.items() if key != "link"}
    return document, complete


def _next_link(bundle: dict[str, Any]) -> str | None:
    for link in bundle.get("link", []) or []:
        if isinstance(link, dict) and link.get("relation") == "next" and link.get("url"):
            return str(link["url"])
    return None
