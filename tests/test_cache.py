"""The on-disk cache: a digest of what a cache was built from, so a stale one is never read."""

from __future__ import annotations

from pathlib import Path

import pytest

from alkphos import cache
from alkphos.knowledge.loader import load_knowledge
from alkphos.screening import tables


def test_the_digest_changes_with_any_file_and_with_the_salt(tmp_path: Path) -> None:
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("x = 1\n")
    b.write_text("y = 2\n")
    first = cache.digest("v1", [a, b])
    assert cache.digest("v1", [a, b]) == first
    assert cache.digest("v2", [a, b]) != first
    b.write_text("y = 3\n")
    assert cache.digest("v1", [a, b]) != first


def test_the_screening_tables_cache_is_named_by_the_engine_code_it_copies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tables copy the per-patient engine's intervals, ages and codes: a change to any of
    those modules must name a new cache file."""
    seen: list[str] = []

    def recording(salt: str, files: list[Path]) -> str:
        seen.extend(f"{p.parent.name}/{p.name}" for p in files)
        return "0" * 64

    monkeypatch.setattr(tables, "digest", recording)
    tables._cache_file(load_knowledge().version)
    assert {"screening/tables.py", "rules/intervals.py", "knowledge/age.py"} <= set(seen)
    assert "knowledge/codes.py" in seen


def test_an_unreadable_or_foreign_cache_file_means_build_it(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pickle"
    broken.write_bytes(b"not a pickle")
    assert cache.read_cached(broken, dict) is None
    cache.write_cached(tmp_path / "list.pickle", [1, 2])
    assert cache.read_cached(tmp_path / "list.pickle", dict) is None
    assert cache.read_cached(tmp_path / "list.pickle", list) == [1, 2]
