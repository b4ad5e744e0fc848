"""What one CDS Hooks ``patient-view`` call costs in CPU, stage by stage, in process.

``benchmarks/service.py`` measures the service over loopback; this says where each call's
CPU goes, without sockets: reading the request, reading the prefetch (FHIR), interpreting,
and the whole call through the ASGI application (middleware, routing, cards, the link
written, the answer serialised), for a new patient on every call and for a returning one
(the interpretation cached). From the whole call it prints the ceiling it sets: the most
calls two cores could serve if they did nothing else, and the least median latency that
allows with 50 clients each sending its next request as soon as the last is answered
(Little's law: concurrency / throughput).

    .venv/bin/python benchmarks/cds_cost.py [--rounds 40]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from alkphos.adapters.fhir.interpret import interpret_fhir  # noqa: E402
from alkphos.adapters.fhir.read import read_prefetch  # noqa: E402
from alkphos.api.app import create_app  # noqa: E402
from alkphos.api.cds.models import CdsRequest  # noqa: E402
from alkphos.api.settings import Settings  # noqa: E402
from alkphos.engine import knowledge  # noqa: E402
from service import PATH, Requests  # noqa: E402 - the same request bodies as the load test


def _cpu_ms(calls: int, work: Callable[[], object]) -> float:
    """CPU milliseconds per call of ``work``, the best of three runs of ``calls`` calls."""
    best = float("inf")
    for _ in range(3):
        began = time.process_time()
        for _ in range(calls):
            work()
        best = min(best, (time.process_time() - began) / calls * 1000)
    return best


def _scope(body: bytes) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": PATH,
        "raw_path": PATH.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def _asgi_call(app: Any, body: bytes) -> int:
    """One call through the whole application; its HTTP status."""
    delivered = False
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if delivered:
            await asyncio.Event().wait()  # the client stays connected
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(_scope(body), receive, send)
    return int(sent[0]["status"])


async def _app_ms(app: Any, requests: Requests, calls: int) -> float:
    best = float("inf")
    for _ in range(3):
        bodies = [requests.next() for _ in range(calls)]
        began = time.process_time()
        for body in bodies:
            status = await _asgi_call(app, body)
            if status != 200:
                raise SystemExit(f"the service answered {status}")
        best = min(best, (time.process_time() - began) / calls * 1000)
    return best


async def _whole(rounds: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings(db=Path(folder) / "cost.sqlite3"))
        async with app.router.lifespan_context(app):
            new, returning = Requests("unique"), Requests("repeat")
            await _app_ms(app, new, 30)  # warm up
            await _app_ms(app, returning, 30)
            calls = rounds * len(new.templates)
            return await _app_ms(app, new, calls), await _app_ms(app, returning, calls)


def main() -> None:
    """Measure and print the cost of each stage."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=40, help="passes over the example cases")
    args = parser.parse_args()
    kb = knowledge()
    requests = Requests("unique")
    bodies = [requests.next() for _ in requests.templates]
    parsed = [json.loads(body) for body in bodies]
    reads = [read_prefetch(data["prefetch"], kb, None) for data in parsed]
    for read in reads:
        interpret_fhir(read, kb=kb)  # warm up
    rounds = args.rounds

    def each(work: Callable[[int], object]) -> Callable[[], object]:
        def run() -> None:
            for index in range(len(bodies)):
                work(index)

        return run

    per = len(bodies)
    stages = {
        "request read (JSON, CdsRequest)": _cpu_ms(
            rounds, each(lambda i: CdsRequest.model_validate(json.loads(bodies[i])))
        )
        / per,
        "prefetch read (light FHIR reader)": _cpu_ms(
            rounds, each(lambda i: read_prefetch(parsed[i]["prefetch"], kb, None))
        )
        / per,
        "interpretation": _cpu_ms(rounds, each(lambda i: interpret_fhir(reads[i], kb=kb))) / per,
    }
    whole_new, whole_returning = asyncio.run(_whole(rounds))
    cores = os.cpu_count() or 1
    print(f"CPU per patient-view call, in process, best of 3 ({per} example cases x {rounds})")
    for stage, cost in stages.items():
        print(f"  {stage:<46} {cost:6.3f} ms")
    print(f"  {'whole call through the app, new patient':<46} {whole_new:6.3f} ms")
    print(f"  {'whole call through the app, returning patient':<46} {whole_returning:6.3f} ms")
    ceiling = cores * 1000 / whole_new
    print(
        f"ceiling on {cores} cores doing nothing else (no HTTP parsing, no load generator): "
        f"{ceiling:.0f} new-patient calls/s; with 50 clients the median latency is then at "
        f"least {50 / ceiling * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
