"""Refuse text that is not Unicode: a lone surrogate (``"\\ud800"``) cannot be written out.

JSON may spell half of a UTF-16 pair on its own; Python reads it into a ``str`` that no
encoder accepts, so it would fail later, far from its cause (writing the answer, storing a
link). It is refused where it is read, with the path of the value that holds it.
"""

from __future__ import annotations

import json
from typing import Any

from alkphos.errors import InputError

__all__ = ["refuse_lone_surrogates"]


def refuse_lone_surrogates(data: Any, path: str = "$") -> None:
    """Raise ``InputError`` naming the first string (value or key) that holds a lone surrogate."""
    if _encodes(data):
        return  # the usual case, checked at C speed; the walk below finds where the fault is
    stack: list[tuple[Any, str]] = [(data, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            _check(value, where)
        elif isinstance(value, dict):
            items = list(value.items())
            for key, item in reversed(items):
                _check(str(key), where)
                stack.append((item, _join(where, str(key))))
        elif isinstance(value, list | tuple):
            stack.extend((item, f"{where}[{i}]") for i, item in reversed(list(enumerate(value))))


def _encodes(data: Any) -> bool:
    """Whether ``data`` writes out as UTF-8 JSON (no lone surrogate in any key or value)."""
    try:
        json.dumps(data, ensure_ascii=False, check_circular=False, default=str).encode("utf-8")
    except (UnicodeEncodeError, TypeError, ValueError, RecursionError):
        return False
    return True


def _join(path: str, key: str) -> str:
    return key if path in ("", "$") else f"{path}.{key}"


def _check(text: str, where: str) -> None:
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(text[exc.start])
        raise InputError(
            where,
            f"holds a lone surrogate \\u{code:04x} at character {exc.start + 1}, which is not text",
            "valid Unicode text",
        ) from None
