"""Only the names the service is configured under are answered (DNS rebinding, Host trust).

A browser tricked into calling a loopback service through an attacker's name (DNS
rebinding) sends that name in ``Host``; a client of a service without ``--public-url``
would otherwise set the JWT audience and the card links' address through it. Every request
whose ``Host`` is not one of the service's names gets 421 before anything else runs
(``/healthz`` excepted: a load balancer's health check may use any address). The names:
the host of ``--public-url``, the listening address unless it is a wildcard, the loopback
names when listening on loopback, and each ``--allowed-host``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from alkphos.api.errors import error_response
from alkphos.errors import InputError

__all__ = ["HostMiddleware", "host_name", "service_names"]

logger = logging.getLogger("alkphos.api.hosts")
ASGIApp = Callable[..., Any]
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
_WILDCARDS = ("0.0.0.0", "::", "")


def host_name(host: str) -> str:
    """The name in a ``Host`` header value: lower case, without port, brackets or the
    trailing dot (``[::1]:8000`` -> ``::1``)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def service_names(
    listen: str, public_url: str | None, allowed: Iterable[str], loopback: bool
) -> frozenset[str]:
    """Every name the service answers to."""
    names = {host_name(name) for name in allowed}
    if public_url:
        names.add((urlsplit(public_url).hostname or "").lower())
    if host_name(listen) not in _WILDCARDS:
        names.add(host_name(listen))
    if loopback:
        names.update(_LOOPBACK_NAMES)
    return frozenset(names - {""})


class HostMiddleware:
    """421 for a request whose ``Host`` is not a name of the service."""

    def __init__(self, app: ASGIApp, names: frozenset[str], exempt: tuple[str, ...]) -> None:
        self.app = app
        self.names = names
        self.exempt = exempt

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        host = next((v for k, v in scope["headers"] if k == b"host"), b"").decode("latin-1")
        if host_name(host) in self.names:
            await self.app(scope, receive, send)
            return
        logger.warning("request refused (421): Host is not a name of this service")
        refused = error_response(
            421,
            InputError(
                "Host",
                "not a name this service is configured under",
                "the host of --public-url, the listening address, or an --allowed-host",
            ),
            headers={"Connection": "close"},
        )
        await refused(scope, receive, send)
