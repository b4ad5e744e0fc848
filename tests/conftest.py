"""Shared fixtures: the knowledge base, a pinned date, the golden cases."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings

from alkphos import Knowledge, load_knowledge
from alkphos.knowledge.loader import data_dir

# Two Hypothesis profiles. "ci" (the default, used by `make test`): the same examples on every
# run of the same commit (derandomized, no example database), so a submission never passes or
# fails by chance; failures found so far are pinned as explicit @example's. "explore" (`make
# explore`, ALKPHOS_HYPOTHESIS=explore): twenty times the examples, random, with the example
# database, for developers to run before they stop; each failure it finds becomes an @example
# and a fix. Timing varies on a shared 2-core machine: no per-example deadline.
EXPLORE_FACTOR = 20
_COMMON: dict[str, Any] = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture],
    "print_blob": True,
}
settings.register_profile("ci", derandomize=True, database=None, **_COMMON)
settings.register_profile("explore", max_examples=100 * EXPLORE_FACTOR, **_COMMON)
PROFILE = os.environ.get("ALKPHOS_HYPOTHESIS", "ci")
settings.load_profile(PROFILE)


def scaled(examples: int) -> int:
    """A test's own example count, multiplied when exploring."""
    return examples * EXPLORE_FACTOR if PROFILE == "explore" else examples


GOLDEN = Path(__file__).parent / "golden" / "cases"
AS_OF = date(2024, 1, 15)


def golden_cases() -> list[dict[str, Any]]:
    """Every golden case file, sorted by id."""
    return [
        yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(GOLDEN.glob("*.yaml"))
    ]


@pytest.fixture(scope="session")
def kb() -> Knowledge:
    """The bundled knowledge base."""
    return load_knowledge()


@pytest.fixture
def as_of() -> date:
    """A pinned interpretation date: no test depends on today."""
    return AS_OF


def case(*results: dict[str, Any], **patient: Any) -> dict[str, Any]:
    """A case from result rows and patient fields (a small builder for rule tests)."""
    return {"patient": patient, "results": list(results)}


def row(test: str, value: float, when: str = "2024-01-10", **extra: Any) -> dict[str, Any]:
    """One result row."""
    return {"test": test, "value": value, "date": when, **extra}


@pytest.fixture
def broken(tmp_path: Path) -> Callable[[str, Callable[[str], str]], Path]:
    """Copy the data folder and apply one edit to one file."""

    def make(file: str, edit: Callable[[str], str]) -> Path:
        folder = tmp_path / "data"
        shutil.copytree(data_dir(), folder)
        target = folder / file
        target.write_text(edit(target.read_text(encoding="utf-8")), encoding="utf-8")
        return folder

    return make
