"""Security headers on every HTML page and PDF the service sends.

The pages hold patient results and their addresses are shared, so a browser is told:

- ``Content-Security-Policy``: only the service's own assets (its stylesheet, script and
  icon under ``/static/``), forms posted only to the service, no ``<base>`` rewriting,
  no plugins; a PDF may load nothing at all;
- ``frame-ancestors 'none'`` (and ``X-Frame-Options: DENY`` for older browsers), or the
  configured origins allowed to embed the pages (an EHR's SMART frame);
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer`` (a link's id never
  leaves in a Referer header).

Any header a route sets itself is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["SecurityHeadersMiddleware", "security_headers"]

ASGIApp = Callable[..., Any]

_PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
_DOCUMENT_POLICY = "default-src 'none'; base-uri 'none'; object-src 'none'"
_GUARDED = (b"text/html", b"application/pdf")


def security_headers(media_type: str, frame_ancestors: Iterable[str] = ()) -> dict[str, str]:
    """The headers for a response of ``media_type`` (empty for anything but HTML and PDF).

    ``frame_ancestors``: origins allowed to embed the page; none: nobody may.
    """
    base = media_type.split(";", 1)[0].strip().lower()
    if base not in ("text/html", "application/pdf"):
        return {}
    allowed = " ".join(frame_ancestors) or "'none'"
    policy = _PAGE_POLICY if base == "text/html" else _DOCUMENT_POLICY
    headers = {
        "Content-Security-Policy": f"{policy}; frame-ancestors {allowed}",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    if allowed == "'none'":
        headers["X-Frame-Options"] = "DENY"
    return headers


class SecurityHeadersMiddleware:
    """Add ``security_headers`` to every HTML and PDF response, whichever route sent it."""

    def __init__(self, app: ASGIApp, frame_ancestors: Iterable[str] = ()) -> None:
        self.app = app
        self.by_type = {
            kind: [
                (name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in security_headers(kind.decode(), frame_ancestors).items()
            ]
            for kind in _GUARDED
        }

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                kind = next((v for n, v in headers if n.lower() == b"content-type"), b"")
                base = kind.split(b";", 1)[0].strip().lower()
                extra = self.by_type.get(base, [])
                if extra:
                    headers += [(n, v) for n, v in extra if n not in present]
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)
