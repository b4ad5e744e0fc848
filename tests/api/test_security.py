"""Security: CDS Hooks client JWTs, loopback-only without them, and nothing secret in logs."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from alkphos.api import Settings, create_app
from tests.api.conftest import (
    CASES,
    FHIR_TOKEN,
    ISSUER,
    LATEST,
    FhirServer,
    Keys,
    TestClient,
    clock,
)
from tests.api.fhir_cases import prefetch, resources, shifted

VIEW = "/cds-services/alkphos-patient-view"


def _call(patient_id: str = "p1", data: dict[str, Any] | None = None) -> dict[str, Any]:
    case = shifted(CASES["EX-01"]["case"], LATEST)
    return {
        "hook": "patient-view",
        "hookInstance": "security-test",
        "context": {"userId": "Practitioner/1", "patientId": patient_id},
        "prefetch": data if data is not None else prefetch(case, patient_id),
    }


def _get(url: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(url, headers=headers, timeout=30)


def test_valid_token_is_accepted(jwt_server: str, keys: Keys) -> None:
    """A JWT signed with a listed key, from an allowed issuer, for this URL: 200."""
    assert (
        _get(f"{jwt_server}/cds-services", keys.token(f"{jwt_server}/cds-services")).status_code
        == 200
    )
    url = f"{jwt_server}{VIEW}"
    response = httpx.post(
        url, json=_call(), headers={"Authorization": f"Bearer {keys.token(url)}"}, timeout=30
    )
    assert response.status_code == 200
    assert len(response.json()["cards"]) == 2
    listed = keys.token([f"{jwt_server}/cds-services", "https://other.example.org"])
    assert _get(f"{jwt_server}/cds-services", listed).status_code == 200


def _refused(response: httpx.Response) -> None:
    assert response.status_code == 401
    error = response.json()["error"]  # the shape of every error, and no detail of why
    assert (error["path"], error["problem"]) == ("Authorization", "unauthorized")
    assert error["message"].startswith("Authorization: unauthorized (a bearer JWT")
    assert response.headers["www-authenticate"] == "Bearer"


def test_refusals(jwt_server: str, keys: Keys) -> None:
    """Bad signature, wrong audience, expired, wrong issuer, unknown kid, HMAC, none: 401."""
    url = f"{jwt_server}/cds-services"
    now = int(dt.datetime.now(dt.UTC).timestamp())
    payload = {"iss": ISSUER, "aud": url, "iat": now, "exp": now + 60, "jti": "hmac-1"}
    bad = {
        "signature": keys.token(url, key=keys.other),
        "audience": keys.token(f"{jwt_server}{VIEW}"),
        "expired": keys.token(url, iat=now - 4000, exp=now - 3600),
        "issuer": keys.token(url, iss="https://evil.example.org"),
        "no jti": keys.token(url, jti=None),
        "unknown kid": jwt.encode(payload, keys.private, algorithm="RS384", headers={"kid": "x"}),
        "hmac": jwt.encode(
            payload,
            "shared-secret-32-bytes-long-xxxxx",
            algorithm="HS256",
            headers={"kid": keys.kid},
        ),
        "none": jwt.encode(payload, None, algorithm="none", headers={"kid": keys.kid}),
        "garbage": "not-a-jwt",
        "missing": None,
    }
    for reason, token in bad.items():
        response = _get(url, token)
        assert response.status_code == 401, reason
        _refused(response)


def test_replayed_token_is_refused(jwt_server: str, keys: Keys) -> None:
    """The same jti twice: the second call is refused."""
    url = f"{jwt_server}/cds-services"
    token = keys.token(url)
    assert _get(url, token).status_code == 200
    _refused(_get(url, token))


def test_health_and_card_links_need_no_token(jwt_server: str, keys: Keys) -> None:
    """/healthz and a card's link open without a token; the API copy of the link does not."""
    assert _get(f"{jwt_server}/healthz", None).status_code == 200
    url = f"{jwt_server}{VIEW}"
    cards = httpx.post(
        url, json=_call(), headers={"Authorization": f"Bearer {keys.token(url)}"}, timeout=30
    ).json()["cards"]
    link = cards[0]["links"][0]["url"]
    assert _get(link, None).status_code == 200
    api_link = link.replace("/interpretations/", "/v1/interpretations/")
    _refused(_get(api_link, None))
    assert _get(api_link, keys.token(api_link)).status_code == 200


def test_the_openapi_document_marks_exactly_the_paths_served_without_a_token(
    jwt_server: str, keys: Keys
) -> None:
    url = f"{jwt_server}/openapi.json"
    document = _get(url, keys.token(url)).json()
    open_paths = {
        path
        for path, operations in document["paths"].items()
        if all(operation.get("security") == [] for operation in operations.values())
    }
    assert open_paths == {"/healthz", "/interpretations/{link}"}
    for path in open_paths:
        assert _get(f"{jwt_server}{path.replace('{link}', '0' * 32)}", None).status_code != 401


def test_public_url_sets_the_audience(tmp_path: Path, keys: Keys) -> None:
    """Behind a proxy the audience is --public-url plus the path, and links use it too."""
    public = "https://cds.example.org/alkphos"
    settings = Settings(
        auth="jwt", jwks=keys.jwks, issuers=(ISSUER,), public_url=public, db=tmp_path / "s.db"
    )
    with TestClient(create_app(settings, clock=clock), base_url="http://localhost") as test_client:
        good = {"Authorization": f"Bearer {keys.token(public + VIEW)}"}
        response = test_client.post(VIEW, json=_call(), headers=good)
        assert response.status_code == 200
        assert response.json()["cards"][0]["links"][0]["url"].startswith(
            public + "/interpretations/"
        )
        wrong = {"Authorization": f"Bearer {keys.token('http://localhost' + VIEW)}"}
        assert test_client.post(VIEW, json=_call(), headers=wrong).status_code == 401


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"host": "0.0.0.0"}, "loopback"),
        ({"host": "192.168.1.5", "auth": "none"}, "loopback"),
        ({"auth": "jwt", "issuers": (ISSUER,)}, "--jwks"),
        ({"auth": "jwt", "jwks": Path("x.json")}, "--issuer"),
        ({"public_url": "cds.example.org"}, "--public-url"),
    ],
)
def test_unsafe_settings_refuse_to_start(
    tmp_path: Path, settings: dict[str, Any], words: str
) -> None:
    """Without JWT the service serves only loopback; JWT needs keys and issuers."""
    with pytest.raises(ValueError, match=words):
        create_app(Settings(db=tmp_path / "s.db", **settings))


def test_loopback_without_auth_logs_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """--auth none on loopback starts, with a warning in the log."""
    with caplog.at_level(logging.WARNING):
        create_app(Settings(host="::1", db=tmp_path / "s.db"))
    assert "authentication is off" in caplog.text


def test_no_token_or_patient_data_in_logs(
    jwt_server: str, keys: Keys, fhir: FhirServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Tokens, patient ids, birth dates and values never reach the log, even on errors."""
    patient_id = "pt-7f3a9b2c"
    case = shifted(CASES["EX-01"]["case"], LATEST)
    fhir.data[patient_id] = resources(case, patient_id, medication="MedicationRequest")
    birth = fhir.data[patient_id]["patient"][0]["birthDate"]
    url = f"{jwt_server}{VIEW}"
    tokens = [keys.token(url) for _ in range(3)]
    with caplog.at_level(logging.DEBUG):
        body = _call(patient_id, {})
        body.pop("prefetch")
        body["fhirServer"] = fhir.url
        body["fhirAuthorization"] = {"access_token": FHIR_TOKEN, "token_type": "Bearer"}
        ok = httpx.post(
            url, json=body, headers={"Authorization": f"Bearer {tokens[0]}"}, timeout=30
        )
        assert ok.status_code == 200
        link = ok.json()["cards"][0]["links"][0]["url"]
        assert _get(link, None).status_code == 200
        bad = _call(patient_id)
        bad["prefetch"]["observations"]["entry"][0]["resource"]["valueQuantity"]["value"] = "x"
        refused = httpx.post(
            url, json=bad, headers={"Authorization": f"Bearer {tokens[1]}"}, timeout=30
        )
        assert refused.status_code == 422
        _refused(
            httpx.post(url, json=body, headers={"Authorization": f"Bearer {tokens[1]}"}, timeout=30)
        )
    text = caplog.text
    assert "POST /cds-services/{service_id} 200" in text  # the access log is there
    assert "replayed jti" in text
    for secret in (*tokens[:2], FHIR_TOKEN, patient_id, birth, link.rsplit("/", 1)[1]):
        assert secret not in text, secret
    assert json.dumps(case["results"][0]["value"]) + " U/L" not in text
