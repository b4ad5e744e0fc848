"""ALP over time: persistence of a low value, trend, fold change, first-ever vs long-standing.

Persistence uses the 'lln' case-finding definition: at least two ALP results below the
age/sex lower limit on different days and none above the upper limit (the minimum count is
a knowledge-base parameter). The same definition drives population screening.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from alkphos.facts import Facts, Measurement

__all__ = ["PERSISTENCE_DEFINITION", "Series", "alp_series"]

PERSISTENCE_DEFINITION = (
    "lln: at least {n} ALP results below the age/sex lower limit on different days "
    "and none above the upper limit"
)


@dataclass(frozen=True, slots=True)
class Series:
    """What the ALP results say over time."""

    results: tuple[Measurement, ...]
    n_low: int
    n_high: int
    persistently_low: bool
    first_low: Measurement | None
    last_low: Measurement | None
    first_ever_abnormal: bool
    long_standing: bool
    trend: Literal["rising", "falling", "stable"] | None
    fold_change: float | None
    acute_fall: bool
    definition: str
    run_start: date | None = None
    """The first day of the unbroken run of results in the latest result's direction (low or
    high) that ends with the latest result: how long the abnormality has lasted."""
    normal_before_run: date | None = None
    """The last day ALP was normal (or in the other direction) before that run, if known."""


def alp_series(facts: Facts) -> Series | None:
    """Summarise every ALP result of the case, or None when there is none."""
    results = facts.by_analyte.get("alp", ())
    if not results:
        return None
    kb = facts.kb
    latest = results[-1]
    lows = [m for m in results if m.status == "low"]
    highs = [m for m in results if m.status == "high"]
    needed = int(kb.param("persistence_min_low_results"))
    persistently_low = len({m.when for m in lows}) >= needed and not highs
    earlier = [m for m in results[:-1] if m.when < latest.when]
    abnormal = latest.status in ("low", "high")
    same_direction = [m for m in results if m.status == latest.status]
    span = (same_direction[-1].when - same_direction[0].when).days if abnormal else 0
    previous = earlier[-1] if earlier else None
    trend: Literal["rising", "falling", "stable"] | None = None
    fold = None
    if previous is not None and previous.detectable:
        fold = latest.value / previous.value
        change = kb.param("meaningful_change_fraction")
        trend = "rising" if fold - 1 >= change else "falling" if 1 - fold >= change else "stable"
    run, before = _current_run(list(results)) if abnormal else ([], [])
    window = timedelta(days=kb.param("acute_fall_window_days"))
    acute_fall = latest.status == "low" and any(
        m.status in ("normal", "high") and latest.when - m.when <= window for m in earlier
    )
    return Series(
        results=results,
        n_low=len(lows),
        n_high=len(highs),
        persistently_low=persistently_low,
        first_low=lows[0] if lows else None,
        last_low=lows[-1] if lows else None,
        first_ever_abnormal=abnormal and len(same_direction) == 1 and not _abnormal(earlier),
        long_standing=abnormal and span >= kb.param("long_standing_low_days"),
        trend=trend,
        fold_change=round(fold, 2) if fold is not None else None,
        acute_fall=acute_fall,
        definition=PERSISTENCE_DEFINITION.format(n=needed),
        run_start=run[0].when if run else None,
        normal_before_run=before[-1].when if before else None,
    )


def _current_run(results: list[Measurement]) -> tuple[list[Measurement], list[Measurement]]:
    """The unbroken run of results with the latest one's status, and the results before it."""
    status = results[-1].status
    start = len(results) - 1
    while start > 0 and results[start - 1].status == status:
        start -= 1
    return results[start:], results[:start]


def _abnormal(results: list[Measurement]) -> bool:
    return any(m.status in ("low", "high") for m in results)
