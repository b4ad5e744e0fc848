"""An estimated interval beside the knowledge base's for the same sex and ages.

A stratum may span more than one knowledge-base interval (an adult band of ten years
crossing a bound of the table): each one it overlaps is compared. A knowledge-base limit
outside the estimate's 90% confidence interval is marked: the data disagree with it
beyond what the estimate's uncertainty explains.
"""

from __future__ import annotations

from dataclasses import dataclass

from alkphos.intervals.result import Estimate
from alkphos.intervals.strata import Stratum, knowledge_intervals
from alkphos.knowledge.age import age_bound_days
from alkphos.knowledge.loader import Knowledge

__all__ = ["Comparison", "compare"]


@dataclass(frozen=True)
class Comparison:
    """One knowledge-base interval beside an estimate (limits in the canonical unit).

    ``low_outside`` / ``high_outside``: the knowledge base's limit lies outside the 90%
    confidence interval of the estimated limit (False when the knowledge base has none).
    """

    interval_id: str
    population: str
    low: float | None
    high: float | None
    low_outside: bool
    high_outside: bool

    @property
    def disagrees(self) -> bool:
        """Whether either limit lies outside the estimate's confidence interval."""
        return self.low_outside or self.high_outside


def _outside(limit: float | None, ci: tuple[float, float]) -> bool:
    return limit is not None and not ci[0] <= limit <= ci[1]


def compare(kb: Knowledge, analyte: str, stratum: Stratum, estimate: Estimate) -> list[Comparison]:
    """The knowledge-base intervals overlapping ``stratum``, each beside ``estimate``."""
    start = age_bound_days(stratum.age_from)
    end = age_bound_days(stratum.age_to)
    found = []
    for interval in knowledge_intervals(kb, analyte, stratum.sex):
        if age_bound_days(interval.age_to) <= start or age_bound_days(interval.age_from) >= end:
            continue
        factor = kb.interval_factors.get(interval.id, 1.0)
        low = None if interval.low is None else interval.low * factor
        high = None if interval.high is None else interval.high * factor
        found.append(
            Comparison(
                interval_id=interval.id,
                population=interval.population,
                low=low,
                high=high,
                low_outside=_outside(low, estimate.lower_ci),
                high_outside=_outside(high, estimate.upper_ci),
            )
        )
    return found
