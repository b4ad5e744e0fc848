"""uvicorn's HTTP protocol (httptools) with read deadlines and connection limits (slowloris).

uvicorn closes a keep-alive connection idle after a response, but not one that never sends
a request, nor one that drips its headers or body a byte at a time: such connections stay
open until the process runs out of file descriptors. Here:

- the request line and headers must arrive within ``header_seconds`` of the connection
  opening (or of the request's first byte on a kept-alive connection), the body within
  ``body_seconds`` of the headers; otherwise the connection is closed;
- at most ``max_connections`` connections are open at once (per worker process), at most
  ``per_client`` of them from one client address; a connection beyond either is closed
  at once, so one address cannot take every connection.
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._address = ""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        peer = transport.get_extra_info("peername")
        self._address = str(peer[0]) if isinstance(peer, tuple) else ""
        if (
            len(self.connections) >= self.limits.max_connections
            or self.by_client[self._address] >= self.limits.per_client
        ):
            logger.warning("connection refused: too many open connections")
            transport.abort()
            return
        self.by_client[self._address] += 1
        super().connection_made(transport)
        self._arm(self.limits.header_seconds, "headers")

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
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
        self._disarm()
        self._arm(self.limits.body_seconds, "body")
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

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
    return type("AlkphosHttpProtocol", (_Guarded,), {"limits": limits, "by_client": Counter()})
