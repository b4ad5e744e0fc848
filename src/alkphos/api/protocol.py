"""uvicorn's HTTP protocol (httptools) with read deadlines and connection limits (slowloris).

uvicorn closes a keep-alive connection idle after a response, but not one that never sends
a request, nor one that drips its headers or body a byte at a time: such connections stay
open until the process runs out of file descriptors. Here:

- the request line and headers must arrive within ``header_seconds`` of the connection
  opening (or of the request's first byte on a kept-alive connection), the body within
  ``body_seconds`` of the headers; otherwise the connection is closed;
- at most ``per_client`` connections are open from one client address (more are closed at
  once), and at most ``max_connections`` in all (per worker process): a new connection
  past that closes the connection that has waited longest without sending a whole request
  (an idle one), so idle connections from many addresses cannot lock everyone out; when
  none is idle, the new connection is closed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol  # noqa: TID253 - api only

__all__ = ["Limits", "guarded_protocol"]

logger = logging.getLogger("alkphos.api.connections")


@dataclass(frozen=True, slots=True)
class Limits:
    """Read deadlines (seconds) and connection caps."""

    header_seconds: float = 10.0
    body_seconds: float = 30.0
    max_connections: int = 2000
    per_client: int = 200


class _Guarded(HttpToolsProtocol):
    limits: ClassVar[Limits]
    by_client: ClassVar[Counter[str]]
    idle: ClassVar[dict[_Guarded, None]]  # waiting for a request's headers, oldest first

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._address = ""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        peer = transport.get_extra_info("peername")
        self._address = str(peer[0]) if isinstance(peer, tuple) else ""
        full = len(self.connections) >= self.limits.max_connections
        if self.by_client[self._address] >= self.limits.per_client or (full and not self.idle):
            logger.warning("connection refused: too many open connections")
            transport.abort()
            return
        if full:
            oldest = next(iter(self.idle))
            del self.idle[oldest]
            logger.warning("idle connection closed: the connection limit was reached")
            oldest.transport.abort()
        self.by_client[self._address] += 1
        super().connection_made(transport)
        self.idle[self] = None
        self._arm(self.limits.header_seconds, "headers")

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self.idle.pop(self, None)
        if self.transport is None:
            return  # refused in connection_made: never counted
        self.by_client[self._address] -= 1
        if self.by_client[self._address] <= 0:
            del self.by_client[self._address]
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:
            self._arm(self.limits.header_seconds, "headers")

    def on_headers_complete(self) -> None:
        self.idle.pop(self, None)
        self._disarm()
        self._arm(self.limits.body_seconds, "body")
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self.idle[self] = None  # kept alive, waiting for the next request

    def _arm(self, seconds: float, part: str) -> None:
        self._deadline = self.loop.call_later(seconds, self._expire, part)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self, part: str) -> None:
        self._deadline = None
        if self.transport is not None and not self.transport.is_closing():
            logger.warning("connection closed: the request %s did not arrive in time", part)
            self.transport.close()


def guarded_protocol(limits: Limits) -> type[HttpToolsProtocol]:
    """An httptools protocol class for uvicorn's ``http`` setting, with ``limits``."""
    state = {"limits": limits, "by_client": Counter(), "idle": {}}
    return type("AlkphosHttpProtocol", (_Guarded,), state)
