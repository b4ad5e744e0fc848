"""Errors raised by alkphos.

The tree::

    AlkphosError
    ├── InputError (ValueError)        a case or other input that cannot be read
    │   └── UnitError                  a unit that cannot be converted for its analyte
    └── KnowledgeError (ValueError)    the knowledge base is malformed or inconsistent

Missing or unusable clinical data is not an error: it lowers certainty, becomes a
recommended test or is listed in ``not_understood``. Errors are for input that
cannot be read at all and for a broken knowledge base.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "AlkphosError",
    "InputError",
    "InputErrors",
    "KnowledgeError",
    "UnitError",
    "close_spelling",
    "closest",
    "edit_distance",
    "spelling_bound",
]


class AlkphosError(Exception):
    """Root of every error alkphos raises on purpose."""


class InputError(AlkphosError, ValueError):
    """Input that cannot be interpreted.

    The message reads ``<path>: <problem> (<accepted>)`` with a "did you mean"
    when a close match exists, e.g.
    ``results[0].unit: unknown unit 'IU/mL' for alkaline phosphatase (accepted: U/L, ...);
    did you mean 'IU/L'?``
    """

    def __init__(
        self, path: str, problem: str, accepted: str = "", suggestion: str | None = None
    ) -> None:
        self.path = path
        self.problem = problem
        self.accepted = accepted
        self.suggestion = suggestion
        message = f"{path}: {problem}" if path else problem
        if accepted:
            message += f" ({accepted})"
        if suggestion:
            message += f"; did you mean '{suggestion}'?"
        super().__init__(message)


class InputErrors(InputError):
    """Several problems found at once; it reads as the first (the command line's one line),
    and ``errors`` holds them all (the API returns every one)."""

    def __init__(self, errors: list[InputError]) -> None:
        first = errors[0]
        super().__init__(first.path, first.problem, first.accepted, first.suggestion)
        self.errors = errors


class UnitError(InputError):
    """A unit that alkphos cannot convert for the analyte it was given with."""


class KnowledgeError(AlkphosError, ValueError):
    """The knowledge base is malformed: the message names the file and the key."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        super().__init__(f"{file}: {key}: {problem}")


def closest(word: str, choices: Iterable[str]) -> str | None:
    """Return the choice closest to ``word`` (case-insensitive), if any is close."""
    options = list(choices)
    lowered = {option.lower(): option for option in options}
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


# A "did you mean" for a medicine must be a misspelling of it, never another medicine that
# merely looks alike (amlodipine is not amiodarone): the same first letters and a few edits.
SAME_START = 3


def spelling_bound(word: str) -> int:
    """The most edits a misspelling of ``word`` may have: 1 up to 7 letters, 2 from 8."""
    return 1 if len(word) < 8 else 2


def edit_distance(first: str, second: str) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
    two neighbouring letters each count one."""
    rows = [list(range(len(second) + 1))]
    for i, a in enumerate(first, start=1):
        row = [i] + [0] * len(second)
        for j, b in enumerate(second, start=1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (a != b))
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def close_spelling(word: str, choices: Iterable[str]) -> str | None:
    """The choice ``word`` most likely misspells (case-insensitive): it starts with the same
    three letters and is within ``spelling_bound`` edits; None if no choice is that close."""
    typed = " ".join(word.lower().split())
    if len(typed) < SAME_START:
        return None
    best: tuple[int, str] | None = None
    for option in choices:
        candidate = " ".join(option.lower().split())
        if candidate[:SAME_START] != typed[:SAME_START]:
            continue
        distance = edit_distance(typed, candidate)
        if distance <= spelling_bound(typed) and (best is None or distance < best[0]):
            best = (distance, option)
    return best[1] if best else None
