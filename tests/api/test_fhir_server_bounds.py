"""A client's FHIR server cannot make a CDS call unbounded (issue 17, item 5): a real local
FHIR server that answers with a huge body, with many entries, or a byte at a time; the
service reads at most its limits of bytes, entries and time, and says so."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response, StreamingResponse

from alkphos.api import Settings, create_app
from tests.api.conftest import LATEST, clock
from tests.api.servers import serving

VIEW = "/cds-services/alkphos-patient-view"
PATIENT = {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1979-01-01"}
EMPTY = {"resourceType": "Bundle", "type": "searchset", "entry": []}


def _alp(day: int) -> dict[str, Any]:
    return {
        "resource": {
            "resourceType": "Observation",
            "id": f"alp{day}",
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "6768-6"}]},
            "subject": {"reference": "Patient/p1"},
            "effectiveDateTime": (LATEST - dt.timedelta(days=day)).isoformat(),
            "valueQuantity": {
                "value": 22,
                "unit": "U/L",
                "system": "http://unitsofmeasure.org",
                "code": "U/L",
            },
        }
    }


def hostile_fhir() -> FastAPI:
    """A FHIR server whose Patient or Observation answer misbehaves, by base path."""
    app = FastAPI()

    async def drip() -> AsyncIterator[bytes]:
        yield b'{"resourceType": "Patient", "id": "p1", "text": "'
        for _ in range(200):
            await asyncio.sleep(0.3)
            yield b"a"

    async def flood() -> AsyncIterator[bytes]:
        yield b'{"resourceType": "Patient", "id": "p1", "text": "'
        for _ in range(300):  # 30 MB, never announced
            yield b"a" * 100_000
        yield b'"}'

    @app.get("/{mode}/Patient/p1")
    async def patient(mode: str) -> Response:
        if mode == "drip":
            return StreamingResponse(drip(), media_type="application/fhir+json")
        if mode == "flood":
            return StreamingResponse(flood(), media_type="application/fhir+json")
        if mode == "declared":
            return Response(
                b" " * 3_000_000 + json.dumps(PATIENT).encode(), media_type="application/json"
            )
        return JSONResponse(PATIENT)

    @app.get("/{mode}/{kind}")
    async def search(mode: str, kind: str) -> JSONResponse:
        if kind == "Observation":
            count = 2000 if mode == "many" else 3
            return JSONResponse({**EMPTY, "entry": [_alp(day) for day in range(count)]})
        return JSONResponse(EMPTY)

    return app


@pytest.fixture(scope="module")
def hostile() -> Iterator[str]:
    with serving(hostile_fhir()) as url:
        yield url


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings(
        db=tmp_path_factory.mktemp("bounds") / "s.db",
        fhir_max_bytes=1_000_000,
        fhir_max_entries=500,
        fhir_seconds=1.5,
    )
    with serving(create_app(settings, clock=clock)) as url:
        yield url


def _call(service: str, fhir: str) -> tuple[httpx.Response, float]:
    body = {
        "hook": "patient-view",
        "hookInstance": f"bounds-{fhir}",
        "context": {"userId": "Practitioner/1", "patientId": "p1"},
        "fhirServer": fhir,
    }
    start = time.perf_counter()
    answer = httpx.post(service + VIEW, json=body, timeout=60)
    return answer, time.perf_counter() - start


def test_a_well_behaved_server_is_read(service: str, hostile: str) -> None:
    answer, _ = _call(service, hostile + "/fine")
    assert answer.status_code == 200
    assert answer.json()["cards"]


@pytest.mark.parametrize("mode", ["flood", "declared"])
def test_a_huge_answer_is_dropped_past_the_byte_limit(
    service: str, hostile: str, mode: str
) -> None:
    """30 MB streamed, or 3 MB announced: the required Patient cannot be had (412), read
    no further than the limit."""
    answer, seconds = _call(service, f"{hostile}/{mode}")
    assert answer.status_code == 412
    assert "patient" in answer.json()["error"]["problem"]
    assert seconds < 5


def test_entries_past_the_limit_are_left_out_with_a_note(service: str, hostile: str) -> None:
    answer, _ = _call(service, hostile + "/many")
    assert answer.status_code == 200
    link = answer.json()["cards"][0]["links"][0]["url"]
    result = httpx.get(link + ".json", timeout=30).json()
    assert result["alp_series"]["n_low"] <= 500
    assert any("500 entries a call reads" in note for note in result["not_understood"])


def test_a_dripping_server_is_cut_off_at_the_time_limit(service: str, hostile: str) -> None:
    """A byte every 0.3 s never trips a read timeout; the call's 1.5 s limit does."""
    answer, seconds = _call(service, hostile + "/drip")
    assert answer.status_code == 412
    assert seconds < 4


def test_the_limits_are_settings(tmp_path: Path) -> None:
    app = create_app(Settings(db=tmp_path / "s.db", fhir_max_entries=7), clock=clock)
    assert app.state.context.runner.limits.max_entries == 7
