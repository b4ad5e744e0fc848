"""Security headers on every HTML page and PDF: CSP with only the service's own assets,
nosniff, frame-ancestors (none, or the configured origins), no referrer."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from alkphos.api import Settings, create_app
from alkphos.api.headers import security_headers
from tests.api.conftest import CASES, clock

CASE = CASES["EX-01"]["case"]


def _policy(response: httpx.Response) -> dict[str, str]:
    """The Content-Security-Policy as directive -> sources."""
    text = response.headers["content-security-policy"]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in text.split(";"))
        if part
    }


def _link(client: TestClient) -> str:
    response = client.post("/v1/interpret", json=CASE, headers={"Accept": "text/html"})
    found = re.search(r"/interpretations/([0-9a-f]{32})", response.text)
    assert found is not None
    return found.group(1)


def _responses(client: TestClient) -> dict[str, httpx.Response]:
    """Every kind of HTML and PDF response the service sends."""
    link = _link(client)
    return {
        "form": client.get("/"),
        "form-error": client.post("/interpret", data={"action": "interpret"}),
        "paste-error": client.post("/interpret/paste", data={"document": "{"}),
        "page": client.get(f"/interpretations/{link}", headers={"Accept": "text/html"}),
        "patient-view": client.get(
            f"/interpretations/{link}?view=patient", headers={"Accept": "text/html"}
        ),
        "rest-html": client.post("/v1/interpret", json=CASE, headers={"Accept": "text/html"}),
        "pdf": client.get(f"/interpretations/{link}.pdf"),
    }


def test_every_html_and_pdf_response_carries_the_headers(client: TestClient) -> None:
    """Pages (also error pages), the page answered by the REST API, and the PDF."""
    for name, response in _responses(client).items():
        kind = response.headers["content-type"]
        assert kind.startswith(("text/html", "application/pdf")), (name, kind)
        assert response.headers["x-content-type-options"] == "nosniff", name
        assert response.headers["referrer-policy"] == "no-referrer", name
        assert response.headers["x-frame-options"] == "DENY", name
        policy = _policy(response)
        assert policy["default-src"] == "'none'", name
        assert policy["frame-ancestors"] == "'none'", name
        assert policy["base-uri"] == "'none'", name
        assert "unsafe" not in response.headers["content-security-policy"], name
        if kind.startswith("text/html"):
            assert policy["script-src"] == "'self'"
            assert policy["style-src"] == "'self'"
            assert policy["img-src"] == "'self'"
            assert policy["form-action"] == "'self'"
        else:
            assert set(policy) == {"default-src", "base-uri", "object-src", "frame-ancestors"}


class _Page(HTMLParser):
    """What a page loads and where it posts, and any inline code or style."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "action"):
            if found.get(name) is not None:
                self.loads.append(str(found[name]))
        if tag == "link" and found.get("href"):
            self.loads.append(str(found["href"]))
        if tag == "style" or "style" in found or any(a.startswith("on") for a in found):
            self.inline.append(tag)
        if tag == "script" and "src" not in found and found.get("type") != "application/json":
            self.inline.append("script")


def test_the_policy_lets_the_pages_work(client: TestClient) -> None:
    """Everything a page loads or posts to is the service's own (a relative path), and no
    page relies on inline script, inline style or event attributes the policy forbids."""
    for name, response in _responses(client).items():
        if not response.headers["content-type"].startswith("text/html"):
            continue
        parser = _Page()
        parser.feed(response.text)
        assert parser.loads, name
        assert all(url.startswith("/") and not url.startswith("//") for url in parser.loads)
        assert parser.inline == [], name


def test_json_and_assets_are_left_as_they_are(client: TestClient) -> None:
    """JSON answers and the static assets get no page policy (it would mean nothing)."""
    assert "content-security-policy" not in client.get("/healthz").headers
    assert "content-security-policy" not in client.get("/static/style.css").headers


def test_configured_frame_ancestors(tmp_path: Path) -> None:
    """With origins configured (an EHR embedding the page), frame-ancestors lists them and
    X-Frame-Options (which cannot name them) is left out."""
    origins = ("https://ehr.example.org", "https://*.hospital.example")
    app = create_app(Settings(db=tmp_path / "db.sqlite3", frame_ancestors=origins), clock=clock)
    with TestClient(app, base_url="http://localhost") as client:
        response = client.get("/")
    assert _policy(response)["frame-ancestors"] == " ".join(origins)
    assert "x-frame-options" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "origin", ["ehr.example.org", "https://ehr.example.org; script-src *", "*", "'self' x"]
)
def test_a_frame_ancestor_that_is_no_origin_is_refused(origin: str, tmp_path: Path) -> None:
    """Only plain origins: no directive can be smuggled into the policy."""
    settings = Settings(db=tmp_path / "db.sqlite3", frame_ancestors=(origin,))
    assert any("--frame-ancestor" in problem for problem in settings.problems())
    with pytest.raises(ValueError, match="frame-ancestor"):
        create_app(settings, clock=clock)


def test_only_html_and_pdf_media_types_get_headers() -> None:
    """The function behind the middleware: nothing for other media types."""
    assert security_headers("application/json") == {}
    assert security_headers("image/svg+xml") == {}
    headers: dict[str, Any] = security_headers("Application/PDF")
    assert headers["Referrer-Policy"] == "no-referrer"
