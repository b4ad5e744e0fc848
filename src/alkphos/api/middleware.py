"""ASGI middleware: the request-size limit (413) and an access log without patient data."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["AccessLogMiddleware", "BodyLimitMiddleware"]

logger = logging.getLogger("alkphos.api.access")
ASGIApp = Callable[..., Any]


def _too_large(limit: int) -> bytes:
    """The 413 body: RFC 9457 problem details, as every other refusal."""
    problem = f"the request body is larger than {limit} bytes"
    detail = {
        "path": "$",
        "problem": problem,
        "accepted": f"at most {limit} bytes",
        "suggestion": None,
        "message": f"$: {problem} (at most {limit} bytes)",
    }
    body = {
        "type": "about:blank",
        "title": "The request body is too large",
        "status": 413,
        "detail": detail["message"],
        "errors": [detail],
        "error": detail,
    }
    return json.dumps(body, separators=(",", ":")).encode()


class BodyLimitMiddleware:
    """Refuse request bodies above ``limit`` bytes with 413, before the app reads them.

    The body is read (up to the limit) and replayed to the app, so a chunked upload without
    Content-Length is limited too.
    """

    def __init__(self, app: ASGIApp, limit: int, larger: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.limit = limit
        self.larger = dict(larger or {})  # path -> its own limit (a report upload)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope.get("path", ""), self.limit)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, limit)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if replayed:
                message: dict[str, Any] = await receive()
                return message
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, send: Any, limit: int) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": _too_large(limit)})


class AccessLogMiddleware:
    """One log line per request: method, route template, status, milliseconds.

    The route template (``/interpretations/{link}``) is logged, never the concrete path or
    query, so link ids and query values stay out of the log.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def sending(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "(no route)"
            logger.info(
                "%s %s %d %.1fms",
                scope["method"],
                template,
                status,
                (time.perf_counter() - start) * 1000,
            )
