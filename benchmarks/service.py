"""Speed of the CDS Hooks service: ``alkphos-patient-view`` with prefetch, over loopback.

Starts ``alkphos serve`` in its own process, then drives it with 1, 10 and 50 concurrent
keep-alive clients (a light raw-asyncio HTTP/1.1 client on uvloop) for ``--duration`` seconds each
and prints requests/s and p50/p95/p99 latency.

Goal (issue: the service): p95 < 50 ms at 50 concurrent clients on the 2-core machine.

Requests cycle through the worked example cases. In ``unique`` mode every request is a
new patient (a fresh patient id), so every call validates the FHIR, interprets and builds
cards; in ``repeat`` mode the same 15 patients come back again and again, as when charts
are reopened (the service caches interpretations by content). Both run by default. Every
request has its own hookInstance.

    .venv/bin/python benchmarks/service.py [--duration 30] [--clients 1,10,50]
        [--workers N (default: one per CPU)] [--mode both|unique|repeat]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
import uvloop
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.api.fhir_cases import prefetch, shifted  # noqa: E402 - needs the repository root

CASES = ROOT / "tests" / "golden" / "cases"
PATH = "/cds-services/alkphos-patient-view"
PATIENT = "@patient@"
HOOK = "@hook-instance@"


def templates() -> list[bytes]:
    """One request body per example case, with placeholders for patient and hook ids."""
    latest = date.today() - timedelta(days=7)
    made = []
    for path in sorted(CASES.glob("*.yaml")):
        case = shifted(yaml.safe_load(path.read_text(encoding="utf-8"))["case"], latest)
        body = {
            "hook": "patient-view",
            "hookInstance": HOOK,
            "context": {"userId": "Practitioner/bench", "patientId": PATIENT},
            "prefetch": prefetch(case, PATIENT),
        }
        made.append(json.dumps(body).encode())
    return made


class Requests:
    """Request bodies: a new patient each time (unique) or the same 15 (repeat)."""

    def __init__(self, mode: str) -> None:
        self.templates = templates()
        self.unique = mode == "unique"
        self.count = 0

    def next(self) -> bytes:
        """The next request body."""
        self.count += 1
        index = self.count % len(self.templates)
        patient = f"bench-{self.count}" if self.unique else f"bench-case-{index}"
        body = self.templates[index].replace(PATIENT.encode(), patient.encode())
        return body.replace(HOOK.encode(), f"hook-{self.count}".encode())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, workers: int, db: Path) -> subprocess.Popen[bytes]:
    """``alkphos serve`` on loopback, waited for until /healthz answers."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "alkphos",
            "serve",
            "--port",
            str(port),
            "--db",
            str(db),
            "--workers",
            str(workers),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the service did not start")


async def _client(port: int, requests: Requests, stop: float, latencies: list[float]) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    errors = 0
    try:
        while time.perf_counter() < stop:
            body = requests.next()
            head = (
                f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
            start = time.perf_counter()
            writer.write(head + body)
            await writer.drain()
            header = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in header.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - start) * 1000)
            if not header.startswith(b"HTTP/1.1 200"):
                errors += 1
    finally:
        writer.close()
    return errors


async def load(port: int, requests: Requests, clients: int, seconds: float) -> dict[str, float]:
    """Drive the service with ``clients`` concurrent connections for ``seconds``."""
    latencies: list[float] = []
    began = time.perf_counter()
    stop = began + seconds
    errors = await asyncio.gather(
        *(_client(port, requests, stop, latencies) for _ in range(clients))
    )
    elapsed = time.perf_counter() - began
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))]

    return {
        "requests": len(latencies),
        "errors": sum(errors),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p95": pct(0.95),
        "p99": pct(0.99),
    }


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=30, help="seconds per level")
    parser.add_argument("--clients", default="1,10,50", help="concurrency levels")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="service worker processes"
    )
    parser.add_argument("--mode", choices=["both", "unique", "repeat"], default="both")
    args = parser.parse_args()
    modes = ["unique", "repeat"] if args.mode == "both" else [args.mode]
    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        server = start_server(port, args.workers, Path(folder) / "service.sqlite3")
        try:
            uvloop.run(load(port, Requests("unique"), 10, min(3.0, args.duration)))  # warm-up
            for mode in modes:
                print(
                    f"alkphos-patient-view with prefetch, {mode} patients, {args.workers} "
                    f"worker(s), {os.cpu_count()} CPUs, {args.duration:g} s per level"
                )
                print(
                    f"{'clients':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} errors"
                )
                for clients in (int(c) for c in args.clients.split(",")):
                    figures = uvloop.run(load(port, Requests(mode), clients, args.duration))
                    print(
                        f"{clients:>8} {figures['rps']:>8.0f} {figures['p50']:>8.1f} "
                        f"{figures['p95']:>8.1f} {figures['p99']:>8.1f} {figures['errors']:>6.0f}"
                    )
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
