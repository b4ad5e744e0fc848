"""The bundled example cases, one click away on the page."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["Example", "examples"]


@dataclass(frozen=True, slots=True)
class Example:
    """A worked example: its id (file name), title, note and case."""

    id: str
    title: str
    note: str
    case: dict[str, Any]


@cache
def examples() -> tuple[Example, ...]:
    """Every bundled example, in file order."""
    folder = resources.files("alkphos.web") / "examples"
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            data = json.loads(entry.read_text(encoding="utf-8"))
            found.append(
                Example(entry.name.removesuffix(".json"), data["title"], data["note"], data["case"])
            )
    return tuple(found)
