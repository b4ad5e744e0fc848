"""Choose the reference interval for a result: the lab's own limits, else the knowledge base.

Knowledge-base intervals are chosen by analyte, age, sex and pregnancy week. With the sex
unknown, where female and male limits differ the widest of the two is used (so no one is
called abnormal only because the sex was not given), and the basis says so.

A laboratory's intervals file (``Knowledge.local_intervals``) replaces the knowledge base's
intervals for the people it covers: its entry is chosen the same way and, where it has
none for this analyte, sex, age and pregnancy, the knowledge base's interval is used.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar
from weakref import WeakKeyDictionary

from alkphos.errors import InputError
from alkphos.knowledge.age import Age
from alkphos.knowledge.loader import Knowledge
from alkphos.knowledge.local import LocalBasis, LocalInterval
from alkphos.knowledge.schema import AgeBound, Analyte, Citation, ReferenceInterval

__all__ = [
    "Interval",
    "adult_interval",
    "check_limit",
    "citation_label",
    "knowledge_interval",
    "status_of",
]


@dataclass(frozen=True, slots=True)
class Interval:
    """Limits in the analyte's canonical unit, with the basis in words."""

    low: float | None
    high: float | None
    unit: str
    basis: str
    source: str  # "laboratory" (printed on the result), "laboratory file" or "knowledge base"
    citations: tuple[str, ...] = ()
    local: tuple[LocalBasis, ...] = ()
    """The basis of each laboratory-file entry the limits come from."""


def check_limit(path: str, limit: float, factor: float, analyte: Analyte, unit: str = "") -> None:
    """Refuse a reference limit no laboratory could mean: negative, or above the analyte's
    plausible bound once converted (``factor``) to its canonical unit."""
    if limit < 0:
        raise InputError(path, f"negative limit {limit:g}", "0 or more")
    if limit * factor > analyte.plausible.high:
        shown = f"{limit:g} {unit}" if unit else f"{limit:g}"
        raise InputError(
            path,
            f"implausible limit {shown} for {analyte.name}",
            f"at most {analyte.plausible.high:g} {analyte.unit}",
        )


def citation_label(citation: Citation) -> str:
    """A short label: 'Estey et al. 2013' for people, the body's name for an organisation."""
    authors = [part.strip() for part in citation.authors.split(",") if part.strip()]
    first = authors[0] if authors else "unknown"
    words = first.split()
    person = len(words) >= 2 and words[-1].isupper() and len(words[-1]) <= 3
    if first.lower() == "unknown":
        name = citation.published_in
    elif person:
        name = " ".join(words[:-1]) + (" et al." if len(authors) > 1 else "")
    else:
        name = first
    return f"{name} {citation.year}" if citation.year else name


def _matches_age(interval: ReferenceInterval | LocalInterval, age: Age) -> bool:
    if not age.reached(interval.age_from):
        return False
    return interval.age_to is None or not age.reached(interval.age_to)


def adult_interval(kb: Knowledge, analyte: str, sex: str, years: float | None) -> Interval | None:
    """The non-pregnancy adult interval for a sex at an age (a child's or an unknown age is
    taken as the adult age): what 'above the adult limit' compares with."""
    adult = kb.param("adult_age_years")
    age = Age.from_years(max(years, adult) if years is not None else adult)
    return knowledge_interval(kb, analyte, age, sex, None)


def knowledge_interval(
    kb: Knowledge,
    analyte: str,
    age: Age | None,
    sex: str,
    pregnancy_weeks: float | None,
    menopause: str | None = None,
) -> Interval | None:
    """The interval for this analyte and person: the laboratory file's where it covers
    them, else the knowledge base's; None if neither has one.

    Where a woman's knowledge-base intervals are tagged by menopausal status and hers is
    stated and differs from the one her age falls in, the interval of her status nearest
    her age is used.
    """
    local = kb.local_intervals.get(analyte, ())
    if pregnancy_weeks is not None and sex != "male":
        note = f" at {pregnancy_weeks:g} weeks of pregnancy"
        for row in local:
            weeks = row.pregnancy_weeks
            in_weeks = weeks is not None and weeks.from_ <= pregnancy_weeks < weeks.to
            if in_weeks and (age is None or _matches_age(row, age)):
                return _from_local(kb, [row], note)
        for interval in kb.intervals.get(analyte, ()):
            weeks = interval.pregnancy_weeks
            if weeks is not None and weeks.from_ <= pregnancy_weeks < weeks.to:
                return _from_rows(kb, [interval], note)
    if local:
        found = _local_general(kb, analyte, local, age, sex, menopause)
        if found is not None:
            return found
    return _general(kb, analyte, age, sex, menopause)


def _general(
    kb: Knowledge, analyte: str, age: Age | None, sex: str, menopause: str | None
) -> Interval | None:
    """The knowledge base's non-pregnancy interval for this age and sex."""
    general = [i for i in kb.intervals.get(analyte, ()) if i.pregnancy_weeks is None]
    rows, note = _at_age(general, age)
    if sex in ("female", "male"):
        chosen = [i for i in rows if i.sex in (sex, "any")][:1]
        if chosen and menopause is not None and chosen[0].menopause not in (None, menopause):
            nearest = _nearest_of_status(general, sex, menopause, age)
            if nearest is not None:
                chosen = [nearest]
                note += f"; chosen for her stated {menopause}menopausal status rather than her age"
    else:
        shared = [i for i in rows if i.sex == "any"]
        chosen = shared[:1] or [i for i in rows if i.sex in ("female", "male")]
        if len(chosen) > 1:
            note += _SEX_NOT_GIVEN
    return _from_rows(kb, chosen, note) if chosen else None


_SEX_NOT_GIVEN = "; sex not given, so the widest of the female and male limits is used"
_R = TypeVar("_R", ReferenceInterval, LocalInterval)


def _at_age(rows: Iterable[_R], age: Age | None) -> tuple[list[_R], str]:
    """The rows for this age (the open-ended adult rows when the age is not given)."""
    if age is None:
        return [i for i in rows if i.age_to is None], "; age not given, so adult limits are assumed"
    return [i for i in rows if _matches_age(i, age)], ""


def _nearest_of_status(
    intervals: list[ReferenceInterval], sex: str, menopause: str, age: Age | None
) -> ReferenceInterval | None:
    """Of the intervals for this sex and menopausal status, the one nearest the age."""
    years = age.years if age is not None else None
    tagged = [i for i in intervals if i.sex in (sex, "any") and i.menopause == menopause]
    if not tagged:
        return None
    if years is None:
        return tagged[-1]

    def distance(interval: ReferenceInterval) -> float:
        start = _years(interval.age_from)
        end = _years(interval.age_to) if interval.age_to is not None else float("inf")
        return max(start - years, years - end, 0.0)

    return min(tagged, key=distance)


def _years(bound: AgeBound) -> float:
    return bound.value if bound.unit == "y" else bound.value / 365.25


def _local_general(
    kb: Knowledge,
    analyte: str,
    local: Iterable[LocalInterval],
    age: Age | None,
    sex: str,
    menopause: str | None,
) -> Interval | None:
    """The laboratory file's non-pregnancy interval; with the sex not given, the widest of
    the female and male limits (the knowledge base's for a sex the file does not cover)."""
    rows, note = _at_age((i for i in local if i.pregnancy_weeks is None), age)
    if sex in ("female", "male"):
        chosen = [i for i in rows if i.sex in (sex, "any")][:1]
        return _from_local(kb, chosen, note) if chosen else None
    shared = [i for i in rows if i.sex == "any"][:1]
    if shared:
        return _from_local(kb, shared, note)
    female = [i for i in rows if i.sex == "female"][:1]
    male = [i for i in rows if i.sex == "male"][:1]
    if female and male:
        return _from_local(kb, female + male, note + _SEX_NOT_GIVEN)
    if not (female or male):
        return None
    other = _general(kb, analyte, age, "male" if female else "female", menopause)
    ours = _from_local(kb, female or male, note)
    if other is None:
        return ours
    return Interval(
        low=min(ours.low, other.low) if ours.low is not None and other.low is not None else None,
        high=max(ours.high, other.high)
        if ours.high is not None and other.high is not None
        else None,
        unit=ours.unit,
        basis=f"{ours.basis} / {other.basis}{_SEX_NOT_GIVEN}",
        source="laboratory file",
        citations=other.citations,
        local=ours.local,
    )


def _from_local(kb: Knowledge, rows: list[LocalInterval], note: str) -> Interval:
    lows = [row.low for row in rows if row.low is not None]
    highs = [row.high for row in rows if row.high is not None]
    population = " / ".join(_first_sentence(row.population) for row in rows)
    statements = "; ".join(dict.fromkeys(row.basis.statement for row in rows))
    return Interval(
        low=min(lows) if len(lows) == len(rows) else None,
        high=max(highs) if len(highs) == len(rows) else None,
        unit=kb.analytes[rows[0].analyte].unit,
        basis=f"{population} ({statements}){note}",
        source="laboratory file",
        local=tuple(row.basis for row in rows),
    )


# The interval made from knowledge-base rows depends only on the rows and the note: made once
# per knowledge base (a few hundred at most; forgotten with the knowledge base).
_MADE: WeakKeyDictionary[Knowledge, dict[tuple[tuple[str, ...], str], Interval]] = (
    WeakKeyDictionary()
)
_MADE_AT_MOST = 4096


def _from_rows(kb: Knowledge, rows: list[ReferenceInterval], note: str) -> Interval:
    made = _MADE.setdefault(kb, {})
    key = (tuple(row.id for row in rows), note)
    found = made.get(key)
    if found is None:
        if len(made) >= _MADE_AT_MOST:
            made.clear()
        found = made[key] = _make_from_rows(kb, rows, note)
    return found


def _make_from_rows(kb: Knowledge, rows: list[ReferenceInterval], note: str) -> Interval:
    factor = [kb.interval_factors[row.id] for row in rows]
    lows = [row.low * f for row, f in zip(rows, factor, strict=True) if row.low is not None]
    highs = [row.high * f for row, f in zip(rows, factor, strict=True) if row.high is not None]
    citations = tuple(dict.fromkeys(c for row in rows for c in row.citations))
    labels = ", ".join(citation_label(kb.citations[c]) for c in citations)
    population = " / ".join(_first_sentence(row.population) for row in rows)
    return Interval(
        low=_tidy(min(lows), factor[0]) if len(lows) == len(rows) else None,
        high=_tidy(max(highs), factor[0]) if len(highs) == len(rows) else None,
        unit=kb.analytes[rows[0].analyte].unit,
        basis=f"{population} ({labels}){note}",
        source="knowledge base",
        citations=citations,
    )


def _first_sentence(text: str) -> str:
    return text.split(". ")[0].rstrip(".")


def _tidy(value: float, factor: float = 1.0) -> float:
    """Round converted limits to 4 significant figures; keep published ones as they are."""
    return float(f"{value:.4g}") if factor != 1.0 else float(f"{value:.6g}")


def status_of(value: float, interval: Interval | None) -> str:
    """'low', 'high' or 'normal' against the interval (limits count as normal); 'unknown'."""
    if interval is None or (interval.low is None and interval.high is None):
        return "unknown"
    if interval.low is not None and value < interval.low:
        return "low"
    if interval.high is not None and value > interval.high:
        return "high"
    return "normal"
