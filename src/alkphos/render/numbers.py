"""Numbers and units as people read them: a result in the unit its laboratory reported, at
the method's reporting precision (the analyte's ``decimals`` in the knowledge base, carried
over to the reported unit), and units without UCUM's braces.

The JSON keeps every value at full precision; only what people read is rounded.
"""

from __future__ import annotations

import math
from decimal import Decimal

from alkphos.knowledge.loader import Knowledge
from alkphos.model.interpretation import ReferenceIntervalUsed, ResultStatus
from alkphos.units import normalise_spelling, plain_unit, readable

__all__ = [
    "as_reported",
    "at_precision",
    "canonical",
    "limits",
    "plain_unit",
    "readable",
    "reported",
    "unit_decimals",
]

_MOST_DECIMALS = 12


def unit_decimals(decimals: int, factor: float) -> int:
    """The reporting precision in another unit: the canonical step (``10 ** -decimals``)
    expressed in that unit, to the nearest power of ten. ``factor`` converts that unit to
    the canonical one (canonical = value * factor): 1 U/L steps are 0.01 ukat/L steps."""
    if not (factor > 0 and math.isfinite(factor)):
        return decimals
    step = 10.0**-decimals / factor
    return min(max(0, round(-math.log10(step))), _MOST_DECIMALS)


def _own_decimals(value: float) -> int:
    """The decimal places a value carries as sent (39.8 -> 1; 40.0 -> 0), float noise
    (0.3 * 17.1 = 5.130000000000001) removed."""
    exponent = Decimal(f"{value:.9g}").normalize().as_tuple().exponent
    return min(max(0, -exponent), _MOST_DECIMALS) if isinstance(exponent, int) else 0


def at_precision(value: float, decimals: int) -> str:
    """A value at a reporting precision of ``decimals`` places, and one place more when the
    value itself carries it (an ALP of 39.8 U/L, from a method reporting whole units, is
    not shown as 40 beside a limit of 40), never more: 5.61274 mg/dL at 1 place is 5.61."""
    if not math.isfinite(value):
        return f"{value:g}"
    places = min(max(decimals, _own_decimals(value)), decimals + 1)
    text = f"{value:.{places}f}"
    return text.lstrip("-") if float(text) == 0 else text


def canonical(value: float, analyte: str, kb: Knowledge | None = None) -> str:
    """A value in the analyte's canonical unit at its reporting precision (no unit)."""
    known = (kb or _knowledge()).analytes.get(analyte)
    return at_precision(value, known.decimals) if known else readable(value)


def limits(interval: ReferenceIntervalUsed, analyte: str, kb: Knowledge | None = None) -> str:
    """An interval in its (canonical) unit at the analyte's precision: '40-130 U/L'."""
    low = canonical(interval.low, analyte, kb) if interval.low is not None else ""
    high = canonical(interval.high, analyte, kb) if interval.high is not None else ""
    return _range(low, high, plain_unit(interval.unit))


def as_reported(
    value: float, unit: str, analyte: str, factor: float, kb: Knowledge, converted: bool = False
) -> str:
    """A value in the unit its laboratory reported (``factor`` converts that unit to the
    canonical one), at the method's precision carried over to that unit: '96 umol/L'.
    ``converted``: the value was converted from another unit (a knowledge-base limit), so it
    is rounded to that precision exactly (40 U/L is 0.67 ukat/L, not 0.667)."""
    known = kb.analytes.get(analyte)
    places = unit_decimals(known.decimals, factor) if known is not None else None
    return f"{_show(value, places, converted)} {plain_unit(unit)}".strip()


def reported(row: ResultStatus, kb: Knowledge | None = None) -> tuple[str, str]:
    """The result as its laboratory reported it, and its interval in that unit, each at the
    method's precision carried over to that unit: ('96 umol/L', '2-21 umol/L'), the
    interval '' when there is none."""
    kb = kb or _knowledge()
    analyte = kb.analytes.get(row.analyte)
    factor = _factor(row, kb)
    unit = plain_unit(row.reported_unit)
    if analyte is None:
        places = None
    else:
        places = unit_decimals(analyte.decimals, factor) if factor else analyte.decimals
    value = f"{_show(row.reported_value, places)} {unit}".strip()
    interval = row.reference_interval
    if interval is None:
        return value, ""
    if not factor:  # the unit is not known to convert: say the interval canonically
        return value, limits(interval, row.analyte, kb)
    # The laboratory's limits are as it printed them; the knowledge base's (or its intervals
    # file's), converted to another unit, are rounded to that unit's precision (2.10 mmol/L
    # is 8.4 mg/dL, not 8.417).
    converted = factor != 1 and interval.source != "laboratory"
    low = _show(interval.low / factor, places, converted) if interval.low is not None else ""
    high = _show(interval.high / factor, places, converted) if interval.high is not None else ""
    return value, _range(low, high, unit)


def _show(value: float, places: int | None, fixed: bool = False) -> str:
    if places is None:
        return readable(value)
    return f"{value:.{places}f}" if fixed and math.isfinite(value) else at_precision(value, places)


def _range(low: str, high: str, unit: str) -> str:
    text = f"{low}-{high}" if low and high else f"< {high}" if high else f"> {low}"
    return f"{text} {unit}".strip()


def _factor(row: ResultStatus, kb: Knowledge) -> float:
    """What converts the reported unit to the canonical one (0.0 when unknown)."""
    conversion = kb.unit_index.get(row.analyte, {}).get(normalise_spelling(row.reported_unit))
    if conversion is not None:
        return float(conversion.factor)
    factor = row.value / row.reported_value if row.reported_value else 0.0
    return factor if factor > 0 and math.isfinite(factor) else 0.0


def _knowledge() -> Knowledge:
    from alkphos.engine import knowledge

    return knowledge()
