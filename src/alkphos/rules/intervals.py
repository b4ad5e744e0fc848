"""Choose the reference interval for a result: the lab's own limits, else the knowledge base.

Knowledge-base intervals are chosen by analyte, age, sex and pregnancy week. With the sex
unknown, where female and male limits differ the widest of the two is used (so no one is
called abnormal only because the sex was not given), and the basis says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from alkphos.knowledge.age import Age
from alkphos.knowledge.loader import Knowledge
from alkphos.knowledge.schema import AgeBound, Citation, ReferenceInterval

__all__ = ["Interval", "adult_interval", "citation_label", "knowledge_interval", "status_of"]


@dataclass(frozen=True, slots=True)
class Interval:
    """Limits in the analyte's canonical unit, with the basis in words."""

    low: float | None
    high: float | None
    unit: str
    basis: str
    source: str  # "laboratory" or "knowledge base"
    citations: tuple[str, ...] = ()


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


def _matches_age(interval: ReferenceInterval, age: Age) -> bool:
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
    """The knowledge-base interval for this analyte and person, or None if there is none.

    Where a woman's intervals are tagged by menopausal status and hers is stated and differs
    from the one her age falls in, the interval of her status nearest her age is used.
    """
    candidates = kb.intervals.get(analyte, ())
    if not candidates:
        return None
    if pregnancy_weeks is not None and sex != "male":
        for interval in candidates:
            weeks = interval.pregnancy_weeks
            if weeks is not None and weeks.from_ <= pregnancy_weeks < weeks.to:
                return _from_rows(kb, [interval], f" at {pregnancy_weeks:g} weeks of pregnancy")
    general = [i for i in candidates if i.pregnancy_weeks is None]
    note = ""
    if age is None:
        rows = [i for i in general if i.age_to is None]
        note = "; age not given, so adult limits are assumed"
    else:
        rows = [i for i in general if _matches_age(i, age)]
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
            note += "; sex not given, so the widest of the female and male limits is used"
    return _from_rows(kb, chosen, note) if chosen else None


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


def _from_rows(kb: Knowledge, rows: list[ReferenceInterval], note: str) -> Interval:
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
