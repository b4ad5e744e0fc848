"""Hardening under load (issue 17, items 3-5), against ``alkphos serve`` on loopback.

1. PDF: four clients loop on one interpretation's PDF for ``--pdf-seconds``; meanwhile
   /healthz is called every 0.1 s. Prints PDFs served, 503s, and /healthz p50/p95/max
   (before: p50 3.0 s, the renders ran on the event loop).
2. Slowloris: ``--idle`` connections that send nothing, spread over loopback addresses
   127.0.0.2 and up, plus 20 that drip their headers a byte a second; /healthz from
   127.0.0.1 meanwhile. Prints how many were accepted, the service's open file descriptors
   at the peak and 12 s later, and /healthz latency (before: ~20k idle connections
   exhausted the descriptors).
3. fhirServer: a local FHIR server answering with a 200 MB body, 25,000 Observations, or a
   byte every 3 s. Prints each call's status and seconds and the service's peak memory
   (before: 1.85 GB RSS, 9.5 s, 122 s).

    .venv/bin/python benchmarks/hardening.py [--pdf-seconds 20] [--idle 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response, StreamingResponse

from service import _free_port, start_server  # benchmarks/ is on sys.path

ROOT = Path(__file__).resolve().parent.parent
VIEW = "/cds-services/alkphos-patient-view"
CASE = (ROOT / "examples" / "low-alp-adult.json").read_text()


def _figures(waits: list[float]) -> str:
    failed = sum(wait == float("inf") for wait in waits)
    waits = sorted(wait for wait in waits if wait != float("inf")) or [float("nan")]
    p95 = waits[int(len(waits) * 0.95) - 1] if len(waits) > 1 else waits[0]
    return (
        f"p50 {statistics.median(waits) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
        f"max {waits[-1] * 1000:.1f} ms ({len(waits)} answered, {failed} failed)"
    )


def _health_loop(base: str, stop: threading.Event, waits: list[float]) -> None:
    """/healthz every 0.1 s; a failed call counts as infinitely slow."""
    with httpx.Client(base_url=base, timeout=30) as client:
        while not stop.is_set():
            start = time.perf_counter()
            try:
                ok = client.get("/healthz").status_code == 200
            except httpx.HTTPError:
                ok = False
            waits.append(time.perf_counter() - start if ok else float("inf"))
            time.sleep(0.1)


def pdf_load(base: str, seconds: float) -> None:
    """Four clients looping on a PDF, /healthz meanwhile."""
    stored = httpx.post(base + "/interpret/paste", data={"document": CASE})
    pdf = stored.headers["location"] + ".pdf"
    stop = threading.Event()
    codes: list[int] = []

    def loop() -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            while not stop.is_set():
                codes.append(client.get(pdf).status_code)

    clients = [threading.Thread(target=loop) for _ in range(4)]
    for thread in clients:
        thread.start()
    time.sleep(0.5)
    waits: list[float] = []
    health = threading.Thread(target=_health_loop, args=(base, stop, waits))
    health.start()
    time.sleep(seconds)
    stop.set()
    for thread in [*clients, health]:
        thread.join()
    print(
        f"pdf: 4 clients, {seconds:g} s: {codes.count(200)} PDFs, {codes.count(503)} 503s, "
        f"others {len(codes) - codes.count(200) - codes.count(503)}; "
        f"/healthz {_figures(waits)}"
    )


def _was_closed(sock: socket.socket) -> int:
    """1 if the server closed the connection, 0 if it is still open with nothing to read."""
    try:
        return int(sock.recv(1) == b"")
    except BlockingIOError:
        return 0
    except OSError:
        return 1


def _fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def slowloris(base: str, pid: int, idle: int) -> None:
    """Idle and dripping connections from other loopback addresses."""
    port = int(base.rsplit(":", 1)[1])
    opened: list[socket.socket] = []
    refused = 0
    for number in range(idle):
        source = f"127.0.0.{2 + number // 190}"
        try:
            sock = socket.create_connection(
                ("127.0.0.1", port), timeout=2, source_address=(source, 0)
            )
        except OSError:
            refused += 1
            continue
        sock.setblocking(False)
        opened.append(sock)
    drips = []
    for _ in range(20):
        sock = socket.create_connection(
            ("127.0.0.1", port), timeout=2, source_address=("127.0.0.250", 0)
        )
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        drips.append(sock)
    stop = threading.Event()
    waits: list[float] = []
    health = threading.Thread(target=_health_loop, args=(base, stop, waits))
    health.start()
    peak = _fds(pid)
    for _ in range(12):
        time.sleep(1)
        for sock in drips:
            with suppress(OSError):
                sock.send(b"X")
        peak = max(peak, _fds(pid))
    stop.set()
    health.join()
    closed = 0
    for sock in [*opened, *drips]:
        closed += _was_closed(sock)
        sock.close()
    print(
        f"slowloris: {len(opened)} idle + 20 dripping connections opened ({refused} refused "
        f"at connect); after 12 s {closed} closed by the service; service descriptors peak "
        f"{peak}, now {_fds(pid)}; /healthz meanwhile {_figures(waits)}"
    )


def hostile_fhir() -> FastAPI:
    """A FHIR server whose Patient or Observation answer misbehaves, by base path."""
    app = FastAPI()
    patient = {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1979-01-01"}
    empty = {"resourceType": "Bundle", "type": "searchset", "entry": []}
    latest = dt.date.today() - dt.timedelta(days=7)

    def alp(day: int) -> dict[str, Any]:
        return {
            "resource": {
                "resourceType": "Observation",
                "id": f"alp{day}",
                "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "6768-6"}]},
                "subject": {"reference": "Patient/p1"},
                "effectiveDateTime": (latest - dt.timedelta(minutes=day)).isoformat(),
                "valueQuantity": {"value": 22, "unit": "U/L"},
            }
        }

    many = json.dumps({**empty, "entry": [alp(n) for n in range(25_000)]}).encode()

    async def huge() -> AsyncIterator[bytes]:
        yield b'{"resourceType": "Patient", "id": "p1", "text": "'
        for _ in range(200):
            yield b"a" * 1_000_000
        yield b'"}'

    async def drip() -> AsyncIterator[bytes]:
        yield b'{"resourceType": "Patient", "id": "p1", "text": "'
        for _ in range(60):
            await asyncio.sleep(3)
            yield b"a"
        yield b'"}'

    @app.get("/{mode}/Patient/p1")
    async def read_patient(mode: str) -> Response:
        if mode == "huge":
            return StreamingResponse(huge(), media_type="application/fhir+json")
        if mode == "drip":
            return StreamingResponse(drip(), media_type="application/fhir+json")
        return JSONResponse(patient)

    @app.get("/{mode}/{kind}")
    async def search(mode: str, kind: str) -> Response:
        if kind == "Observation" and mode == "many":
            return Response(many, media_type="application/fhir+json")
        return JSONResponse(empty)

    return app


@contextmanager
def fhir_server() -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(hostile_fhir(), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def fhir_bounds(base: str, pid: int) -> None:
    with fhir_server() as fhir:
        for mode, what in (
            ("huge", "200 MB body"),
            ("many", "25,000 entries"),
            ("drip", "a byte every 3 s"),
        ):
            body = {
                "hook": "patient-view",
                "hookInstance": f"bench-{mode}",
                "context": {"userId": "Practitioner/1", "patientId": "p1"},
                "fhirServer": f"{fhir}/{mode}",
            }
            start = time.perf_counter()
            answer = httpx.post(base + VIEW, json=body, timeout=300)
            print(
                f"fhirServer {what}: HTTP {answer.status_code} in "
                f"{time.perf_counter() - start:.2f} s; service peak RSS {_peak_mib(pid):.0f} MiB"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pdf-seconds", type=float, default=20)
    parser.add_argument("--idle", type=int, default=3000)
    args = parser.parse_args()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        server = start_server(port, 1, Path(folder) / "service.sqlite3")
        try:
            print(f"alkphos serve, 1 worker, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
            pdf_load(base, args.pdf_seconds)
            slowloris(base, server.pid, args.idle)
            fhir_bounds(base, server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
