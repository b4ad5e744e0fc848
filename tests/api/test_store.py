"""The service's SQLite store: links last ``link_days`` from when they were last shown."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from alkphos.api import store as store_module
from alkphos.api.store import Store

DAY = 86400.0


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The store's clock, moved by hand (seconds)."""
    now = [1_800_000_000.0]
    monkeypatch.setattr(store_module, "time", types.SimpleNamespace(time=lambda: now[0]))
    return now


def test_a_link_expires_link_days_after_it_was_last_shown(
    tmp_path: Path, clock: list[float]
) -> None:
    store = Store(tmp_path / "db.sqlite3", link_days=30)
    try:
        link = store.save_link({"case": {"results": []}}, "2025-01-20")
        clock[0] += 29 * DAY
        assert store.load_link(link) == ({"case": {"results": []}}, "2025-01-20")
        store.save_link({"case": {"results": []}}, "2025-01-20")  # shown again: re-dated
        clock[0] += 29 * DAY
        assert store.load_link(link) is not None
        clock[0] += 2 * DAY
        assert store.load_link(link) is None
    finally:
        store.close()


def test_expired_links_are_purged_while_the_service_runs(
    tmp_path: Path, clock: list[float]
) -> None:
    store = Store(tmp_path / "db.sqlite3", link_days=1)
    try:
        old = store.save_link({"n": 1}, "2025-01-20")
        clock[0] += 2 * DAY
        store.save_link({"n": 2}, "2025-01-20")  # a later write purges what expired
        store.flush()
        with store._lock:
            ids = {row[0] for row in store._db.execute("SELECT id FROM cases")}
        assert old not in ids
        assert len(ids) == 1
    finally:
        store.close()
