"""CDS Hooks client authentication: a bearer JWT on every call, checked against a JWK Set.

Per the CDS Hooks 2.0 security section: the JWT is signed with an asymmetric key named by
``kid`` in the client's JWK Set (never ``none`` or HMAC); ``iss`` must be on the allow-list;
``aud`` must be the URL of the endpoint being called; ``exp``, ``iat`` and ``jti`` are
required, and a ``jti`` seen before is refused as a replay. Every refusal is a bare 401;
the log records only the reason, never the token or its claims.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt

from alkphos.api.errors import error_response
from alkphos.api.store import Store
from alkphos.errors import InputError

__all__ = ["AuthMiddleware", "JwtVerifier", "load_jwks"]

logger = logging.getLogger("alkphos.api.auth")

_ASYMMETRIC = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
_REQUIRED = ["exp", "iat", "jti", "iss", "aud"]
# The same answer for every refusal: why is logged, never told to the caller.
_UNAUTHORIZED = InputError(
    "Authorization",
    "unauthorized",
    "a bearer JWT signed by a key of the service's key set, for this URL",
)
ASGIApp = Callable[..., Any]


def load_jwks(path: Path) -> dict[str, jwt.PyJWK]:
    """The public keys of a JWK Set file by ``kid`` (symmetric keys are refused)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        msg = f"{path}: cannot read the JWK Set ({exc})"
        raise ValueError(msg) from None
    keys: dict[str, jwt.PyJWK] = {}
    for index, data in enumerate(document.get("keys", []) if isinstance(document, dict) else []):
        kid = data.get("kid") if isinstance(data, dict) else None
        if not kid:
            msg = f"{path}: keys[{index}] has no kid (CDS Hooks clients name keys by kid)"
            raise ValueError(msg)
        if data.get("kty") == "oct" or "d" in data:
            msg = f"{path}: keys[{index}] is a symmetric or private key; give public keys only"
            raise ValueError(msg)
        keys[str(kid)] = _key(path, index, data)
    if not keys:
        msg = f"{path}: the JWK Set has no keys"
        raise ValueError(msg)
    return keys


def _key(path: Path, index: int, data: dict[str, Any]) -> jwt.PyJWK:
    try:
        return jwt.PyJWK.from_dict(data)
    except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError) as exc:
        msg = f"{path}: keys[{index}] is not a usable public key ({exc})"
        raise ValueError(msg) from None


class JwtVerifier:
    """Checks one bearer token for one endpoint URL."""

    def __init__(
        self, keys: dict[str, jwt.PyJWK], issuers: tuple[str, ...], store: Store, leeway: float = 30
    ) -> None:
        self.keys = keys
        self.issuers = frozenset(issuers)
        self.store = store
        self.leeway = leeway

    def refusal(self, authorization: str | None, audience: str) -> str | None:
        """Why the request is refused (a short reason for the log), or None to accept it."""
        if not authorization or not authorization.startswith(("Bearer ", "bearer ")):
            return "no bearer token"
        token = authorization[7:].strip()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            return "malformed token"
        algorithm = header.get("alg")
        key = self.keys.get(str(header.get("kid")))
        if key is None:
            return "unknown kid"
        if algorithm not in _ASYMMETRIC or (key.algorithm_name and key.algorithm_name != algorithm):
            return "algorithm not allowed"
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[str(algorithm)],
                audience=audience,
                issuer=self.issuers,
                leeway=self.leeway,
                options={"require": _REQUIRED},
            )
        except jwt.ExpiredSignatureError:
            return "expired"
        except jwt.InvalidAudienceError:
            return "wrong audience"
        except jwt.InvalidIssuerError:
            return "issuer not allowed"
        except jwt.MissingRequiredClaimError as exc:
            return f"missing claim {exc.claim}"
        except jwt.InvalidSignatureError:
            return "bad signature"
        except jwt.InvalidTokenError:
            return "invalid token"
        if not self.store.first_use(str(claims["iss"]), str(claims["jti"]), float(claims["exp"])):
            return "replayed jti"
        return None


class AuthMiddleware:
    """ASGI middleware: 401 unless the bearer JWT is valid for the URL being called."""

    def __init__(
        self,
        app: ASGIApp,
        verifier: JwtVerifier,
        public_url: str | None,
        exempt: Callable[[str], bool],
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.public_url = public_url.rstrip("/") if public_url else None
        self.exempt = exempt

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self.exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        authorization = headers.get(b"authorization", b"").decode("latin-1") or None
        reason = self.verifier.refusal(authorization, self._audience(scope, headers))
        if reason is None:
            await self.app(scope, receive, send)
            return
        logger.warning("request refused (401): %s", reason)
        refused = error_response(401, _UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
        await refused(scope, receive, send)

    def _audience(self, scope: dict[str, Any], headers: dict[bytes, bytes]) -> str:
        path = str(scope.get("root_path", "")) + str(scope["path"])
        if self.public_url:
            return self.public_url + str(scope["path"])
        host = headers.get(b"host", b"").decode("latin-1")
        if not host and scope.get("server"):
            server_host, port = scope["server"]
            host = f"{server_host}:{port}"
        return f"{scope.get('scheme', 'http')}://{host}{path}"
