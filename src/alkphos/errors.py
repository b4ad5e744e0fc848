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

__all__ = ["AlkphosError", "InputError", "KnowledgeError", "UnitError", "closest"]


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
