"""Reference limits in the forms reports print them: "37-153", "(30 - 130)", "[0.65-1.05]",
"Ref: 39-117", "< 0,70", "<=33", "0.0 - 1.2 U/L", "35 to 104", "bis 40"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from alkphos.adapters.report.values import NUMBER, DecimalStyle, parse_number

__all__ = ["RANGE", "Limits", "read_limits"]

_PREFIX = (
    r"(?:(?:ref(?:erence)?(?:\s*(?:range|interval|values?))?|normal(?:\s*range)?|norm(?:al)?"
    r"|n|vr|rv|vn|ir|ri|ref\.?-?bereich|referenzbereich|normbereich|normwert[e]?"
    r"|valeurs?\s+(?:de\s+)?r[ée]f[ée]rences?|valeurs?\s+normales?"
    r"|valor(?:es)?\s+(?:de\s+)?referencia|intervalo(?:\s+de\s+referencia)?|rango)"
    r"\s*[.:]?\s*)"
)
_BETWEEN = r"(?:-|–|—|to|bis|à|a|\.\.\.?)"
_UPPER = r"(?:<=|≤|<|up\s+to|bis|hasta|jusqu'à|jusqu’à|max\.?)"
_LOWER = r"(?:>=|≥|>|min\.?|above)"
# A unit printed after the limits has a slash or is a percent ("0.0 - 1.2 U/L", "< 5 %"), so
# a flag after a range ("35-104 L") is not taken for a unit.
_UNIT = r"(?:\s*(?P<unit>[A-Za-zµμ][\w.µμ^²³*]*/[\w.µμ^²³*]+|%))?"
RANGE = (
    rf"(?P<open>[(\[])?\s*{_PREFIX}?"
    rf"(?:(?P<low>{NUMBER})\s*{_BETWEEN}\s*(?P<high>{NUMBER})"
    rf"|(?P<upper>{_UPPER})\s*(?P<only_high>{NUMBER})"
    rf"|(?P<lower>{_LOWER})\s*(?P<only_low>{NUMBER})){_UNIT}\s*(?P<close>[)\]])?"
)


@dataclass(frozen=True, slots=True)
class Limits:
    """The lab's printed limits (either may be missing) and the unit printed with them."""

    low: float | None
    high: float | None
    text: str
    unit: str | None


def read_limits(match: re.Match[str], style: DecimalStyle) -> Limits:
    """The limits of a matched range.

    Raises:
        ValueError: a limit that cannot be read, or a lower limit above the upper one.
    """
    parts = match.groupdict()
    low = high = None
    if parts["low"] is not None:
        low = parse_number(parts["low"], style)
        high = parse_number(parts["high"], style)
        if low > high:
            raise ValueError(f"range '{match.group().strip()}' has its lower limit above the upper")
    elif parts["only_high"] is not None:
        high = parse_number(parts["only_high"], style)
    else:
        low = parse_number(parts["only_low"], style)
    return Limits(low=low, high=high, text=match.group().strip(), unit=parts["unit"])
