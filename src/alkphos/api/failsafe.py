"""The last line: an exception no handler took becomes one logged 500, and the connection lives.

Starlette answers such an exception with the app's 500 handler and then raises it again to
the server, which logs it a second time (with the message, which may quote the request) and
drops the keep-alive connection. Here it is answered and logged once (frames only).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

__all__ = ["INTERNAL_ERROR", "FailsafeMiddleware"]

logger = logging.getLogger("alkphos.api")
ASGIApp = Callable[..., Any]
# RFC 9457 problem details, as every other error; ``error`` as the other bodies carry it.
INTERNAL_ERROR = (
    b'{"type":"about:blank","title":"Internal error","status":500,"detail":"internal error",'
    b'"errors":[{"path":"$","problem":"internal error","accepted":"","suggestion":null,'
    b'"message":"internal error"}],'
    b'"error":{"path":"$","problem":"internal error","accepted":"","suggestion":null,'
    b'"message":"internal error"}}'
)


class FailsafeMiddleware:
    """Answer an unhandled exception with a 500 problem-details error, log its frames once, re-raise
    nothing (unless the answer had already begun: then the server must close the stream)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:
            frames = "".join(traceback.format_tb(exc.__traceback__))
            logger.error(
                "internal error (%s) on %s\n%s", type(exc).__name__, scope["method"], frames
            )
            if started:
                raise
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/problem+json"),
                        (b"content-length", str(len(INTERNAL_ERROR)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": INTERNAL_ERROR})
