"""Numbers and units as people read them: a result in the unit its laboratory reported, to a
sensible precision, and units without UCUM's braces.

The JSON keeps every value at full precision; only what people read is rounded.
"""

from __future__ import annotations

import math

from alkphos.model.interpretation import ResultStatus
from alkphos.units import plain_unit, readable

__all__ = ["plain_unit", "readable", "reported"]


def reported(row: ResultStatus) -> tuple[str, str]:
    """The result as its laboratory reported it, and its interval in that unit:
    ('96 umol/L', '5-21 umol/L'), the interval '' when there is none."""
    unit = plain_unit(row.reported_unit)
    value = f"{readable(row.reported_value)} {unit}".strip()
    interval = row.reference_interval
    if interval is None:
        return value, ""
    factor = row.value / row.reported_value if row.reported_value else 0.0
    if not (factor > 0 and math.isfinite(factor)):  # below detection: say it canonically
        factor, unit = 1.0, plain_unit(interval.unit)
    low = readable(interval.low / factor) if interval.low is not None else ""
    high = readable(interval.high / factor) if interval.high is not None else ""
    limits = f"{low}-{high}" if low and high else f"< {high}" if high else f"> {low}"
    return value, f"{limits} {unit}".strip()
