"""The command line of the service: ``interpret --fhir``, ``--format fhir`` and ``serve``."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
from fhir.resources.R4B.bundle import Bundle

from alkphos import load_knowledge
from alkphos.adapters.fhir import interpret_fhir, read_bundle
from tests.api.conftest import CASES
from tests.api.fhir_cases import bundle
from tests.api.servers import free_port

ALKPHOS = [sys.executable, "-m", "alkphos"]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real command line in a subprocess."""
    return subprocess.run(
        [*ALKPHOS, *args], input=stdin, capture_output=True, text=True, check=False, timeout=60
    )


def test_interpret_fhir_bundle(tmp_path: Path) -> None:
    """--fhir reads a Bundle; the JSON is the interpretation the API gives."""
    document = bundle(CASES["EX-01"]["case"])
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    done = run("interpret", "--fhir", str(path))
    assert done.returncode == 0, done.stderr
    expected = interpret_fhir(read_bundle(document, load_knowledge()))
    assert json.loads(done.stdout) == json.loads(expected.model_dump_json())


def test_format_fhir_from_a_bundle_and_from_a_case(tmp_path: Path) -> None:
    """--format fhir prints a valid FHIR Bundle, from --fhir or from a plain case."""
    document = bundle(CASES["EX-05"]["case"])
    done = run("interpret", "--fhir", "-", "--format", "fhir", stdin=json.dumps(document))
    assert done.returncode == 0, done.stderr
    Bundle.model_validate(json.loads(done.stdout))
    case = tmp_path / "case.json"
    case.write_text(json.dumps(CASES["EX-05"]["case"]), encoding="utf-8")
    done = run("interpret", str(case), "--format", "fhir")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    Bundle.model_validate(out)
    assert "subject" not in out["entry"][0]["resource"]  # a plain case names no patient


def test_bad_bundle_is_one_error_line() -> None:
    """A bad Bundle exits 2 with one line naming the FHIR path."""
    document = bundle(CASES["EX-01"]["case"])
    document["entry"][1]["resource"]["valueQuantity"]["value"] = "abc"
    done = run("interpret", "--fhir", "-", stdin=json.dumps(document))
    assert done.returncode == 2
    assert done.stderr.startswith("error: entry[1].resource.valueQuantity.value: ")
    assert len(done.stderr.strip().splitlines()) == 1


def test_serve_refuses_unsafe_settings() -> None:
    """Without JWT only loopback; JWT needs its key file and issuers; key settings without
    JWT would run with no authentication, so they are refused too."""
    done = run("serve", "--host", "0.0.0.0")
    assert done.returncode == 2
    assert "loopback" in done.stderr
    done = run("serve", "--auth", "jwt")
    assert done.returncode == 2
    assert "--jwks" in done.stderr
    done = run("serve", "--issuer", "https://ehr.example")  # keys given, auth left off
    assert done.returncode == 2
    assert "apply only with --auth jwt" in done.stderr


def test_serve_starts_and_prints_its_address(tmp_path: Path) -> None:
    """alkphos serve listens on loopback and prints the address and discovery URL."""
    port = free_port()
    process = subprocess.Popen(
        [*ALKPHOS, "serve", "--port", str(port), "--db", str(tmp_path / "s.db")],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "alkphos serve did not start"
                time.sleep(0.1)
        assert response.json()["status"] == "ok"
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert f"alkphos serving on http://127.0.0.1:{port}" in stderr
    assert "authentication is off" in stderr
