"""A bug in a route is one logged 500 with the usual error body; the connection lives on."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from alkphos.api import Settings, create_app
from tests.api.conftest import clock
from tests.api.servers import serving

SECRET = "patient-name-Ada-Lovelace"


@pytest.fixture(scope="module")
def broken_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real service with one extra route that fails as a bug would."""
    app = create_app(Settings(db=tmp_path_factory.mktemp("failsafe") / "s.sqlite3"), clock=clock)

    async def broken() -> Any:
        raise RuntimeError(SECRET)

    app.add_api_route("/broken", broken, methods=["GET"])
    with serving(app) as url:
        yield url


def _exchange(url: str, paths: list[str]) -> list[bytes]:
    """Send the requests on one keep-alive connection; the raw responses, in order."""
    host, port = url.removeprefix("http://").split(":")
    answers: list[bytes] = []
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        reader = sock.makefile("rb")
        for path in paths:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            head = b""
            while not head.endswith(b"\r\n\r\n"):
                line = reader.readline()
                assert line, f"the connection was closed after {len(answers)} answers"
                head += line
            length = next(
                int(h.split(b":")[1])
                for h in head.split(b"\r\n")
                if h.lower().startswith(b"content-length")
            )
            answers.append(head + reader.read(length))
    return answers


def test_a_500_keeps_the_connection_and_is_logged_once(
    broken_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 17: the 500 was logged twice (the second time with the message) and the
    keep-alive connection was dropped."""
    with caplog.at_level(logging.INFO):
        broken, health = _exchange(broken_server, ["/broken", "/healthz"])
    assert broken.startswith(b"HTTP/1.1 500 ")
    assert broken.endswith(
        b'"problem":"internal error","accepted":"","suggestion":null,"message":"internal error"}}'
    )
    assert health.startswith(b"HTTP/1.1 200 ")
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.name for r in errors] == ["alkphos.api"]
    assert "RuntimeError" in errors[0].getMessage()
    assert SECRET not in caplog.text


def test_a_bad_jwk_is_named_not_an_internal_error(tmp_path: Path) -> None:
    """Issue 17: a JWK whose numbers are not base64 was an "internal error"."""
    jwks = tmp_path / "keys.json"
    jwks.write_text('{"keys": [{"kty": "RSA", "kid": "a", "n": "x", "e": "AQAB"}]}')
    settings = Settings(
        auth="jwt", jwks=jwks, issuers=("https://ehr.example.org",), db=tmp_path / "s.sqlite3"
    )
    with pytest.raises(ValueError, match=r"keys\.json: keys\[0\] is not a usable public key \("):
        create_app(settings)


def test_invalid_json_is_at_the_root_with_its_position(api: Any) -> None:
    """Issue 17: FastAPI's character offset was shown as a JSON path ("[9]")."""
    for path in (
        "/cds-services/alkphos-patient-view",
        "/cds-services/alkphos-patient-view/feedback",
    ):
        response = api.post(
            path, content=b'{"hook": x}', headers={"content-type": "application/json"}
        )
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["path"] == "$"
        assert error["problem"] == "not JSON: Expecting value at character 10"
