"""The strata ``intervals derive`` estimates an interval for: sex × age band.

Children get the knowledge base's own paediatric age bands (every age bound of the
analyte's intervals for that sex below the adult age); adults get bands of a chosen width
(``10y`` by default, so at most ten years) or bands between given cut points. The first
adult age is the knowledge base's ``adult_age_years`` unless the cut points say otherwise.
Pure Python: no engine, no numbers library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from alkphos.errors import InputError
from alkphos.facts import AGE_LIMIT_YEARS
from alkphos.knowledge.age import age_bound_days
from alkphos.knowledge.loader import Knowledge
from alkphos.knowledge.schema import AgeBound, ReferenceInterval

__all__ = [
    "DEFAULT_PARTITION",
    "SEXES",
    "Partition",
    "Stratum",
    "age_key",
    "knowledge_intervals",
    "parse_partition",
    "strata",
]

DEFAULT_PARTITION = "10y"
SEXES = ("female", "male")
#: Age keys, as screening computes them: days since birth in the first year of life,
#: ``YEAR_KEY_BASE + n`` from the first birthday on (n whole years).
YEAR_KEY_BASE = 1000
_WIDTH = re.compile(r"^\s*(\d+)\s*y\s*$")


@dataclass(frozen=True)
class Partition:
    """How adults are banded: a width in years from ``start``, or explicit cut points."""

    text: str
    width: int | None
    cuts: tuple[int, ...]

    def adult_cuts(self, adult_age: int) -> tuple[int, ...]:
        """The adult band boundaries in whole years (the last band is open-ended)."""
        if self.width is None:
            return self.cuts
        return tuple(range(adult_age, AGE_LIMIT_YEARS, self.width))


def parse_partition(text: str) -> Partition:
    """``10y`` / ``5y`` (band width in years) or ``18,30,50,70`` (cut points in years).

    Raises:
        InputError: anything else, or cut points that are not increasing whole years.
    """
    hint = "a width such as 10y or 5y, or cut points in years such as 18,40,60"
    width = _WIDTH.match(text)
    if width is not None:
        years = int(width.group(1))
        if not 1 <= years <= AGE_LIMIT_YEARS:
            raise InputError("--partition", f"a band of {years} years", hint)
        return Partition(text=text.strip(), width=years, cuts=())
    parts = [part.strip() for part in text.split(",")]
    if not parts or not all(part.isdigit() for part in parts):
        raise InputError("--partition", f"not a partition: '{text}'", hint)
    cuts = tuple(int(part) for part in parts)
    if any(b <= a for a, b in pairwise(cuts)):
        raise InputError("--partition", f"cut points not increasing: '{text}'", hint)
    if cuts[0] < 1 or cuts[-1] >= AGE_LIMIT_YEARS:
        raise InputError(
            "--partition", f"cut points outside 1 to {AGE_LIMIT_YEARS - 1} years: '{text}'", hint
        )
    return Partition(text=",".join(parts), width=None, cuts=cuts)


@dataclass(frozen=True)
class Stratum:
    """One sex and age band: ``age_from`` inclusive, ``age_to`` exclusive (None: no end)."""

    index: int
    sex: str
    age_from: AgeBound
    age_to: AgeBound | None
    adult: bool

    @property
    def key_from(self) -> int:
        """The band's first age key (see ``age_key``)."""
        return age_key(self.age_from)

    @property
    def key_to(self) -> int | None:
        """The first age key past the band, or None."""
        return None if self.age_to is None else age_key(self.age_to)

    @property
    def id(self) -> str:
        """``female.18y-28y``, ``male.0d-15d``, ``female.78y`` (open-ended)."""
        end = "" if self.age_to is None else f"-{_bound(self.age_to)}"
        return f"{self.sex}.{_bound(self.age_from)}{end}"

    @property
    def label(self) -> str:
        """``women 18 to <28 years``, ``boys 0 to <15 days``, ``men 78 years and over``."""
        who = {
            ("female", True): "women",
            ("male", True): "men",
            ("female", False): "girls",
            ("male", False): "boys",
        }[(self.sex, self.adult)]
        start = _words(self.age_from)
        if self.age_to is None:
            return f"{who} {start} and over"
        if self.age_from.unit == self.age_to.unit:
            return f"{who} {self.age_from.value:g} to <{_words(self.age_to)}"
        return f"{who} {start} to <{_words(self.age_to)}"


def age_key(bound: AgeBound) -> int:
    """The age key at which ``bound`` is reached (days below a year, else years)."""
    if bound.unit == "d":
        return int(bound.value)
    return YEAR_KEY_BASE + int(bound.value) if bound.value >= 1 else 0


def _bound(bound: AgeBound) -> str:
    return f"{bound.value:g}{bound.unit}"


def _words(bound: AgeBound) -> str:
    unit = "day" if bound.unit == "d" else "year"
    return f"{bound.value:g} {unit}{'' if bound.value == 1 else 's'}"


def _paediatric_bounds(kb: Knowledge, analyte: str, sex: str, below: int) -> list[AgeBound]:
    """The age bounds of the analyte's intervals for ``sex`` below ``below`` years."""
    seen: dict[float, AgeBound] = {0.0: AgeBound(value=0, unit="d")}
    for interval in knowledge_intervals(kb, analyte, sex):
        for bound in (interval.age_from, interval.age_to):
            if bound is None or age_bound_days(bound) >= below * 365.25:
                continue
            if bound.unit == "y" and not float(bound.value).is_integer():
                continue
            if bound.unit == "d" and bound.value >= 365:
                continue
            seen.setdefault(age_bound_days(bound), bound)
    return [seen[days] for days in sorted(seen)]


def knowledge_intervals(kb: Knowledge, analyte: str, sex: str) -> list[ReferenceInterval]:
    """The analyte's knowledge-base intervals for ``sex`` outside pregnancy."""
    return [
        interval
        for interval in kb.intervals.get(analyte, ())
        if interval.pregnancy_weeks is None and interval.sex in (sex, "any")
    ]


def strata(kb: Knowledge, analyte: str, partition: Partition) -> list[Stratum]:
    """Every stratum, females first, each sex from birth to the oldest band."""
    adult_age = int(kb.param("adult_age_years"))
    cuts = partition.adult_cuts(adult_age)
    result: list[Stratum] = []
    for sex in SEXES:
        bounds = [
            *_paediatric_bounds(kb, analyte, sex, cuts[0]),
            *(AgeBound(value=cut, unit="y") for cut in cuts),
        ]
        for start, end in zip(bounds, [*bounds[1:], None], strict=True):
            adult = start.unit == "y" and start.value >= adult_age
            result.append(
                Stratum(index=len(result), sex=sex, age_from=start, age_to=end, adult=adult)
            )
    return result
