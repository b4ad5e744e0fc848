"""Under --auth jwt (issue 17, item 2): the case form is off unless --web-form opens it;
card links, /healthz and the assets stay public; what a caller without a token may store
is bounded in size and rate (and the size also on loopback)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from alkphos.api import Settings, create_app
from tests.api.conftest import ISSUER, LATEST, Keys, clock
from tests.api.fhir_cases import prefetch, shifted
from tests.api.servers import serving
from tests.conftest import golden_cases

VIEW = "/cds-services/alkphos-patient-view"
CASE = shifted(next(c for c in golden_cases() if c["id"] == "EX-01")["case"], LATEST)


def _paste(number: int, medications: int = 0) -> dict[str, str]:
    case = {
        "patient": {"age_years": 40 + number % 40, "sex": "female"},
        "results": [{"test": "ALP", "value": 22 + number % 10, "unit": "U/L"}],
        "medications": [f"medicine number {n:06d} of a long list" for n in range(medications)],
    }
    return {"document": json.dumps(case)}


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("GET", "/", None),
        ("POST", "/interpret", {"results-0-test": "ALP", "results-0-value": "22"}),
        ("POST", "/interpret/paste", _paste(0)),
        ("POST", "/examples/01-low-alp-adult", {}),
    ],
)
def test_the_form_is_off_under_jwt(
    jwt_server: str, method: str, path: str, data: dict[str, str] | None
) -> None:
    answer = httpx.request(method, jwt_server + path, data=data, timeout=30)
    assert answer.status_code == 404
    assert "--web-form" in answer.json()["error"]["problem"]


def test_card_links_health_and_assets_stay_public_under_jwt(jwt_server: str, keys: Keys) -> None:
    url = jwt_server + VIEW
    body = {
        "hook": "patient-view",
        "hookInstance": "public-test",
        "context": {"userId": "Practitioner/1", "patientId": "p1"},
        "prefetch": prefetch(CASE, "p1"),
    }
    answer = httpx.post(url, json=body, headers={"Authorization": f"Bearer {keys.token(url)}"})
    link = answer.json()["cards"][0]["links"][0]["url"]
    for address in (link, link + ".json", jwt_server + "/healthz", jwt_server + "/static/app.js"):
        assert httpx.get(address, timeout=30).status_code == 200, address
    assert httpx.post(url, json=body).status_code == 401
    assert httpx.post(jwt_server + "/v1/interpret", json={}).status_code == 401


@pytest.fixture
def open_form(tmp_path: Path, keys: Keys) -> Iterator[str]:
    """A JWT service with --web-form and small limits for anonymous callers."""
    settings = Settings(
        auth="jwt",
        jwks=keys.jwks,
        issuers=(ISSUER,),
        db=tmp_path / "s.db",
        web_form=True,
        anonymous_per_minute=3,
        max_case_bytes=4_000,
        anonymous_bytes_per_hour=1_000_000,
    )
    with serving(create_app(settings, clock=clock)) as url:
        yield url


def test_an_anonymous_caller_may_store_a_few_cases_a_minute(open_form: str) -> None:
    assert httpx.get(open_form + "/").status_code == 200
    sent = [httpx.post(open_form + "/interpret/paste", data=_paste(n)) for n in range(5)]
    assert [a.status_code for a in sent] == [303, 303, 303, 429, 429]
    assert 0 < int(sent[3].headers["Retry-After"]) <= 60
    assert "a minute" in sent[3].json()["error"]["problem"]


def test_an_anonymous_caller_may_not_store_a_large_case(open_form: str) -> None:
    answer = httpx.post(open_form + "/interpret/paste", data=_paste(1, medications=200))
    assert answer.status_code == 413
    assert "at most 4,000 bytes" in answer.json()["error"]["problem"]


def test_all_anonymous_callers_together_store_a_bounded_amount(tmp_path: Path, keys: Keys) -> None:
    settings: dict[str, Any] = {"auth": "jwt", "jwks": keys.jwks, "issuers": (ISSUER,)}
    app = create_app(
        Settings(db=tmp_path / "s.db", web_form=True, anonymous_bytes_per_hour=1_500, **settings),
        clock=clock,
    )
    with serving(app) as url:
        codes = [
            httpx.post(url + "/interpret/paste", data=_paste(n, medications=10)).status_code
            for n in range(4)
        ]
    assert codes[0] == 303
    assert 429 in codes
    assert codes[codes.index(429) :] == [429] * (4 - codes.index(429))


def test_on_loopback_a_stored_case_is_bounded_in_size(tmp_path: Path) -> None:
    app = create_app(Settings(db=tmp_path / "s.db", max_case_bytes=4_000), clock=clock)
    with serving(app) as url:
        big = httpx.post(url + "/interpret/paste", data=_paste(1, medications=200))
        small = [httpx.post(url + "/interpret/paste", data=_paste(n)) for n in range(30)]
    assert big.status_code == 413
    assert {a.status_code for a in small} == {303}  # no rate limit on loopback
