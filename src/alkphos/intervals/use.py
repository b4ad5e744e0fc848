"""Using a laboratory's intervals file: check it against the knowledge base, then put its
intervals in place of the knowledge base's for the people it covers.

Beyond the file's own schema (``labfile``), each entry must name an analyte the knowledge
base knows, in a unit accepted for it; have lower < upper (plausible, not negative); and
the entries of one analyte and sex (and pregnancy weeks) must not overlap. Every problem
is an ``InputError`` naming the entry. Ages a file leaves out between its entries (a
stratum ``intervals derive`` had too few results to estimate, or a slip in a hand-written
file) keep the knowledge base's interval; ``uncovered`` says which, for a note.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from itertools import pairwise
from pathlib import Path

from alkphos.errors import InputError, closest
from alkphos.intervals.labfile import LabInterval, LabIntervalFile, dump_file, load_file
from alkphos.knowledge.age import DAYS_PER_YEAR
from alkphos.knowledge.loader import Knowledge
from alkphos.knowledge.local import LocalBasis, LocalInterval
from alkphos.knowledge.schema import AgeBound
from alkphos.rules.intervals import check_limit
from alkphos.units import normalise_spelling

__all__ = [
    "IntervalsSource",
    "check_file",
    "load_intervals",
    "resolve",
    "uncovered",
    "with_intervals",
]

IntervalsSource = LabIntervalFile | str | os.PathLike[str]
_MERGED: dict[tuple[str, str], Knowledge] = {}
_MERGED_MAX = 16


def load_intervals(path: str | os.PathLike[str], kb: Knowledge) -> LabIntervalFile:
    """Read an intervals file and check it against ``kb``; ``InputError`` naming the entry."""
    lab = load_file(Path(path))
    check_file(lab, kb, str(path))
    return lab


def resolve(intervals: IntervalsSource, kb: Knowledge) -> Knowledge:
    """``kb`` with a laboratory's intervals (a file model or a path to one) in use."""
    if isinstance(intervals, LabIntervalFile):
        return with_intervals(kb, intervals)
    source = str(intervals)
    return with_intervals(kb, load_intervals(source, kb), source)


def with_intervals(
    kb: Knowledge, lab: LabIntervalFile, source: str = "intervals file"
) -> Knowledge:
    """A knowledge base whose interval lookup tries the laboratory's entries first.

    Its version is the knowledge base's plus a digest of the file, so anything cached by
    version (the screening tables) is kept apart from the knowledge base's own.
    """
    text = dump_file(lab)
    base = kb.version.split("+lab-")[0]
    key = (base, hashlib.sha256(text.encode()).hexdigest()[:12])
    merged = _MERGED.get(key)
    if merged is None:
        check_file(lab, kb, source)
        local: dict[str, list[LocalInterval]] = {}
        for entry in lab.intervals:
            local.setdefault(entry.analyte, []).append(_local(kb, lab, entry))
        merged = dataclasses.replace(
            kb,
            version=f"{base}+lab-{key[1]}",
            local_intervals={analyte: tuple(rows) for analyte, rows in local.items()},
        )
        if len(_MERGED) >= _MERGED_MAX:
            _MERGED.pop(next(iter(_MERGED)))
        _MERGED[key] = merged
    return merged


def check_file(lab: LabIntervalFile, kb: Knowledge, source: str = "intervals file") -> None:
    """Every entry usable and the entries of each stratum tiling their ages.

    Raises:
        InputError: naming the entry (``<source>: interval '<id>'``) and the problem.
    """
    seen: set[str] = set()
    for entry in lab.intervals:
        where = _where(source, entry)
        if entry.id in seen:
            raise InputError(where, "the id is used by an earlier entry too", "unique ids")
        seen.add(entry.id)
        _check_entry(kb, entry, where)
    _check_cover(lab.intervals, source)


def uncovered(lab: LabIntervalFile) -> list[str]:
    """The ages (or pregnancy weeks) the file leaves out between its entries, in words."""
    gaps: list[str] = []
    _check_cover(lab.intervals, "intervals file", gaps)
    return gaps


def _where(source: str, entry: LabInterval) -> str:
    return f"{source}: interval '{entry.id}'"


def _factor(kb: Knowledge, entry: LabInterval) -> float:
    return kb.unit_index[entry.analyte][normalise_spelling(entry.unit)].factor


def _check_entry(kb: Knowledge, entry: LabInterval, where: str) -> None:
    analyte = kb.analytes.get(entry.analyte)
    if analyte is None:
        raise InputError(
            f"{where}.analyte",
            f"'{entry.analyte}' is not an analyte alkphos knows",
            "known: " + ", ".join(sorted(kb.analytes)),
            suggestion=closest(entry.analyte, kb.analytes),
        )
    if normalise_spelling(entry.unit) not in kb.unit_index[entry.analyte]:
        accepted = kb.accepted_units(entry.analyte)
        raise InputError(
            f"{where}.unit",
            f"'{entry.unit}' is not a unit alkphos converts for {analyte.name}",
            "accepted: " + ", ".join(accepted),
            suggestion=closest(entry.unit, accepted),
        )
    if entry.low is None and entry.high is None:
        raise InputError(f"{where}.low", "neither a lower nor an upper limit", "one or both")
    factor = _factor(kb, entry)
    for name, limit in (("low", entry.low), ("high", entry.high)):
        if limit is not None:
            check_limit(f"{where}.{name}", limit, factor, analyte, entry.unit)
    if entry.low is not None and entry.high is not None and not entry.low < entry.high:
        raise InputError(
            f"{where}.low",
            f"lower limit {entry.low:g} is not below upper limit {entry.high:g}",
            "low < high",
        )
    if entry.age_to is not None and _days(entry.age_to) <= _days(entry.age_from):
        raise InputError(
            f"{where}.age_to",
            f"{_age(entry.age_to)} is not after age_from {_age(entry.age_from)}",
            "age_from < age_to",
        )
    weeks = entry.pregnancy_weeks
    if weeks is not None and entry.sex == "male":
        raise InputError(f"{where}.pregnancy_weeks", "given for sex 'male'", "female or any")
    if weeks is not None and not weeks.from_ < weeks.to:
        raise InputError(
            f"{where}.pregnancy_weeks",
            f"from {weeks.from_:g} is not before to {weeks.to:g}",
            "from < to",
        )
    basis = entry.basis
    for name, ci in (("lower_ci", basis.lower_ci), ("upper_ci", basis.upper_ci)):
        if ci is not None and ci[0] > ci[1]:
            raise InputError(f"{where}.basis.{name}", f"[{ci[0]:g}, {ci[1]:g}] is reversed")
    if basis.date_from and basis.date_to and basis.date_from > basis.date_to:
        raise InputError(f"{where}.basis.date_to", "before date_from", "date_from <= date_to")


def _days(bound: AgeBound) -> float:
    return bound.value if bound.unit == "d" else bound.value * DAYS_PER_YEAR


def _age(bound: AgeBound | None) -> str:
    return "no upper bound" if bound is None else f"{bound.value:g} {bound.unit}"


def _check_cover(
    entries: Sequence[LabInterval], source: str, gaps: list[str] | None = None
) -> None:
    """Per analyte, sex (an 'any' entry counts for both) and pregnancy weeks: the ages do
    not overlap, nor the pregnancy week ranges; each gap between entries is added to
    ``gaps`` in words."""
    groups: dict[tuple[str, str, tuple[float, float] | None], list[LabInterval]] = {}
    for entry in entries:
        sexes = ("female", "male") if entry.sex == "any" else (entry.sex,)
        weeks = entry.pregnancy_weeks
        span = None if weeks is None else (weeks.from_, weeks.to)
        for sex in sexes:
            if span is None or sex == "female":
                groups.setdefault((entry.analyte, sex, span), []).append(entry)
    for (analyte, sex, span), rows in groups.items():
        in_weeks = f", pregnancy weeks {span[0]:g}-{span[1]:g}" if span else ""
        stratum = f"{analyte}, {sex}{in_weeks}"
        _tile(
            source,
            gaps,
            stratum,
            "ages",
            [(_days(r.age_from), None if r.age_to is None else _days(r.age_to), r) for r in rows],
            lambda r: f"{_age(r.age_from)} to {_age(r.age_to)}",
        )
    pregnancy: dict[tuple[str, str], dict[tuple[float, float], LabInterval]] = {}
    for (analyte, sex, span), rows in groups.items():
        if span is not None:
            pregnancy.setdefault((analyte, sex), {}).setdefault(span, rows[0])
    for (analyte, sex), spans in pregnancy.items():
        _tile(
            source,
            gaps,
            f"{analyte}, {sex}, pregnancy",
            "pregnancy weeks",
            [(start, end, entry) for (start, end), entry in spans.items()],
            lambda r: (
                f"{r.pregnancy_weeks.from_:g} to {r.pregnancy_weeks.to:g}"
                if r.pregnancy_weeks
                else ""
            ),
        )


def _tile(
    source: str,
    gaps: list[str] | None,
    stratum: str,
    what: str,
    spans: Iterable[tuple[float, float | None, LabInterval]],
    say: Callable[[LabInterval], str],
) -> None:
    ordered = sorted(spans, key=lambda s: (s[0], float("inf") if s[1] is None else s[1]))
    for (_, end, before), (start, _, after) in pairwise(ordered):
        if end is None or end > start + 1e-9:
            raise InputError(
                _where(source, after),
                f"its {what} ({say(after)}) overlap those of interval '{before.id}' "
                f"({say(before)}) for {stratum}",
                "entries of one analyte and sex that do not overlap",
            )
        if end < start - 1e-9 and gaps is not None:
            gaps.append(
                f"{what} between interval '{before.id}' ({say(before)}) and interval "
                f"'{after.id}' ({say(after)}) for {stratum} are not in the file: the "
                "knowledge base's interval is used there"
            )


def _local(kb: Knowledge, lab: LabIntervalFile, entry: LabInterval) -> LocalInterval:
    factor = _factor(kb, entry)
    unit = kb.analytes[entry.analyte].unit
    basis = entry.basis

    def convert(value: float) -> float:
        return float(f"{value * factor:.6g}")

    def ci(pair: tuple[float, float] | None) -> tuple[float, float] | None:
        return None if pair is None else (convert(pair[0]), convert(pair[1]))

    lower_ci, upper_ci = ci(basis.lower_ci), ci(basis.upper_ci)
    local_basis = LocalBasis(
        entry=entry.id,
        laboratory=lab.laboratory,
        method=basis.method,
        estimator=basis.estimator,
        n=basis.n,
        lower_ci=lower_ci,
        upper_ci=upper_ci,
        date_from=basis.date_from.isoformat() if basis.date_from else None,
        date_to=basis.date_to.isoformat() if basis.date_to else None,
        origin=basis.origin,
        statement=statement(entry, lab.laboratory, lower_ci, upper_ci, unit),
    )
    return LocalInterval(
        id=entry.id,
        analyte=entry.analyte,
        sex=entry.sex,
        age_from=entry.age_from,
        age_to=entry.age_to,
        pregnancy_weeks=entry.pregnancy_weeks,
        low=convert(entry.low) if entry.low is not None else None,
        high=convert(entry.high) if entry.high is not None else None,
        population=entry.population,
        basis=local_basis,
    )


def statement(
    entry: LabInterval,
    laboratory: str | None,
    lower_ci: tuple[float, float] | None,
    upper_ci: tuple[float, float] | None,
    unit: str,
) -> str:
    """The basis in one sentence: 'laboratory interval, indirect estimate from 12,000
    results 2025; 90% CI of the lower limit 36-40, of the upper limit 114-122 U/L; ...'."""
    basis = entry.basis
    count = f"{basis.n:,} " if basis.n else ""
    how = {
        "indirect": f"indirect estimate from {count}routine results",
        "direct": f"direct estimate (CLSI EP28-A3c) from {count}reference individuals",
        "transferred": "transferred" + (f", checked on {basis.n:,} values" if basis.n else ""),
    }[basis.method]
    parts = ["laboratory interval" + (f" of {laboratory}" if laboratory else "") + ", " + how]
    period = _period(basis.date_from, basis.date_to)
    if period:
        parts[0] += f" {period}"
    cis = [
        f"of the {name} limit {pair[0]:g}-{pair[1]:g}"
        for name, pair in (("lower", lower_ci), ("upper", upper_ci))
        if pair is not None
    ]
    if cis:
        parts.append("90% CI " + ", ".join(cis) + f" {unit}")
    parts.append(("from " if basis.method == "transferred" else "data: ") + basis.origin)
    return "; ".join(parts)


def _period(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        whole_years = (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
        if whole_years:
            return str(start.year) if start.year == end.year else f"{start.year}-{end.year}"
        return f"{start.isoformat()} to {end.isoformat()}"
    if start:
        return f"from {start.isoformat()}"
    if end:
        return f"to {end.isoformat()}"
    return ""
