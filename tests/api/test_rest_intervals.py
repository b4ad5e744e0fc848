"""The service with a laboratory's intervals file: loaded at start, used by every route."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from alkphos import InputError, interpret
from alkphos.api import Settings, create_app
from alkphos.intervals.labfile import dump_file
from tests.api.conftest import clock
from tests.api.fhir_cases import bundle
from tests.api.servers import serving
from tests.lab_intervals import STATEMENT, differs, lab_file, write_lab_file


def _case(value: float, sex: str = "female") -> dict[str, Any]:
    return {
        "patient": {"age_years": 40, "sex": sex},
        "results": [{"test": "ALP", "value": value, "unit": "U/L", "date": "2025-03-01"}],
    }


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn serving the app built with --intervals."""
    folder = tmp_path_factory.mktemp("lab-service")
    settings = Settings(db=folder / "s.sqlite3", intervals=write_lab_file(folder))
    with serving(create_app(settings, clock=clock)) as url:
        yield url


@pytest.mark.parametrize("value", [42, 44, 45, 70, 95, 96, 100, 110, 111])
def test_rest_interpret_uses_the_file(lab_server: str, value: float) -> None:
    """POST /v1/interpret gives interpret(case, intervals=...): the status differs from the
    knowledge base's exactly between the two limits."""
    response = httpx.post(f"{lab_server}/v1/interpret", json=_case(value), timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == json.loads(interpret(_case(value), intervals=lab_file()).model_dump_json())
    plain = interpret(_case(value)).alp
    assert plain is not None
    assert (body["alp"]["status"] != plain.status) == differs(value)
    assert STATEMENT in body["alp"]["reference_interval"]["basis"]


def test_rest_fhir_and_health_use_the_file(lab_server: str) -> None:
    """The FHIR route judges by the file too; /healthz names the file's knowledge version."""
    document = bundle(_case(100))
    response = httpx.post(f"{lab_server}/v1/interpret/fhir", json=document, timeout=30)
    assert response.status_code == 200, response.text
    alp = response.json()["alp"]
    assert (alp["status"], alp["reference_interval"]["source"]) == ("high", "laboratory file")
    version = httpx.get(f"{lab_server}/healthz", timeout=10).json()["knowledge_version"]
    assert "+lab-" in version


def test_bad_file_stops_the_service_at_start(tmp_path: Path) -> None:
    """create_app refuses a bad file; `alkphos serve --intervals` exits 2 on one line."""
    bad = tmp_path / "bad.yaml"
    entry = lab_file().intervals[0].model_copy(update={"unit": "mg/dL"})
    bad.write_text(dump_file(lab_file().model_copy(update={"intervals": [entry]})))
    with pytest.raises(InputError, match=re.escape("interval 'lab.alp.female.18y'.unit")):
        create_app(Settings(db=tmp_path / "s.sqlite3", intervals=bad), clock=clock)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "alkphos",
            "serve",
            "--intervals",
            str(bad),
            "--db",
            str(tmp_path / "d"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: --intervals: {bad}: interval 'lab.alp.female.18y'.unit")
    assert len(done.stderr.strip().splitlines()) == 1
