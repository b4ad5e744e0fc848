"""Fixtures of the service tests: apps, real uvicorn servers, a FHIR server, JWT keys."""

from __future__ import annotations

import datetime as dt
import json
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from alkphos.api import Settings, create_app
from tests.api.fhir_server import fhir_server
from tests.api.servers import serving
from tests.conftest import golden_cases

with warnings.catch_warnings():  # starlette warns that it prefers httpx2; httpx is what we have
    warnings.simplefilter("ignore", UserWarning)
    from fastapi.testclient import TestClient

TODAY = dt.date(2025, 3, 1)
LATEST = TODAY - dt.timedelta(days=7)
FHIR_TOKEN = "fhir-access-token-7c1e"
ISSUER = "https://ehr.example.org"
CASES = {case["id"]: case for case in golden_cases()}


def clock() -> dt.date:
    """The service's pinned today."""
    return TODAY


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The service without authentication (loopback), with a pinned clock."""
    db = tmp_path_factory.mktemp("service") / "service.sqlite3"
    return create_app(Settings(db=db), clock=clock)


@pytest.fixture(scope="session")
def client(app: Any) -> Iterator[TestClient]:
    """FastAPI's test client over the app (lifespan run)."""
    with TestClient(app, base_url="http://localhost") as test_client:
        yield test_client


@pytest.fixture(scope="session")
def server(app: Any) -> Iterator[str]:
    """The same app served by a real uvicorn on loopback: its base URL."""
    with serving(app) as url:
        yield url


@dataclass
class FhirServer:
    """The test FHIR server: base URL, its data and the URLs it served."""

    url: str
    data: dict[str, dict[str, list[dict[str, Any]]]]
    seen: list[str]


@pytest.fixture(scope="session")
def fhir() -> Iterator[FhirServer]:
    """A small FHIR server on loopback that demands ``FHIR_TOKEN``."""
    fhir_app, data, seen = fhir_server(FHIR_TOKEN)
    with serving(fhir_app) as url:
        yield FhirServer(url=f"{url}/fhir", data=data, seen=seen)


@dataclass
class Keys:
    """A CDS client's signing key, its JWK Set file, and a second (untrusted) key."""

    private: rsa.RSAPrivateKey
    other: rsa.RSAPrivateKey
    jwks: Path
    kid: str = "client-key-1"

    def token(
        self, aud: str | list[str], key: rsa.RSAPrivateKey | None = None, **claims: Any
    ) -> str:
        """A signed CDS Hooks client JWT for ``aud`` (claims override the defaults)."""
        now = int(dt.datetime.now(dt.UTC).timestamp())
        payload = {
            "iss": ISSUER,
            "aud": aud,
            "iat": now,
            "exp": now + 300,
            "jti": str(uuid.uuid4()),
        }
        payload.update(claims)
        return jwt.encode(
            payload, key or self.private, algorithm="RS384", headers={"kid": self.kid}
        )


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    """An RSA key pair and a JWK Set file holding its public half."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    public.update({"kid": "client-key-1", "alg": "RS384", "use": "sig"})
    path = tmp_path_factory.mktemp("jwks") / "jwks.json"
    path.write_text(json.dumps({"keys": [public]}), encoding="utf-8")
    return Keys(private=private, other=other, jwks=path)


@pytest.fixture(scope="session")
def jwt_app(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> Any:
    """The service with CDS Hooks JWT authentication."""
    db = tmp_path_factory.mktemp("jwt") / "service.sqlite3"
    settings = Settings(auth="jwt", jwks=keys.jwks, issuers=(ISSUER,), db=db)
    return create_app(settings, clock=clock)


@pytest.fixture(scope="session")
def jwt_server(jwt_app: Any) -> Iterator[str]:
    """The JWT-protected service on a real uvicorn: its base URL."""
    with serving(jwt_app) as url:
        yield url


@pytest.fixture(params=["testclient", "uvicorn"])
def api(request: pytest.FixtureRequest, client: TestClient, server: str) -> Iterator[Any]:
    """An HTTP client of the service: FastAPI's TestClient, then a real uvicorn server."""
    if request.param == "testclient":
        yield client
    else:
        with httpx.Client(base_url=server, timeout=30) as http:
            yield http
