"""The SQLite store under concurrent workers and when the service is killed.

- Two worker processes each hold a connection to the same file: feedback written by both
  at once is all recorded (a deferred transaction that read first could not wait for the
  other writer and failed with "database is locked": a 500 found by benchmarks/soak.py).
- ``alkphos serve`` killed with SIGKILL while feedback is being written: the file passes
  SQLite's integrity check and holds every feedback entry the service acknowledged.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from alkphos.api.store import FeedbackItem, Store
from tests.api.fhir_cases import prefetch, shifted
from tests.api.servers import free_port

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

FEEDBACK = "/cds-services/alkphos-patient-view/feedback"


def _item(card: str) -> FeedbackItem:
    return FeedbackItem(
        card=card,
        outcome="overridden",
        reason_system="urn:alkphos:override-reason",
        reason_code="low-alp-explained",
        reason_display=None,
        accepted=(),
        outcome_timestamp="2026-12-05T12:00:00Z",
    )


def test_two_workers_writing_feedback_at_once_lose_nothing(tmp_path: Path) -> None:
    """Two connections (as two worker processes have), two threads each, interleaved
    feedback and card writes: every entry recorded, none refused."""
    path = tmp_path / "service.sqlite3"
    stores = [Store(path), Store(path)]
    errors: list[BaseException] = []

    def write(store: Store, prefix: str) -> None:
        try:
            for number in range(150):
                store.record_cards("svc", [(f"{prefix}-{number}", "kind")])
                store.record_feedback("svc", [_item(f"{prefix}-{number}")])
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [
        threading.Thread(target=write, args=(store, f"{index}-{thread}"))
        for index, store in enumerate(stores)
        for thread in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for store in stores:
        store.close()
    assert errors == []
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM feedback").fetchone() == (600,)


def _post(client: httpx.Client, number: int) -> int | None:
    """Send one feedback entry; its number when the service acknowledged it."""
    body = {
        "feedback": [
            {
                "card": f"kill-{number}",
                "outcome": "accepted",
                "outcomeTimestamp": "2026-12-05T12:00:00Z",
            }
        ]
    }
    try:
        answer = client.post(FEEDBACK, json=body)
    except httpx.HTTPError:
        return None
    return number if answer.status_code == 200 and answer.json() == {"recorded": 1} else None


def test_sigkill_during_feedback_writes_leaves_the_store_intact(tmp_path: Path) -> None:
    """Kill -9 in the middle of a stream of feedback writes (two workers, eight senders):
    integrity check 'ok', every acknowledged entry present, and the store opens the file
    again."""
    db = tmp_path / "service.sqlite3"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "alkphos", "serve", "--port", str(port), "--db", str(db)]
    server = subprocess.Popen(
        [*command, "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # the workers in its own process group, killed together
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        with (
            httpx.Client(base_url=base, timeout=10) as client,
            ThreadPoolExecutor(max_workers=8) as pool,
        ):
            sent = [pool.submit(_post, client, number) for number in range(1500)]
            while sum(future.done() for future in sent) < 300:
                time.sleep(0.01)
            os.killpg(server.pid, signal.SIGKILL)
            acknowledged = {future.result() for future in sent} - {None}
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
    assert len(acknowledged) >= 300
    assert len(acknowledged) < 1500  # the kill came during the writes
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = {row[0] for row in connection.execute("SELECT card_uuid FROM feedback")}
    assert {f"kill-{number}" for number in acknowledged} <= stored
    restarted = subprocess.run(
        [sys.executable, "-c", f"from alkphos.api.store import Store; from pathlib import Path; "
         f"s = Store(Path({str(db)!r})); print(len(s.feedback_counts())); s.close()"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert restarted.returncode == 0, restarted.stderr


def _serve(port: int, db: Path, workers: int) -> subprocess.Popen[bytes]:
    """``alkphos serve`` in its own process group, answering /healthz."""
    command = [sys.executable, "-m", "alkphos", "serve", "--port", str(port), "--db", str(db)]
    server = subprocess.Popen(
        [*command, "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    os.killpg(server.pid, signal.SIGKILL)
    raise RuntimeError("alkphos serve did not start")


def _low_alp_call(number: int) -> dict[str, object]:
    """A patient-view call whose case differs in its latest ALP, so its link is new."""
    case = json.loads((EXAMPLES / "low-alp-adult.json").read_text(encoding="utf-8"))
    case["results"][2]["value"] = 22 + (number % 400) / 100
    recent = shifted(case, dt.date.today() - dt.timedelta(days=7))
    return {
        "hook": "patient-view",
        "hookInstance": f"kill-{number}",
        "context": {"userId": "Practitioner/1", "patientId": f"p{number}"},
        "prefetch": prefetch(recent, f"p{number}"),
    }


def _card_links(client: httpx.Client, body: dict[str, object]) -> list[str]:
    """The interpretation links of the cards the service returned (none on failure)."""
    try:
        answer = client.post("/cds-services/alkphos-patient-view", json=body)
    except httpx.HTTPError:
        return []
    if answer.status_code != 200:
        return []
    return [link["url"] for card in answer.json()["cards"] for link in card.get("links", [])]


def test_sigkill_loses_no_card_link_already_returned(tmp_path: Path) -> None:
    """Kill -9 while cards are being returned (two workers, eight callers): after a restart
    every link a returned card showed opens its interpretation (issue 17, item 8)."""
    db = tmp_path / "service.sqlite3"
    port = free_port()
    bodies = [_low_alp_call(number) for number in range(700)]
    server = _serve(port, db, workers=2)
    try:
        with (
            httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client,
            ThreadPoolExecutor(max_workers=8) as pool,
        ):
            sent = [pool.submit(_card_links, client, body) for body in bodies]
            while sum(future.done() for future in sent) < 250:
                time.sleep(0.01)
            os.killpg(server.pid, signal.SIGKILL)
            links = {link for future in sent for link in future.result()}
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
    assert len(links) >= 250
    restarted = _serve(port, db, workers=1)
    try:
        with httpx.Client(timeout=10) as client:
            lost = [link for link in links if client.get(link + ".json").status_code != 200]
    finally:
        os.killpg(restarted.pid, signal.SIGKILL)
        restarted.wait(timeout=30)
    assert lost == []
