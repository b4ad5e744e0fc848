"""Small helpers shared by the rule tests: limits from the knowledge base and the rule state."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from alkphos import Interpretation, Knowledge, interpret
from alkphos.adapters.case_json import parse_case
from alkphos.facts import gather_facts
from alkphos.knowledge.age import Age
from alkphos.rules.evidence import State
from alkphos.rules.intervals import Interval, knowledge_interval
from alkphos.rules.pattern import liver_pattern
from alkphos.rules.safety import data_flags
from alkphos.rules.series import alp_series
from alkphos.rules.source import localise
from alkphos.rules.status import alp_block

LATEST = date(2024, 1, 10)


def limits(
    kb: Knowledge,
    analyte: str,
    *,
    age: float | None = 50,
    sex: str = "male",
    weeks: float | None = None,
) -> Interval:
    """The knowledge-base interval for an analyte and a person (must exist)."""
    interval = knowledge_interval(
        kb, analyte, Age.from_years(age) if age is not None else None, sex, weeks
    )
    assert interval is not None, f"no interval for {analyte}"
    return interval


def uln(kb: Knowledge, analyte: str, **who: Any) -> float:
    """The upper limit of an analyte's knowledge-base interval."""
    high = limits(kb, analyte, **who).high
    assert high is not None
    return high


def lln(kb: Knowledge, analyte: str, **who: Any) -> float:
    """The lower limit of an analyte's knowledge-base interval."""
    low = limits(kb, analyte, **who).low
    assert low is not None
    return low


def day(offset: int) -> str:
    """An ISO date ``offset`` days after the usual latest result date (negative: before)."""
    return (LATEST + timedelta(days=offset)).isoformat()


def with_context(
    data: dict[str, Any],
    medications: list[str] | None = None,
    findings: list[str] | None = None,
) -> dict[str, Any]:
    """A case with medications and findings added."""
    out = dict(data)
    if medications is not None:
        out["medications"] = medications
    if findings is not None:
        out["findings"] = findings
    return out


def state_of(data: Mapping[str, Any], kb: Knowledge, as_of: date) -> State:
    """The state the evidence predicates see, built exactly as the engine builds it."""
    facts = gather_facts(parse_case(dict(data)), kb, as_of)
    alp = alp_block(facts)
    series = alp_series(facts)
    call = localise(facts, alp.status if alp else None)
    pattern, _ = liver_pattern(facts, call.source.likely)
    return State(
        facts=facts,
        alp=alp,
        series=series,
        source=call.source.likely,
        pattern=pattern.name if pattern else None,
        flags=frozenset(data_flags(facts, alp, series)),
    )


def flag_ids(result: Interpretation) -> set[str]:
    """The ids of the flags raised."""
    return {flag.id for flag in result.flags}


def run(data: Mapping[str, Any], as_of: date, kb: Knowledge | None = None) -> Interpretation:
    """Interpret a case as of a pinned date."""
    return interpret(dict(data), as_of=as_of, kb=kb)
