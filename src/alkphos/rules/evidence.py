"""Evidence predicates: the named conditions a cause's evidence items refer to.

A predicate is written ``name`` or ``name:arg[:arg]`` in causes.yaml (``high:ggt``,
``above:plp:180``, ``finding:early_tooth_loss``). Each is a small function of the case state
returning True when it holds. ``check_predicates`` validates every item of the knowledge base
at load time, so a misspelt predicate or argument is an error naming the cause.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from alkphos.errors import KnowledgeError
from alkphos.facts import Facts, Measurement
from alkphos.knowledge.loader import Knowledge
from alkphos.model.interpretation import AlpBlock
from alkphos.rules.safety import DATA_FLAGS
from alkphos.rules.series import Series

__all__ = ["PREDICATES", "State", "check_predicates", "holds"]

_SOURCES = ("liver", "bone", "placenta", "intestine", "indeterminate")
_PATTERNS = ("hepatocellular", "mixed", "cholestatic")


@dataclass(frozen=True)
class State:
    """What the evidence predicates can see: the facts and the rules' findings so far."""

    facts: Facts
    alp: AlpBlock | None
    series: Series | None
    source: str
    pattern: str | None
    flags: frozenset[str]

    def age_years(self) -> float | None:
        """Age at the latest ALP (or at the latest result)."""
        latest = self.facts.latest("alp") or (
            self.facts.measurements[-1] if self.facts.measurements else None
        )
        if latest is not None and latest.age is not None:
            return latest.age.years
        return self.facts.case.patient.age_years

    def pregnancy_weeks(self) -> float | None:
        """Gestational weeks at the latest ALP, if pregnant then."""
        latest = self.facts.latest("alp")
        return latest.pregnancy_weeks if latest else self.facts.case.patient.pregnancy_weeks


Check = Callable[[State, tuple[str, ...]], bool]


@dataclass(frozen=True, slots=True)
class Predicate:
    """A predicate: its argument kinds, its function and what it means."""

    arguments: tuple[str, ...]
    check: Check
    meaning: str


def _latest(state: State, analyte: str) -> Measurement | None:
    return state.facts.latest(analyte)


def _status(wanted: str) -> Check:
    def check(state: State, args: tuple[str, ...]) -> bool:
        measurement = _latest(state, args[0])
        return measurement is not None and measurement.status == wanted

    return check


def _compare(above: bool) -> Check:
    def check(state: State, args: tuple[str, ...]) -> bool:
        measurement = _latest(state, args[0])
        if measurement is None:
            return False
        limit = float(args[1])
        return measurement.value > limit if above else measurement.value < limit

    return check


def _uln_multiple(above: bool) -> Check:
    def check(state: State, args: tuple[str, ...]) -> bool:
        measurement = _latest(state, args[0])
        if measurement is None or measurement.interval is None or not measurement.interval.high:
            return False
        limit = float(args[1]) * measurement.interval.high
        return measurement.value > limit if above else measurement.value < limit

    return check


def _all_normal(analytes: tuple[str, ...], needed: int) -> Check:
    def check(state: State, args: tuple[str, ...]) -> bool:
        found = [m for a in analytes if (m := _latest(state, a)) is not None]
        judged = [m for m in found if m.status != "unknown"]
        return len(judged) >= needed and all(m.status == "normal" for m in judged)

    return check


def _liver_tests_normal(state: State, args: tuple[str, ...]) -> bool:
    markers = ("ggt", "alt")
    if not any(_latest(state, a) is not None for a in markers):
        return False
    return _all_normal(("alt", "ast", "ggt", "total_bilirubin"), 1)(state, args)


def _series(attribute: str) -> Check:
    def check(state: State, args: tuple[str, ...]) -> bool:
        return state.series is not None and bool(getattr(state.series, attribute))

    return check


def _single_low(state: State, args: tuple[str, ...]) -> bool:
    series = state.series
    return (
        series is not None
        and state.alp is not None
        and state.alp.status == "low"
        and (series.n_low == 1)
    )


def _trend(direction: str) -> Check:
    def check(state: State, args: tuple[str, ...]) -> bool:
        return state.series is not None and state.series.trend == direction

    return check


def _non_fasting(state: State, args: tuple[str, ...]) -> bool:
    facts = state.facts
    return "non_fasting_sample" in facts.findings or any(
        m.fasting is False for m in facts.by_analyte.get("alp", ())
    )


def _age(below: bool) -> Check:
    def check(state: State, args: tuple[str, ...]) -> bool:
        age = state.age_years()
        if age is None:
            return False
        return age < float(args[0]) if below else age >= float(args[0])

    return check


def _stable_abnormal(state: State, args: tuple[str, ...]) -> bool:
    """ALP abnormal on every result for at least N days, and not rising at the latest."""
    series, latest = state.series, state.facts.latest("alp")
    if series is None or latest is None or series.run_start is None:
        return False
    if latest.status not in ("low", "high") or series.trend == "rising":
        return False
    return (latest.when - series.run_start).days >= float(args[0])


def _recent_onset(state: State, args: tuple[str, ...]) -> bool:
    """ALP was normal within N days before the latest, abnormal, result."""
    series, latest = state.series, state.facts.latest("alp")
    if series is None or latest is None or series.normal_before_run is None:
        return False
    if latest.status not in ("low", "high"):
        return False
    return (latest.when - series.normal_before_run).days <= float(args[0])


_SETTINGS = {
    "outpatient": ("outpatient", "unknown"),
    "acute": ("emergency", "inpatient", "intensive_care"),
    "intensive_care": ("intensive_care",),
}


def _setting(state: State, args: tuple[str, ...]) -> bool:
    return state.facts.case.setting in _SETTINGS[args[0]]


def _pregnant(state: State, args: tuple[str, ...]) -> bool:
    return state.pregnancy_weeks() is not None


def _pregnant_weeks_at_least(state: State, args: tuple[str, ...]) -> bool:
    weeks = state.pregnancy_weeks()
    return weeks is not None and weeks >= float(args[0])


def _postpartum_within(state: State, args: tuple[str, ...]) -> bool:
    latest = state.facts.latest("alp")
    weeks = latest.postpartum_weeks if latest else state.facts.case.patient.postpartum_weeks
    return weeks is not None and weeks <= float(args[0])


PREDICATES: dict[str, Predicate] = {
    "low": Predicate(("analyte",), _status("low"), "the latest result is below its lower limit"),
    "high": Predicate(("analyte",), _status("high"), "the latest result is above its upper limit"),
    "normal": Predicate(("analyte",), _status("normal"), "the latest result is within limits"),
    "above": Predicate(("analyte", "number"), _compare(True), "latest value above a number"),
    "below": Predicate(("analyte", "number"), _compare(False), "latest value below a number"),
    "above_uln": Predicate(
        ("analyte", "number"), _uln_multiple(True), "latest value above a multiple of the ULN"
    ),
    "below_uln": Predicate(
        ("analyte", "number"), _uln_multiple(False), "latest value below a multiple of the ULN"
    ),
    "liver_tests_normal": Predicate(
        (), _liver_tests_normal, "ALT, AST, GGT and bilirubin normal where measured"
    ),
    "bone_minerals_normal": Predicate(
        (),
        _all_normal(("calcium", "phosphate", "pth", "vitamin_d"), 2),
        "calcium, phosphate, PTH and 25-OH vitamin D normal where measured (two or more)",
    ),
    "alp_persistently_low": Predicate((), _series("persistently_low"), "persistently low ALP"),
    "alp_single_low": Predicate((), _single_low, "the latest ALP is the only low one"),
    "alp_acute_fall": Predicate((), _series("acute_fall"), "low ALP after a recent normal one"),
    "alp_long_standing_low": Predicate(
        (),
        lambda state, args: (
            state.series is not None
            and state.alp is not None
            and state.alp.status == "low"
            and state.series.long_standing
        ),
        "low ALP values spanning the long-standing window",
    ),
    "alp_rising": Predicate((), _trend("rising"), "ALP rose by a meaningful change"),
    "alp_stable_abnormal_days": Predicate(
        ("number",),
        _stable_abnormal,
        "ALP abnormal on every result for at least a number of days, not rising now",
    ),
    "alp_recent_onset_days": Predicate(
        ("number",), _recent_onset, "ALP was normal within a number of days before"
    ),
    "setting": Predicate(
        ("setting",),
        _setting,
        "where the patient is seen (outpatient includes unknown; acute is emergency, "
        "inpatient or intensive care)",
    ),
    "alp_falling": Predicate((), _trend("falling"), "ALP fell by a meaningful change"),
    "non_fasting": Predicate((), _non_fasting, "a non-fasting ALP sample"),
    "finding": Predicate(
        ("finding",), lambda state, args: args[0] in state.facts.findings, "a reported finding"
    ),
    "drug_class": Predicate(
        ("drug_class",),
        lambda state, args: args[0] in state.facts.drug_classes,
        "takes a drug of this class",
    ),
    "age_below": Predicate(("number",), _age(True), "age below a number of years"),
    "age_at_least": Predicate(("number",), _age(False), "age at least a number of years"),
    "sex": Predicate(("sex",), lambda state, args: state.facts.sex == args[0], "sex"),
    "menopause": Predicate(
        ("menopause",),
        lambda state, args: state.facts.case.patient.menopause == args[0],
        "the woman's stated menopausal status",
    ),
    "pregnant": Predicate((), _pregnant, "pregnant at the latest ALP"),
    "pregnant_weeks_at_least": Predicate(
        ("number",), _pregnant_weeks_at_least, "pregnant at or beyond a week"
    ),
    "postpartum_within_weeks": Predicate(
        ("number",), _postpartum_within, "delivered within a number of weeks"
    ),
    "source": Predicate(("source",), lambda state, args: state.source == args[0], "ALP source"),
    "pattern": Predicate(
        ("pattern",), lambda state, args: state.pattern == args[0], "liver-injury pattern"
    ),
    "flag": Predicate(("flag",), lambda state, args: args[0] in state.flags, "a data flag"),
}


def _split(expression: str) -> tuple[str, tuple[str, ...]]:
    name, *args = expression.split(":")
    return name, tuple(args)


@cache
def _parsed(expression: str) -> tuple[Check, tuple[str, ...]]:
    name, args = _split(expression)
    return PREDICATES[name].check, args


def holds(state: State, expression: str) -> bool:
    """Whether a predicate expression holds for this state."""
    check, args = _parsed(expression)
    return check(state, args)


def check_predicates(kb: Knowledge) -> None:
    """Raise ``KnowledgeError`` for the first evidence item whose predicate is not valid."""
    choices: dict[str, set[str]] = {
        "analyte": set(kb.analytes),
        "finding": set(kb.findings),
        "drug_class": set(kb.drug_classes),
        "source": set(_SOURCES),
        "pattern": set(_PATTERNS),
        "flag": set(DATA_FLAGS),
        "sex": {"female", "male"},
        "setting": set(_SETTINGS),
        "menopause": {"pre", "post"},
    }
    for cause in kb.causes.values():
        for position, expression in enumerate(cause.requires):
            _check_expression(f"{cause.id}.requires[{position}]", expression, choices)
        for position, item in enumerate(cause.evidence):
            for place, expression in (
                ("when", item.when),
                *(("applies_in", e) for e in item.applies_in),
            ):
                _check_expression(f"{cause.id}.evidence[{position}].{place}", expression, choices)


def _check_expression(key: str, expression: str, choices: dict[str, set[str]]) -> None:
    name, args = _split(expression)
    predicate = PREDICATES.get(name)
    if predicate is None:
        known = ", ".join(sorted(PREDICATES))
        raise KnowledgeError("causes.yaml", key, f"unknown predicate '{name}' ({known})")
    if len(args) != len(predicate.arguments):
        raise KnowledgeError(
            "causes.yaml", key, f"'{name}' takes {len(predicate.arguments)} argument(s)"
        )
    for kind, arg in zip(predicate.arguments, args, strict=True):
        if kind == "number":
            try:
                if not math.isfinite(float(arg)):
                    raise ValueError(arg)
            except ValueError:
                raise KnowledgeError("causes.yaml", key, f"'{arg}' is not a number") from None
        elif arg not in choices[kind]:
            raise KnowledgeError("causes.yaml", key, f"unknown {kind} '{arg}'")
