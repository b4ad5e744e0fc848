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
from tests.conftest import case, row

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
        flags=frozenset(data_flags(facts, alp, series, pattern)),
    )


def flag_ids(result: Interpretation) -> set[str]:
    """The ids of the flags raised."""
    return {flag.id for flag in result.flags}


def run(data: Mapping[str, Any], as_of: date, kb: Knowledge | None = None) -> Interpretation:
    """Interpret a case as of a pinned date."""
    return interpret(dict(data), as_of=as_of, kb=kb)


_OLDER_WOMAN = {"age_years": 60, "sex": "female"}

# Varied cases, low and high, used by the differential and work-up tests.
SAMPLES: dict[str, dict[str, Any]] = {
    "low_single": case(row("ALP", 20), **_OLDER_WOMAN),
    "low_persistent_hpp": with_context(
        case(row("ALP", 20, day(-400)), row("ALP", 22), row("PLP", 250), **_OLDER_WOMAN),
        findings=["early tooth loss", "stress fractures"],
    ),
    "low_edta": case(row("ALP", 20), row("potassium", 7.0), row("calcium", 1.6), **_OLDER_WOMAN),
    "low_wilson": with_context(
        case(
            row("ALP", 30),
            row("total bilirubin", 15),
            row("AST", 300),
            row("ALT", 100),
            age_years=20,
            sex="female",
        ),
        findings=["acute liver failure"],
    ),
    "high_liver": with_context(
        case(
            row("ALP", 400),
            row("GGT", 300),
            row("ALT", 60),
            row("total bilirubin", 3),
            **_OLDER_WOMAN,
        ),
        findings=["jaundice", "weight loss"],
    ),
    "high_bone": case(row("ALP", 300), row("GGT", 20), row("vitamin D", 20), **_OLDER_WOMAN),
    "high_pregnancy": case(
        row("ALP", 260), row("GGT", 15), age_years=30, sex="female", pregnancy_weeks=34
    ),
    "high_child": case(row("ALP", 1500), row("GGT", 10), row("ALT", 15), age_years=2, sex="male"),
    "high_drug": with_context(
        case(row("ALP", 400), row("GGT", 300), row("ALT", 50), **_OLDER_WOMAN),
        medications=["co-amoxiclav 625 mg"],
    ),
}
