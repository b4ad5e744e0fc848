"""The lines of a report: dotted leaders taken out, and lines split into columns."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Cell", "cells", "clean_line", "report_lines"]

# Dotted or underlined leaders between a name and its value ("ALK PHOS........ 22").
_LEADER = re.compile(r"\.{3,}|…+|_{3,}|(?:\s\.){3,}")
_COLUMN_GAP = re.compile(r"\t|\s{2,}")


@dataclass(frozen=True, slots=True)
class Cell:
    """One column of a line: its text and where it starts and ends."""

    start: int
    end: int
    text: str

    @property
    def centre(self) -> float:
        """The middle of the cell, to line it up with a header."""
        return (self.start + self.end) / 2


def clean_line(line: str) -> str:
    """A line with leaders, no-break spaces and odd spaces made plain spaces (same length)."""
    line = line.replace("\u00a0", " ").replace("\u2009", " ").replace("\u202f", " ")
    line = line.replace("\r", "").replace("\f", "")
    return _LEADER.sub(lambda match: " " * len(match.group()), line)


def report_lines(text: str) -> list[str]:
    """The cleaned lines of a report, in order (line n is ``lines[n - 1]``)."""
    return [clean_line(line) for line in text.splitlines()]


def cells(line: str) -> list[Cell]:
    """The columns of a line: split at tabs (empty columns kept) or at two or more spaces."""
    if "\t" in line:
        found: list[Cell] = []
        position = 0
        for part in line.split("\t"):
            stripped = part.strip()
            offset = position + (len(part) - len(part.lstrip()))
            found.append(Cell(offset, offset + len(stripped), stripped))
            position += len(part) + 1
        return found
    found = []
    position = 0
    for part in _COLUMN_GAP.split(line):
        start = line.index(part, position) if part else position
        if part.strip():
            stripped = part.strip()
            offset = start + (len(part) - len(part.lstrip()))
            found.append(Cell(offset, offset + len(stripped), stripped))
        position = start + len(part)
    return found
