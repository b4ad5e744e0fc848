"""Service settings: address, authentication and storage (plain data; the CLI fills them)."""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from alkphos.api.protocol import Limits

__all__ = ["MAX_BODY_BYTES", "Settings", "default_db", "is_loopback"]

MAX_BODY_BYTES = 1_000_000
# An origin as a Content-Security-Policy source: scheme, host (or *.host), optional port.
_ORIGIN = re.compile(r"https?://(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?")
_HOST = re.compile(r"[A-Za-z0-9.-]+|\[?[0-9A-Fa-f:.]+\]?")


def default_db() -> Path:
    """The feedback and link store: ``$XDG_DATA_HOME/alkphos/service.sqlite3``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "alkphos" / "service.sqlite3"


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (127.0.0.0/8, ::1 or localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    """How the service runs.

    Attributes:
        host, port: where it listens (used for messages; uvicorn binds them).
        auth: ``none`` (loopback only) or ``jwt`` (CDS Hooks client JWTs, checked per call).
        jwks: a JWK Set file with the clients' public keys (``auth="jwt"``).
        issuers: the allowed ``iss`` values (``auth="jwt"``).
        public_url: the base URL clients call (behind a proxy); ``aud`` must be this plus the
            path. Without it the URL of the request is used.
        db: the SQLite file for feedback, card links and JWT ids.
        link_days: how many days a card's interpretation link stays valid after it was
            last shown.
        max_body_bytes: larger request bodies get 413.
        frame_ancestors: origins allowed to embed the web page in a frame (e.g. an EHR);
            none: no one may.
        intervals: a laboratory's intervals file, loaded at start and used by every route
            in place of the knowledge base's intervals for the people it covers.
        web_form: serve the case form (``/``, ``/interpret``, ``/interpret/paste``,
            ``/examples/...``), which anyone who reaches the service may use; default: on
            with ``auth="none"`` (loopback), off with ``auth="jwt"``.
        max_case_bytes: the largest case the web form stores (its link's content).
        anonymous_per_minute, anonymous_bytes_per_hour: with ``auth="jwt"`` and the form
            on, the cases one client address may store a minute, and the bytes all of
            them together may store an hour.
        pdf_workers, pdf_waiting: processes rendering PDF reports at once, and requests
            for one that may wait (more get 503).
        header_seconds, body_seconds: a request's headers must arrive within this many
            seconds of its connection (or first byte), its body within this many of its
            headers; else the connection is closed.
        max_connections, max_connections_per_client: open connections per worker process,
            and from one client address; more are closed at once.
        fhir_max_bytes, fhir_max_entries, fhir_seconds: what one CDS call reads from the
            client's FHIR server at most (more bytes or time: the key is not had; more
            entries: the rest are left out, with a note).
        allowed_hosts: more names clients may reach the service by (``Host``), beside the
            host of ``public_url``, the listening address and, on loopback, the loopback
            names; a request for any other name is refused.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    auth: Literal["none", "jwt"] = "none"
    jwks: Path | None = None
    issuers: tuple[str, ...] = ()
    public_url: str | None = None
    db: Path = field(default_factory=default_db)
    link_days: int = 30
    max_body_bytes: int = MAX_BODY_BYTES
    frame_ancestors: tuple[str, ...] = ()
    intervals: Path | None = None
    allowed_hosts: tuple[str, ...] = ()
    web_form: bool | None = None
    max_case_bytes: int = 100_000
    anonymous_per_minute: int = 20
    anonymous_bytes_per_hour: int = 20_000_000
    pdf_workers: int = 1
    pdf_waiting: int = 8
    header_seconds: float = 10.0
    body_seconds: float = 30.0
    max_connections: int = 2000
    max_connections_per_client: int = 200
    fhir_max_bytes: int = 10_000_000
    fhir_max_entries: int = 5_000
    fhir_seconds: float = 10.0

    def problems(self) -> list[str]:
        """What stops the service from starting safely, in words (empty when fine)."""
        found: list[str] = []
        if self.auth == "none" and not is_loopback(self.host):
            found.append(
                f"--auth none serves only on a loopback address, not {self.host}: "
                "use --auth jwt --jwks FILE --issuer ISS to serve on other addresses"
            )
        if self.auth == "none" and (self.jwks is not None or self.issuers):
            found.append(
                "--jwks and --issuer apply only with --auth jwt; without it the service would "
                "run with no authentication: add --auth jwt, or leave them out"
            )
        if self.auth == "jwt":
            if self.jwks is None:
                found.append("--auth jwt needs --jwks FILE (the clients' public keys)")
            if not self.issuers:
                found.append("--auth jwt needs at least one --issuer (the allowed iss values)")
        if self.public_url is not None and not self.public_url.startswith(("http://", "https://")):
            found.append(
                f"--public-url must start with http:// or https:// (got {self.public_url})"
            )
        if not self.host_names():
            found.append(
                f"listening on {self.host}, the service has no name to answer to: give "
                "--public-url URL or --allowed-host NAME (the names clients call it by)"
            )
        found += [
            f"--allowed-host must be a host name or address without scheme or port (got {name!r})"
            for name in self.allowed_hosts
            if not _HOST.fullmatch(name)
        ]
        found += [
            f"--frame-ancestor must be an origin such as https://ehr.example.org (got {origin!r})"
            for origin in self.frame_ancestors
            if not _ORIGIN.fullmatch(origin)
        ]
        return found

    @property
    def serves_form(self) -> bool:
        """Whether the case form is served (see ``web_form``)."""
        return self.web_form if self.web_form is not None else self.auth == "none"

    def host_names(self) -> frozenset[str]:
        """The names the service answers to (the ``Host`` of a request must be one)."""
        from alkphos.api.hosts import service_names

        return service_names(self.host, self.public_url, self.allowed_hosts, is_loopback(self.host))

    def connection_limits(self) -> Limits:
        """The read deadlines and connection caps for the HTTP server."""
        from alkphos.api.protocol import Limits

        return Limits(
            header_seconds=self.header_seconds,
            body_seconds=self.body_seconds,
            max_connections=self.max_connections,
            per_client=self.max_connections_per_client,
        )

    def base_url(self) -> str:
        """The base URL used for card links when no request URL is at hand."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"
