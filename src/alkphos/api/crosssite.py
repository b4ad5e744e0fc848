"""Posts from other sites are refused (CSRF), and JSON routes read only JSON.

- Every POST, PUT, PATCH or DELETE a browser sends from another site's page is refused with
  403: a browser says where a request comes from in ``Sec-Fetch-Site`` (only
  ``same-origin`` and ``none``, typed by the user, pass) or, older ones, in ``Origin``
  (it must be this service's own origin: the request's scheme and Host, or
  ``--public-url``'s). A client that is not a browser sends neither and is not affected.
  The pages are sent with ``Referrer-Policy: no-referrer``, under which a browser's own
  form posts carry ``Origin: null``: that is accepted only with ``Sec-Fetch-Site:
  same-origin``.
- The JSON routes (``/v1/interpret``, ``/v1/interpret/fhir``, ``/cds-services/...``) refuse
  any other content type with 415: a ``text/plain`` body is what another site's page can
  post without asking (no CORS preflight).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from alkphos.api.errors import error_response
from alkphos.errors import InputError

__all__ = ["CrossSiteMiddleware", "is_json_route"]

logger = logging.getLogger("alkphos.api.crosssite")
ASGIApp = Callable[..., Any]
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_SAME = frozenset({"same-origin", "none"})
_JSON_PATHS = frozenset({"/v1/interpret", "/v1/interpret/fhir"})


def is_json_route(path: str) -> bool:
    """Whether ``path`` is a route whose body is JSON."""
    return path in _JSON_PATHS or path.startswith("/cds-services/")


def _is_json(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


class CrossSiteMiddleware:
    """403 for another site's posts, 415 for a JSON route sent anything but JSON."""

    def __init__(self, app: ASGIApp, public_url: str | None) -> None:
        self.app = app
        parts = urlsplit(public_url) if public_url else None
        self.public_origin = f"{parts.scheme}://{parts.netloc}".lower() if parts else None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in _UNSAFE:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self._cross_site(scope, headers)
        if refusal is not None:
            logger.warning("request refused (403): %s", refusal)
            error = InputError(
                "Origin", "a post from another site's page", "this service's own pages"
            )
            await error_response(403, error)(scope, receive, send)
            return
        if is_json_route(scope["path"]) and not _is_json(headers.get("content-type", "")):
            error = InputError(
                "Content-Type",
                f"'{headers.get('content-type', '')}' is not JSON",
                "application/json (or application/fhir+json)",
            )
            await error_response(415, error)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _cross_site(self, scope: dict[str, Any], headers: dict[str, str]) -> str | None:
        """Why the request is refused as cross-site (None: it is not)."""
        fetch_site = headers.get("sec-fetch-site")
        if fetch_site is not None:
            return None if fetch_site.lower() in _SAME else f"Sec-Fetch-Site {fetch_site}"
        origin = headers.get("origin")
        if origin is None:
            return None  # not a browser, or one that sends neither: nothing to check
        own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}".lower()
        if origin.lower() in (own, self.public_origin):
            return None
        return "Origin of another site"
