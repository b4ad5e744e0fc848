"""Host trust, cross-site posts and JSON content types (issue 17, item 9), on real uvicorn
servers: an unknown Host is refused before anything reads it (JWT audience, card links),
another site's page cannot post, and JSON routes refuse other content types."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from alkphos.api import Settings, create_app
from alkphos.api.hosts import host_name
from tests.api.conftest import ISSUER, LATEST, Keys, clock
from tests.api.fhir_cases import bundle, prefetch, shifted
from tests.api.servers import serving
from tests.conftest import golden_cases

VIEW = "/cds-services/alkphos-patient-view"
CASE = shifted(next(c for c in golden_cases() if c["id"] == "EX-01")["case"], LATEST)
FORM = {"results-0-test": "ALP", "results-0-value": "22", "results-0-unit": "U/L"}


def _call() -> dict[str, Any]:
    return {
        "hook": "patient-view",
        "hookInstance": "host-test",
        "context": {"userId": "Practitioner/1", "patientId": "p1"},
        "prefetch": prefetch(CASE, "p1"),
    }


def _port(url: str) -> str:
    return url.rsplit(":", 1)[1]


@pytest.mark.parametrize(
    ("header", "name"),
    [("LocalHost:8000", "localhost"), ("[::1]:80", "::1"), ("cds.example.org.", "cds.example.org")],
)
def test_host_names_are_compared_without_port_case_or_dot(header: str, name: str) -> None:
    assert host_name(header) == name


def test_an_unknown_host_is_refused_before_anything_runs(server: str) -> None:
    """DNS rebinding: a page of evil.example resolving to 127.0.0.1 reaches the loopback
    service with Host evil.example: 421, and no card link or page is made for it."""
    for path, kwargs in (
        (VIEW, {"json": _call()}),
        ("/v1/interpret", {"json": {"patient": {}, "results": [{"test": "ALP", "value": 22}]}}),
        ("/interpret", {"data": FORM}),
    ):
        answer = httpx.post(
            server + path, headers={"Host": f"evil.example:{_port(server)}"}, timeout=30, **kwargs
        )
        assert answer.status_code == 421, path
        assert "Host" in answer.json()["error"]["message"]
        assert "evil.example" not in answer.text
    assert httpx.get(server + "/", headers={"Host": "evil.example"}).status_code == 421
    assert httpx.get(server + "/healthz", headers={"Host": "10.1.2.3"}).status_code == 200
    for name in ("localhost", "127.0.0.1", "[::1]"):
        headers = {"Host": f"{name}:{_port(server)}"}
        assert httpx.get(server + "/", headers=headers).status_code == 200, name


def test_a_token_for_another_host_is_refused(jwt_server: str, keys: Keys) -> None:
    """Without --public-url the audience comes from Host only once Host is one of the
    service's names: a token made for evil.example is refused with its Host."""
    evil = f"http://evil.example:{_port(jwt_server)}{VIEW}"
    answer = httpx.post(
        jwt_server + VIEW,
        json=_call(),
        headers={
            "Host": f"evil.example:{_port(jwt_server)}",
            "Authorization": f"Bearer {keys.token(evil)}",
        },
        timeout=30,
    )
    assert answer.status_code == 421
    good = f"{jwt_server}{VIEW}"
    answer = httpx.post(
        good, json=_call(), headers={"Authorization": f"Bearer {keys.token(good)}"}, timeout=30
    )
    assert answer.status_code == 200
    assert answer.json()["cards"][0]["links"][0]["url"].startswith(jwt_server)


def test_allowed_hosts_and_the_public_url_host_are_answered(tmp_path: Path) -> None:
    settings = Settings(
        db=tmp_path / "s.db",
        public_url="https://cds.example.org/alkphos",
        allowed_hosts=("alkphos.internal",),
    )
    with serving(create_app(settings, clock=clock)) as url:
        for name, status in (
            ("cds.example.org", 200),
            ("alkphos.internal:8443", 200),
            ("127.0.0.1", 200),
            ("other.example.org", 421),
        ):
            assert httpx.get(url + "/", headers={"Host": name}).status_code == status, name


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, 403),
        ({"Sec-Fetch-Site": "same-site"}, 403),
        ({"Origin": "https://evil.example"}, 403),
        ({"Origin": "null"}, 403),
        ({"Sec-Fetch-Site": "same-origin", "Origin": "null"}, 303),  # Referrer-Policy no-referrer
        ({"Sec-Fetch-Site": "none"}, 303),
        ({}, 303),  # not a browser
        ({"Origin": "{own}"}, 303),
    ],
)
def test_form_posts_from_another_site_are_refused(
    server: str, headers: dict[str, str], status: int
) -> None:
    sent = {key: value.replace("{own}", server) for key, value in headers.items()}
    for path, data in (("/interpret", FORM), ("/examples/01-low-alp-adult", {})):
        answer = httpx.post(server + path, data=data, headers=sent, timeout=30)
        assert answer.status_code == status, (path, headers, answer.text[:200])


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
@pytest.mark.parametrize("path", ["/v1/interpret", "/v1/interpret/fhir", VIEW])
def test_json_routes_refuse_other_content_types(
    server: str, path: str, content_type: str | None
) -> None:
    """A page of another site can post text/plain without a CORS preflight: refused."""
    headers = {"Content-Type": content_type} if content_type else {}
    body = b'{"patient": {}, "results": [{"test": "ALP", "value": 22}]}'
    answer = httpx.post(server + path, content=body, headers=headers, timeout=30)
    assert answer.status_code == 415
    assert "not JSON" in answer.json()["error"]["problem"]


def test_fhir_json_is_json(server: str) -> None:
    body = json.dumps(bundle(CASE)).encode()
    answer = httpx.post(
        server + "/v1/interpret/fhir",
        content=body,
        headers={"Content-Type": "application/fhir+json; charset=utf-8"},
        timeout=30,
    )
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"host": "0.0.0.0", "auth": "jwt"}, "--allowed-host"),
        ({"allowed_hosts": ("http://x.example",)}, "--allowed-host must be"),
    ],
)
def test_a_service_without_a_name_refuses_to_start(
    tmp_path: Path, keys: Keys, settings: dict[str, Any], words: str
) -> None:
    extra: dict[str, Any] = (
        {"jwks": keys.jwks, "issuers": (ISSUER,)} if settings.get("auth") else {}
    )
    with pytest.raises(ValueError, match=words):
        create_app(Settings(db=tmp_path / "s.db", **settings, **extra))
