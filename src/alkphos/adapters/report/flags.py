"""The laboratory's printed flags and the direction each one means."""

from __future__ import annotations

import re

from alkphos.model.report import Direction

__all__ = ["FLAG", "flag_direction"]

_DIRECTIONS: dict[str, Direction] = {}
for _direction, _spellings in (
    ("low", "l ll lo low ↓ ↓↓ - -- niedrig erniedrigt bas basse bajo baja"),
    ("high", "h hh hi high ↑ ↑↑ + ++ hoch erhöht erhoeht haut haute élevé élevée alto alta"),
    ("abnormal", "* ** ! !! a abnormal anormal pathologisch path"),
):
    for _spelling in _spellings.split():
        _DIRECTIONS[_spelling] = _direction  # type: ignore[assignment]

_WORDS = "|".join(
    sorted((re.escape(s) for s in _DIRECTIONS if s[0].isalpha()), key=len, reverse=True)
)
# A flag is a whole token: "L", "*L", "L*", "(H)", "[HH]", "↑", "+", "Low", "HIGH".
FLAG = (
    rf"[(\[]?(?:\*?(?:{_WORDS})\*?|[↑↓]{{1,2}}|\+\+?|--?|\*\*?|!!?)[)\]]?"
    r"(?=\s|$|[,;])"
)


def flag_direction(flag: str) -> Direction | None:
    """What a printed flag says: low, high or abnormal (direction not given)."""
    core = flag.strip("()[] ").lower()
    stripped = core.strip("*")
    if stripped and stripped in _DIRECTIONS and stripped not in ("*", "**"):
        return _DIRECTIONS[stripped]
    return _DIRECTIONS.get(core)
