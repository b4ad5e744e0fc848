"""A laboratory's own intervals as the engine holds them: limits in the canonical unit and
the basis said plainly. Built from an intervals file by ``alkphos.intervals.use``; looked up
before the knowledge base's intervals by ``alkphos.rules.intervals``."""

from __future__ import annotations

from dataclasses import dataclass

from alkphos.knowledge.schema import AgeBound, WeekRange

__all__ = ["LocalBasis", "LocalInterval"]


@dataclass(frozen=True, slots=True)
class LocalBasis:
    """How a laboratory interval was obtained (the file entry's ``basis``) and a sentence
    saying so, e.g. 'laboratory interval, indirect estimate from 12,000 results 2025'."""

    entry: str
    laboratory: str | None
    method: str
    estimator: str | None
    n: int | None
    lower_ci: tuple[float, float] | None
    upper_ci: tuple[float, float] | None
    date_from: str | None
    date_to: str | None
    origin: str
    statement: str


@dataclass(frozen=True, slots=True)
class LocalInterval:
    """One entry of a laboratory's intervals file, limits in the analyte's canonical unit."""

    id: str
    analyte: str
    sex: str
    age_from: AgeBound
    age_to: AgeBound | None
    pregnancy_weeks: WeekRange | None
    low: float | None
    high: float | None
    population: str
    basis: LocalBasis
