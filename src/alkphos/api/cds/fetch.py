"""Get a service's data: from the prefetch when the client sent it, else from ``fhirServer``.

Per CDS Hooks 2.0, a prefetch key the client could not satisfy is left out, and one with no
data is null. Missing keys are fetched from the client's FHIR server with the bearer token of
``fhirAuthorization``; when a required key can be had neither way the service answers 412.
An optional key that cannot be fetched (or is cut short at the page limit) is said in a
note, which the interpretation lists under what was not understood; one whose context
field the hook did not send (an encounter without ``encounterId``) is simply not fetched.

What a FHIR server sends is bounded per hook call (``FetchLimits``): the bytes of all its
answers (read as a stream and dropped past the limit, so a huge body never fills memory),
the entries read (later ones are left out with a note, as pages past the page limit are),
and the total time (a server dripping its answer is cut off however steadily it sends).
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx  # noqa: TID253 - api only

from alkphos.api.cds.definitions import Services, ServiceSpec, render
from alkphos.api.cds.models import CdsRequest
from alkphos.knowledge.loader import Knowledge

__all__ = ["TIMEOUT", "FetchLimits", "Gathered", "PreconditionFailed", "TooLarge", "gather"]

# httpx logs every URL at INFO; the URLs hold patient ids, so keep it to warnings.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)

TIMEOUT = httpx.Timeout(5.0)
_MAX_PAGES = 10
_FHIR_JSON = "application/fhir+json, application/json"


class PreconditionFailed(Exception):
    """The data a service needs is neither prefetched nor obtainable (HTTP 412)."""


class TooLarge(Exception):
    """The FHIR server's answers passed the byte limit of the call."""


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """What one hook call reads from a FHIR server at most: bytes, entries, seconds."""

    max_bytes: int = 10_000_000
    max_entries: int = 5_000
    seconds: float = 10.0


@dataclass
class _Budget:
    """What is left of a call's limits (shared by its concurrent fetches)."""

    limits: FetchLimits
    bytes_left: int = 0
    entries_left: int = 0

    def __post_init__(self) -> None:
        self.bytes_left = self.limits.max_bytes
        self.entries_left = self.limits.max_entries


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
    limits: FetchLimits | None = None,
) -> Gathered:
    """The service's data by prefetch key (None: the client has no such data).

    ``client`` is the pooled HTTP client for FHIR servers; without one, a client is made
    only when something has to be fetched. ``limits`` bound what is read (``FetchLimits()``
    by default).
    """
    budget = _Budget(limits or FetchLimits())
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
            fetched = await _fetch_all(own, base, list(queries.values()), token, budget)
    else:
        fetched = await _fetch_all(client, base, list(queries.values()), token, budget)
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
        data[key], cut = value
        if cut:
            notes.append(f"prefetch.{key}: {cut}; later entries were not considered")
    return Gathered(data, tuple(notes))


def _why(error: BaseException) -> str:
    """Why a fetch failed, in words."""
    if isinstance(error, LookupError):
        return "the hook context lacks a field its query needs"
    if isinstance(error, httpx.HTTPStatusError):
        return f"the server answered HTTP {error.response.status_code}"
    if isinstance(error, httpx.TimeoutException | TimeoutError):
        return "no answer in time"
    if isinstance(error, TooLarge):
        return str(error)
    if isinstance(error, httpx.HTTPError):
        return "the server could not be reached"
    return "its answer could not be read"


async def _fetch_all(
    client: httpx.AsyncClient,
    base: str,
    queries: list[str | None],
    token: str | None,
    budget: _Budget,
) -> list[tuple[Any, str | None] | BaseException]:
    """Every query at once, each cut off when the call's time is up."""
    deadline = budget.limits.seconds
    return await asyncio.gather(
        *(
            asyncio.wait_for(_fetch(client, base, query, token, budget), deadline)
            for query in queries
        ),
        return_exceptions=True,
    )


async def _fetch(
    client: httpx.AsyncClient, base: str, query: str | None, token: str | None, budget: _Budget
) -> tuple[Any, str | None]:
    """The document a query finds, and why it was cut short (None: read in full; paging
    stops at ``_MAX_PAGES``, entries at the call's limit)."""
    if query is None:
        msg = "a context field the template needs is missing"
        raise LookupError(msg)
    headers = {"Accept": _FHIR_JSON}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    # A read of a resource that does not exist (404) is no data; a search must succeed.
    document = await _read(client, f"{base}/{query}", headers, budget, missing_ok="?" not in query)
    pages, cut = 1, _take(document, budget)
    while cut is None and isinstance(document, dict) and document.get("resourceType") == "Bundle":
        following = _next_link(document)
        # Follow paging only on the same server, so the token never leaves it.
        if following is None or not following.startswith(base + "/"):
            break
        if pages >= _MAX_PAGES:
            cut = f"only the first {_MAX_PAGES} pages were read from the FHIR server"
            break
        more = await _read(client, following, headers, budget)
        cut = _take(more, budget)
        document = {**more, "entry": [*document.get("entry", []), *more.get("entry", [])]}
        pages += 1
    if isinstance(document, dict) and document.get("resourceType") == "Bundle":
        document = {key: value for key, value in document.items() if key != "link"}
    return document, cut


async def _read(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    budget: _Budget,
    missing_ok: bool = False,
) -> Any:
    """GET ``url`` as a stream within the call's byte budget: the JSON document (None for
    a 404 when ``missing_ok``).

    Raises:
        TooLarge: the answer passes what is left of the byte budget.
        httpx.HTTPStatusError: an error status.
    """
    async with client.stream("GET", url, headers=headers) as response:
        if response.status_code == 404 and missing_ok:
            return None
        response.raise_for_status()
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > budget.bytes_left:
            raise TooLarge(_too_large(budget))
        chunks: list[bytes] = []
        async for chunk in response.aiter_bytes():
            budget.bytes_left -= len(chunk)
            if budget.bytes_left < 0:
                raise TooLarge(_too_large(budget))
            chunks.append(chunk)
    return json.loads(b"".join(chunks))


def _too_large(budget: _Budget) -> str:
    return f"the FHIR server's answers passed {budget.limits.max_bytes:,} bytes"


def _take(document: Any, budget: _Budget) -> str | None:
    """Count a Bundle's entries against the call's limit, cutting the entries past it (in
    place); why the Bundle was cut (None: it was not)."""
    if not isinstance(document, dict) or not isinstance(document.get("entry"), list):
        return None
    entries = document["entry"]
    if len(entries) <= budget.entries_left:
        budget.entries_left -= len(entries)
        return None
    del entries[budget.entries_left :]
    budget.entries_left = 0
    return (
        f"the {budget.limits.max_entries:,} entries a call reads from the FHIR server at most "
        "were reached"
    )


def _next_link(bundle: dict[str, Any]) -> str | None:
    for link in bundle.get("link", []) or []:
        if isinstance(link, dict) and link.get("relation") == "next" and link.get("url"):
            return str(link["url"])
    return None
