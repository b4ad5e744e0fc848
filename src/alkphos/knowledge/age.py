"""Age as both exact days and calendar years, and age bounds of reference intervals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import MAXYEAR, date

from alkphos.knowledge.schema import AgeBound

__all__ = ["DAYS_PER_YEAR", "Age", "age_bound_days"]

DAYS_PER_YEAR = 365.25
_DAYS_PER_400_YEARS = 146_097


@dataclass(frozen=True, slots=True)
class Age:
    """An age: ``days`` since birth and ``years`` in calendar terms (18.0 on the birthday)."""

    days: float
    years: float

    @classmethod
    def from_years(cls, years: float) -> Age:
        """An age given in (possibly fractional) years."""
        return cls(days=years * DAYS_PER_YEAR, years=years)

    @classmethod
    def between(cls, birth: date, on: date) -> Age:
        """The age on ``on`` of someone born on ``birth`` (never negative)."""
        if on <= birth:
            return cls(days=0.0, years=0.0)
        years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
        last = _anniversary(birth, birth.year + years)
        following = _anniversary(birth, birth.year + years + 1)
        fraction = (on.toordinal() - last) / (following - last)
        return cls(days=float((on - birth).days), years=years + fraction)

    def reached(self, bound: AgeBound) -> bool:
        """Whether this age is at or past ``bound``."""
        return (self.days if bound.unit == "d" else self.years) >= bound.value


def _anniversary(birth: date, year: int) -> int:
    """The day number (``date.toordinal``) of the birthday in ``year``, which may be 10000."""
    if year > MAXYEAR:  # the Gregorian calendar repeats every 400 years
        return _anniversary(birth, year - 400) + _DAYS_PER_400_YEARS
    try:
        return birth.replace(year=year).toordinal()
    except ValueError:  # born on 29 February
        return date(year, 3, 1).toordinal()


def age_bound_days(bound: AgeBound | None, default: float = float("inf")) -> float:
    """A bound in days (years count 365.25 days), or ``default`` when there is none."""
    if bound is None:
        return default
    return bound.value if bound.unit == "d" else bound.value * DAYS_PER_YEAR
