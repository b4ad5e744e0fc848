"""PDF reports render in worker processes (issue 17, item 3): while several render, the
event loop keeps answering; beyond the queue a request gets 503 at once."""

from __future__ import annotations

import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from alkphos.api import Settings, create_app
from tests.api.conftest import clock
from tests.api.servers import free_port, serving, start_service

CASE = {
    "patient": {"age_years": 46, "sex": "female"},
    "results": [{"test": "ALP", "value": 22, "unit": "U/L", "date": "2025-01-20"}],
}


@pytest.mark.slow
def test_health_stays_fast_while_pdfs_render(tmp_path: Path) -> None:
    """Three PDF requests at once with one worker and one place in the queue: one renders,
    one waits, one gets 503 with Retry-After; /healthz answers meanwhile in milliseconds
    (on the event loop a render blocked it for seconds)."""
    settings = Settings(db=tmp_path / "s.db", pdf_workers=1, pdf_waiting=1)
    with (
        serving(create_app(settings, clock=clock)) as url,
        ThreadPoolExecutor(3) as pool,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        stored = httpx.post(url + "/interpret/paste", data={"document": json.dumps(CASE)})
        pdf = f"{url}{stored.headers['location']}.pdf"
        renders = [pool.submit(httpx.get, pdf, timeout=120) for _ in range(3)]
        time.sleep(0.3)  # the three requests are in
        waits = []
        for _ in range(15):
            start = time.perf_counter()
            assert client.get("/healthz").status_code == 200
            waits.append(time.perf_counter() - start)
            time.sleep(0.05)
        still_rendering = sum(not r.done() for r in renders)
        answers = [r.result() for r in renders]
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 200, 503]
    busy = next(a for a in answers if a.status_code == 503)
    assert int(busy.headers["Retry-After"]) > 0
    assert all(a.content.startswith(b"%PDF") for a in answers if a.status_code == 200)
    assert still_rendering == 2  # the health checks ran while the PDFs rendered
    # A render takes seconds; the bound leaves room for a loaded shared machine.
    assert statistics.median(waits) < 0.25, waits


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while the folder was read
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def test_the_pdf_worker_stops_with_the_service(tmp_path: Path) -> None:
    """`alkphos serve` stopped as a process manager stops it (SIGTERM) leaves no PDF worker
    behind (it had: a 120 MB process, orphaned, for every stop after a PDF)."""
    port = free_port()
    process = start_service(port, tmp_path / "s.db")
    assert process is not None, "the service did not start"
    url = f"http://127.0.0.1:{port}"
    try:
        stored = httpx.post(url + "/interpret/paste", data={"document": json.dumps(CASE)})
        pdf = httpx.get(f"{url}{stored.headers['location']}.pdf", timeout=120)
        assert pdf.content.startswith(b"%PDF")
        workers = _children(process.pid)
        assert workers  # the PDF worker (and its resource tracker)
    finally:
        process.terminate()
        process.wait(timeout=30)
    deadline = time.monotonic() + 15  # the resource tracker leaves a moment after
    while (alive := {pid for pid in workers if _running(pid)}) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert alive == set()


def _running(pid: int) -> bool:
    """Whether a process exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
