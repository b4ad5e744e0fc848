"""Compose the rules into one interpretation.

Facts (units, ages, intervals) -> ALP status and series -> source and pattern -> data flags
-> explained differential -> judgement flags -> tests -> follow-up -> summaries. The engine
never reads the clock: ``as_of`` is an input, so the same case and knowledge give the same
output, byte for byte.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

from alkphos._version import __version__
from alkphos.adapters.case_json import parse_case
from alkphos.errors import InputError
from alkphos.facts import Facts, gather_facts
from alkphos.knowledge.loader import Knowledge, load_knowledge
from alkphos.model.case import Case
from alkphos.model.interpretation import (
    AlpSeries,
    Flag,
    Inputs,
    Interpretation,
    ResultStatus,
    Summary,
)
from alkphos.rules.differential import rank_causes
from alkphos.rules.evidence import State, check_predicates
from alkphos.rules.followup import follow_up
from alkphos.rules.pattern import liver_pattern
from alkphos.rules.safety import data_flags, judgement_flags
from alkphos.rules.secondary import secondary_causes
from alkphos.rules.series import Series, alp_series
from alkphos.rules.source import localise
from alkphos.rules.status import alp_block, interval_used
from alkphos.rules.summary import clinician_summary, patient_summary
from alkphos.rules.workup import recommend_tests

if TYPE_CHECKING:
    from alkphos.intervals.labfile import LabIntervalFile
    from alkphos.intervals.use import IntervalsSource

__all__ = ["default_as_of", "interpret", "knowledge", "load_intervals"]

_SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


@cache
def knowledge() -> Knowledge:
    """The bundled knowledge base, loaded once and checked against the rules."""
    kb = load_knowledge()
    check_predicates(kb)
    return kb


def load_intervals(path: str | os.PathLike[str]) -> LabIntervalFile:
    """A laboratory's intervals file, read and checked against the bundled knowledge base
    (analytes, units, lower < upper, ages without overlaps or gaps), for ``interpret``.

    Raises:
        InputError: the file cannot be read or an entry is wrong (the entry is named).
    """
    from alkphos.intervals.use import load_intervals as load

    return load(path, knowledge())


def default_as_of(case: Case) -> date | None:
    """The latest result date of the case, if any result is dated."""
    dates = [d for result in case.results if (d := result.collected_on) is not None]
    return max(dates, default=None)


def interpret(
    case: Case | Mapping[str, Any],
    as_of: date | None = None,
    kb: Knowledge | None = None,
    intervals: IntervalsSource | None = None,
) -> Interpretation:
    """Interpret one case.

    Args:
        case: a ``Case`` or a parsed JSON object in the contract's case form.
        as_of: the date the interpretation is made; defaults to the latest result date.
        kb: a knowledge base; defaults to the bundled one.
        intervals: a laboratory's intervals file (its path, or the model from
            ``load_intervals``), used in place of the knowledge base's intervals for the
            people it covers; limits printed on a result still win.

    Raises:
        InputError: the case or the intervals file cannot be read, or no ``as_of`` is given
            and no result is dated.
    """
    parsed = parse_case(case)
    when = as_of or default_as_of(parsed)
    if when is None:
        raise InputError("as_of", "no result has a date", "give as_of, the date of interpretation")
    kb = kb or knowledge()
    if intervals is not None:
        from alkphos.intervals.use import resolve

        kb = resolve(intervals, kb)
    facts = gather_facts(parsed, kb, when)
    alp = alp_block(facts)
    series = alp_series(facts)
    source_call = localise(facts, alp.status if alp else None)
    pattern, pattern_note = liver_pattern(facts, source_call.source.likely)
    raised = data_flags(facts, alp, series, pattern)
    state = State(
        facts=facts,
        alp=alp,
        series=series,
        source=source_call.source.likely,
        pattern=pattern.name if pattern else None,
        flags=frozenset(raised),
    )
    differential = rank_causes(state)
    first_tests = recommend_tests(facts, differential, raised, source_call.test, series)
    before = dict(raised)
    raised.update(judgement_flags(facts, alp, differential, [t.id for t in first_tests], series))
    # the tests follow the flags: worked out again only when the judgement raised one
    tests = (
        first_tests
        if raised == before
        else recommend_tests(facts, differential, raised, source_call.test, series)
    )
    flags = _flags(kb, raised)
    follow = follow_up(state, differential, raised)
    return Interpretation(
        alkphos_version=__version__,
        knowledge_version=kb.version,
        as_of=when.isoformat(),
        inputs=_inputs(facts),
        alp=alp,
        alp_series=_series_out(series),
        results=_results(facts),
        source=source_call.source,
        pattern=pattern,
        pattern_note=pattern_note,
        differential=differential,
        tests=tests,
        flags=flags,
        follow_up=follow,
        summary=Summary(
            clinician=clinician_summary(
                state, source_call.source, pattern, differential, tests, flags, follow
            ),
            patient=patient_summary(state, differential, tests, flags, follow),
        ),
        not_understood=list(facts.not_understood),
        secondary_causes=secondary_causes(facts, series),
    )


def _flags(kb: Knowledge, raised: Mapping[str, str | None]) -> list[Flag]:
    flags = [
        Flag(
            id=flag_id,
            severity=kb.flags[flag_id].severity,
            message=kb.flags[flag_id].message + (f" ({detail})" if detail else ""),
        )
        for flag_id, detail in raised.items()
    ]
    return sorted(flags, key=lambda flag: _SEVERITY_ORDER[flag.severity])


def _inputs(facts: Facts) -> Inputs:
    case = facts.case
    latest = max(facts.measurements, key=lambda m: (m.when, m.index), default=None)
    age = latest.age.years if latest is not None and latest.age is not None else None
    return Inputs(
        age_years=case.patient.age_years if case.patient.age_years is not None else age,
        sex=case.patient.sex,
        pregnancy_weeks=case.patient.pregnancy_weeks,
        postpartum_weeks=case.patient.postpartum_weeks,
        menopause=case.patient.menopause,
        medications=list(case.medications),
        findings=list(case.findings),
        setting=case.setting,
    )


def _results(facts: Facts) -> list[ResultStatus]:
    return [
        ResultStatus(
            index=m.index,
            test=m.test,
            analyte=m.analyte,
            name=facts.kb.analytes[m.analyte].name,
            value=m.value,
            unit=facts.kb.analytes[m.analyte].unit,
            reported_value=m.reported_value,
            reported_unit=m.reported_unit,
            date=m.on.isoformat() if m.on else None,
            status=m.status,
            reference_interval=interval_used(m.interval) if m.interval else None,
        )
        for m in sorted(facts.measurements, key=lambda m: m.index)
    ]


def _series_out(series: Series | None) -> AlpSeries | None:
    if series is None:
        return None
    return AlpSeries(
        n_results=len(series.results),
        n_low=series.n_low,
        n_high=series.n_high,
        persistence_definition=series.definition,
        persistently_low=series.persistently_low,
        first_low_date=series.first_low.when.isoformat() if series.first_low else None,
        last_low_date=series.last_low.when.isoformat() if series.last_low else None,
        first_ever_abnormal=series.first_ever_abnormal,
        long_standing=series.long_standing,
        trend=series.trend,
        fold_change=series.fold_change,
        acute_fall=series.acute_fall,
        abnormal_since=series.run_start.isoformat() if series.run_start else None,
        abnormal_days=(
            (series.results[-1].when - series.run_start).days if series.run_start else None
        ),
        normal_before=series.normal_before_run.isoformat() if series.normal_before_run else None,
    )
