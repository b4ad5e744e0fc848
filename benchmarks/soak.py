"""Soak: mixed load on ``alkphos serve`` for minutes, watching memory, errors and latency.

Starts ``alkphos serve`` (2 workers by default) on loopback and drives it with ``--clients``
keep-alive connections for ``--duration`` seconds. Each client repeats a cycle of three
calls: ``alkphos-patient-view`` with prefetch (half new patients, half returning ones), a
case to ``POST /v1/interpret``, and feedback on one of the cards it was shown (accepted or
overridden with a reason). Every 30 s it prints the resident memory of the service's
processes; at the end, the error count and p50/p95 latency of the first and the last
minute.

Goal (issue 12): no errors and no memory growth beyond noise over 10 minutes.

    .venv/bin/python benchmarks/soak.py [--duration 600] [--clients 10] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import uvloop

from service import Requests, _free_port, start_server  # benchmarks/ is on sys.path

ROOT = Path(__file__).resolve().parent.parent
VIEW = "/cds-services/alkphos-patient-view"
FEEDBACK = VIEW + "/feedback"
CASE = (ROOT / "examples" / "low-alp-adult.json").read_bytes()
REASON = {"system": "urn:alkphos:override-reason", "code": "low-alp-explained"}


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (MiB), from /proc."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) / 1024
        pending.extend(int(child) for child in children)
    return total


class Tally:
    """Latencies with their times, and errors."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []  # (seconds since start, ms)
        self.errors: dict[str, int] = {}
        self.start = time.perf_counter()

    def add(self, began: float, status: int, what: str) -> None:
        """Record one call."""
        now = time.perf_counter()
        self.samples.append((began - self.start, (now - began) * 1000))
        if not 200 <= status < 300:
            key = f"{what} {status}"
            self.errors[key] = self.errors.get(key, 0) + 1

    def window(self, first: float, last: float) -> str:
        """p50 and p95 of the calls started in [first, last) seconds."""
        values = sorted(ms for at, ms in self.samples if first <= at < last)
        if not values:
            return "no calls"
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        return f"{len(values)} calls, p50 {statistics.median(values):.1f} ms, p95 {p95:.1f} ms"


async def _call(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, port: int, path: str, body: bytes
) -> tuple[int, bytes]:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    writer.write(head + body)
    await writer.drain()
    header = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in header.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return int(header.split(b" ", 2)[1]), await reader.readexactly(length)


async def _client(port: int, number: int, stop: float, tally: Tally) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    new, returning = Requests("unique"), Requests("repeat")
    cycle = 0
    try:
        while time.perf_counter() < stop:
            cycle += 1
            requests = new if cycle % 2 else returning
            began = time.perf_counter()
            status, answer = await _call(reader, writer, port, VIEW, requests.next())
            tally.add(began, status, "patient-view")
            cards = json.loads(answer).get("cards", []) if status == 200 else []
            began = time.perf_counter()
            status, _ = await _call(reader, writer, port, "/v1/interpret", CASE)
            tally.add(began, status, "interpret")
            if cards:
                entry: dict[str, object] = {
                    "card": cards[0]["uuid"],
                    "outcome": "overridden" if cycle % 3 else "accepted",
                    "outcomeTimestamp": "2026-12-05T12:00:00Z",
                }
                if cycle % 3:
                    entry["overrideReason"] = {"reason": REASON, "userComment": "soak"}
                body = json.dumps({"feedback": [entry]}).encode()
                began = time.perf_counter()
                status, _ = await _call(reader, writer, port, FEEDBACK, body)
                tally.add(began, status, "feedback")
    finally:
        writer.close()


async def soak(port: int, pid: int, clients: int, seconds: float) -> Tally:
    """Run the clients; print memory every 30 s."""
    tally = Tally()
    stop = tally.start + seconds
    work = asyncio.gather(*(_client(port, n, stop, tally) for n in range(clients)))

    def line() -> None:
        elapsed = time.perf_counter() - tally.start
        errors = sum(tally.errors.values())
        print(f"{elapsed:>8.0f} {rss_mib(pid):>8.1f} {len(tally.samples):>8} {errors:>6}")

    print(f"{'seconds':>8} {'RSS MiB':>8} {'calls':>8} {'errors':>6}")
    line()
    while (left := stop - time.perf_counter()) > 0:
        await asyncio.sleep(min(30.0, left))
        line()
    await work
    return tally


def main() -> None:
    """Run the soak and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=600, help="seconds")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        server = start_server(port, args.workers, Path(folder) / "service.sqlite3")
        try:
            print(
                f"soak: {args.clients} clients, {args.workers} worker(s), {args.duration:g} s, "
                f"{os.cpu_count()} CPUs; each cycle: patient-view, interpret, feedback"
            )
            tally = uvloop.run(soak(port, server.pid, args.clients, args.duration))
        finally:
            server.terminate()
            server.wait(timeout=30)
    minute = min(60.0, args.duration / 2)
    print(f"errors: {sum(tally.errors.values())} {tally.errors or ''}".rstrip())
    print(f"first {minute:g} s: {tally.window(0, minute)}")
    print(f"last {minute:g} s:  {tally.window(args.duration - minute, args.duration)}")


if __name__ == "__main__":
    sys.exit(main())
