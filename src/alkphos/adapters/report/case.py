"""From a report's reading to a case, its interpretation, and what the person must know:
printed ranges that cannot apply to this patient, and flags that disagree with the reading.

The laboratory's printed limits win, as everywhere in alkphos, except where they cannot
apply: in pregnancy, when the knowledge base has a pregnancy-specific interval for the test,
and in a child or adolescent when the printed range is an adult range (closer to the
knowledge base's adult interval than to the one for the child's age). Then the knowledge
base's interval is used and the output says why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from alkphos.adapters.case_json import parse_case
from alkphos.adapters.report.dates import DateOrder
from alkphos.adapters.report.reader import read_report
from alkphos.engine import default_as_of, interpret
from alkphos.errors import InputError
from alkphos.facts import Measurement, gather_facts
from alkphos.knowledge.loader import Knowledge
from alkphos.model.case import Setting
from alkphos.model.interpretation import Interpretation
from alkphos.model.report import (
    Disagreement,
    ReadResult,
    ReportInterpretation,
    ReportReading,
    SetAside,
)
from alkphos.rules.intervals import Interval, adult_interval, knowledge_interval

__all__ = ["interpret_report", "report_case"]

_RESULT_PATH = re.compile(r"^results\[(\d+)\]")


def interpret_report(
    text: str,
    patient: Mapping[str, Any],
    kb: Knowledge,
    today: date,
    *,
    as_of: date | None = None,
    date_order: DateOrder | None = None,
    setting: Setting | None = None,
) -> ReportInterpretation:
    """Read a report's text and interpret it for ``patient`` (the case's patient fields),
    seen in ``setting`` when given.

    Raises:
        InputError: the text cannot be read, or a read result cannot be interpreted (the
            message names the report line).
    """
    reading = read_report(text, kb, date_order)
    used = _used(reading)
    try:
        extra = {"setting": setting} if setting is not None else {}
        case = parse_case({**report_case(reading, patient, kb), **extra})
        when = as_of or default_as_of(case) or today
        facts = gather_facts(case, kb, when)
        set_aside = _set_aside(kb, used, facts.measurements, case.patient.sex)
        kept = {**report_case(reading, patient, kb, without={s.line for s in set_aside}), **extra}
        result = interpret(kept, as_of=when, kb=kb)
    except InputError as exc:
        raise _on_line(exc, used) from None
    return ReportInterpretation(
        reading=reading,
        set_aside=set_aside,
        disagreements=disagreements(used, result),
        interpretation=result,
    )


def report_case(
    reading: ReportReading,
    patient: Mapping[str, Any],
    kb: Knowledge,
    *,
    without: frozenset[int] | set[int] = frozenset(),
) -> dict[str, Any]:
    """The case (contract form) of the results read, in ``case_index`` order; the printed
    limits of the results on the lines in ``without`` are left out."""
    results: list[dict[str, Any]] = []
    for read in _used(reading):
        test = read.test if kb.find_analyte(read.test) == read.analyte else None
        entry: dict[str, Any] = {
            "test": test or kb.analytes[read.analyte].name,
            "value": read.value,
        }
        if read.unit is not None:
            entry["unit"] = read.unit
        if read.date is not None:
            entry["date"] = read.date
        if read.line not in without:
            if read.reference_low is not None:
                entry["reference_low"] = read.reference_low
            if read.reference_high is not None:
                entry["reference_high"] = read.reference_high
        results.append(entry)
    return {"patient": dict(patient), "results": results}


def _used(reading: ReportReading) -> list[ReadResult]:
    used = [r for r in reading.results if r.case_index is not None]
    return sorted(used, key=lambda r: r.case_index or 0)


def _on_line(exc: InputError, used: list[ReadResult]) -> InputError:
    """The same error, naming the report line instead of the case's result index."""
    match = _RESULT_PATH.match(exc.path)
    if match is None or int(match.group(1)) >= len(used):
        return exc
    read = used[int(match.group(1))]
    field = exc.path[match.end() :].lstrip(".")
    where = f"report line {read.line} ({read.test}{', ' + field if field else ''})"
    return InputError(where, exc.problem, exc.accepted, exc.suggestion)


def _set_aside(
    kb: Knowledge, used: list[ReadResult], measurements: Sequence[Measurement], sex: str
) -> list[SetAside]:
    by_index = {m.index: m for m in measurements}
    found: list[SetAside] = []
    for index, read in enumerate(used):
        measured = by_index.get(index)
        printed = read.reference_low is not None or read.reference_high is not None
        if measured is None or not printed:
            continue
        reason = _why_not_printed(kb, read, measured, sex)
        if reason is not None:
            found.append(
                SetAside(line=read.line, test=read.test, printed=read.reference_text, reason=reason)
            )
    return found


def _why_not_printed(
    kb: Knowledge, read: ReadResult, measured: Measurement, sex: str
) -> str | None:
    """Why the printed range cannot apply to this patient, or None when it can."""
    age = measured.age
    weeks = measured.pregnancy_weeks
    analyte = read.analyte
    if weeks is not None:
        pregnant = knowledge_interval(kb, analyte, age, sex, weeks)
        usual = knowledge_interval(kb, analyte, age, sex, None)
        if pregnant is not None and _limits(pregnant) != _limits(usual):
            return (
                f"at {weeks:g} weeks of pregnancy the printed range {read.reference_text} (a "
                f"non-pregnancy range) does not apply; the knowledge base's pregnancy interval "
                f"{_shown(pregnant)} is used ({pregnant.basis})"
            )
    if age is None or age.years >= kb.param("adult_age_years"):
        return None
    child = knowledge_interval(kb, analyte, age, sex, None)
    adult = adult_interval(kb, analyte, sex, None)
    if child is None or adult is None or _limits(child) == _limits(adult):
        return None
    printed = (
        _canonical(read.reference_low, measured.factor),
        _canonical(read.reference_high, measured.factor),
    )
    if _distance(printed, adult) < _distance(printed, child):
        return (
            f"at {round(age.years, 1):g} years the printed range {read.reference_text} is an adult "
            f"range (closer to the adult interval {_shown(adult)} than to the interval for this "
            f"age, {_shown(child)}); the age-specific interval is used ({child.basis})"
        )
    return None


def _canonical(limit: float | None, factor: float) -> float | None:
    return None if limit is None else limit * factor


def _limits(interval: Interval | None) -> tuple[float | None, float | None] | None:
    return None if interval is None else (interval.low, interval.high)


def _distance(printed: tuple[float | None, float | None], interval: Interval) -> float:
    """How far printed limits are from an interval's (limits missing on either side skipped)."""
    pairs = zip(printed, (interval.low, interval.high), strict=True)
    return sum(abs(a - b) for a, b in pairs if a is not None and b is not None)


def _shown(interval: Interval) -> str:
    low = "" if interval.low is None else f"{interval.low:g}"
    high = "" if interval.high is None else f"{interval.high:g}"
    if not low:
        return f"≤ {high} {interval.unit}"
    if not high:
        return f"≥ {low} {interval.unit}"
    return f"{low}–{high} {interval.unit}"


def disagreements(used: list[ReadResult], result: Interpretation) -> list[Disagreement]:
    """Results whose laboratory flag and alkphos's status differ. A result the laboratory
    left unflagged counts only when the report flags others (it prints flags at all)."""
    statuses = {row.index: row for row in result.results}
    flags_printed = any(read.flag for read in used)
    found: list[Disagreement] = []
    for index, read in enumerate(used):
        row = statuses.get(index)
        if row is None or row.status == "unknown":
            continue
        direction = read.flag_direction
        status = row.status
        if direction is None and (status == "normal" or not flags_printed):
            continue
        agree = (direction == "abnormal" and status in ("low", "high")) or direction == status
        if agree:
            continue
        interval = row.reference_interval
        against = f" against {interval.basis.split(';')[0]}" if interval else ""
        said = "did not flag it" if direction is None else f"flagged it '{read.flag}' ({direction})"
        found.append(
            Disagreement(
                line=read.line,
                test=read.test,
                flag=read.flag,
                status=status,
                message=(
                    f"line {read.line}: the laboratory {said}, but alkphos reads "
                    f"{read.test} {row.reported_value:g} {row.reported_unit} as {status}{against}"
                ),
            )
        )
    return found
