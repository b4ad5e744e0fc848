"""``alkphos intervals verify``: do the intervals in use fit this laboratory's population?

Per stratum (the people one interval in use applies to), two checks, each optional:

* against an indirect estimate from routine values: a limit in use outside the
  estimate's 90% confidence interval does not fit;
* the CLSI EP28-A3c transference rule (citation ``clsi_ep28a3c``) on values of healthy
  reference individuals: the interval is kept when at most 2 of 20 fall outside it; with 3
  or 4 outside a second 20 are tested and decide; more, and it does not fit. The numbers are
  knowledge-base parameters (``transference_*``).

The verdict is keep, replace (with the direct estimate when there are at least 120
reference individuals, else with the indirect estimate's limits where they disagree), test
20 more, or cannot tell (nothing to judge by).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from alkphos.intervals.files import Row
from alkphos.intervals.result import Estimate, SampleError
from alkphos.knowledge.age import Age
from alkphos.knowledge.loader import Knowledge
from alkphos.rules.intervals import Interval, knowledge_interval, status_of

__all__ = [
    "IndirectCheck",
    "Stratum",
    "Transference",
    "Verdict",
    "format_verdicts",
    "group_rows",
    "interval_for",
    "transference",
    "verify",
]

Decision = Literal["keep", "replace", "test 20 more", "cannot tell"]
Outcome = Literal["pass", "retest", "fail"]


@dataclass(frozen=True)
class Stratum:
    """The people one interval in use applies to, and the values given for them."""

    label: str
    interval: Interval
    routine: Sequence[float] = ()
    reference: Sequence[float] = ()


@dataclass(frozen=True)
class Transference:
    """The EP28-A3c transference rule applied to reference individuals' values, in order:
    the first set, and the second set when the first is borderline."""

    n: int
    set_size: int
    first_outside: int
    second_outside: int | None
    below: int
    above: int
    outcome: Outcome


@dataclass(frozen=True)
class IndirectCheck:
    """The interval in use against an indirect estimate (``estimate``), or why none."""

    estimate: Estimate | None
    problem: str | None = None
    lower_inside: bool | None = None
    upper_inside: bool | None = None


@dataclass(frozen=True)
class Verdict:
    """One stratum's verdict."""

    stratum: Stratum
    indirect: IndirectCheck | None
    transference: Transference | None
    direct: Estimate | None
    decision: Decision
    replace_with: tuple[float | None, float | None] | None
    replacement_basis: str | None
    why: str


def interval_for(kb: Knowledge, analyte: str, sex: str, age: float) -> Interval | None:
    """The interval in use for a non-pregnant person of this sex and age (years)."""
    return knowledge_interval(kb, analyte, Age.from_years(age), sex, None)


def group_rows(
    kb: Knowledge, analyte: str, rows: Iterable[Row], source: str
) -> dict[Interval, list[float]]:
    """Values grouped by the interval in use for each row's sex and age, in file order.

    Raises:
        SampleError: a row for which no interval is in use (named by its place).
    """
    groups: dict[Interval, list[float]] = {}
    for number, (value, sex, age) in enumerate(rows, 1):
        interval = interval_for(kb, analyte, sex, age)
        if interval is None:
            raise SampleError(f"row {number}: no interval in use for {sex}, {age:g} years", source)
        groups.setdefault(interval, []).append(value)
    return groups


def transference(kb: Knowledge, values: Sequence[float], interval: Interval) -> Transference:
    """The EP28-A3c rule on ``values`` (at least one set) against ``interval``."""
    size = int(kb.param("transference_set_size"))
    keep = int(kb.param("transference_max_outside"))
    retest = int(kb.param("transference_retest_max_outside"))
    if len(values) < size:
        raise SampleError(
            f"{len(values)} reference values: the EP28-A3c transference rule needs {size}"
        )
    first = [status_of(v, interval) for v in values[:size]]
    outside = sum(s != "normal" for s in first)
    statuses = list(first)
    second_outside = None
    if keep < outside <= retest and len(values) >= 2 * size:
        second = [status_of(v, interval) for v in values[size : 2 * size]]
        second_outside = sum(s != "normal" for s in second)
        statuses += second
    outcome: Outcome
    if outside <= keep:
        outcome = "pass"
    elif outside > retest:
        outcome = "fail"
    elif second_outside is None:
        outcome = "retest"
    else:
        outcome = "pass" if second_outside <= keep else "fail"
    return Transference(
        n=len(values),
        set_size=size,
        first_outside=outside,
        second_outside=second_outside,
        below=statuses.count("low"),
        above=statuses.count("high"),
        outcome=outcome,
    )


def _inside(limit: float | None, ci: tuple[float, float]) -> bool | None:
    return None if limit is None else ci[0] <= limit <= ci[1]


def _indirect(values: Sequence[float], interval: Interval, bootstrap: int) -> IndirectCheck:
    from alkphos.intervals.indirect import estimate_indirect

    try:
        estimate = estimate_indirect(values, bootstrap=bootstrap)
    except SampleError as exc:
        return IndirectCheck(estimate=None, problem=exc.problem)
    return IndirectCheck(
        estimate=estimate,
        lower_inside=_inside(interval.low, estimate.lower_ci),
        upper_inside=_inside(interval.high, estimate.upper_ci),
    )


def _direct(values: Sequence[float]) -> Estimate | None:
    from alkphos.intervals.direct import MIN_REFERENCE_INDIVIDUALS, estimate_direct

    if len(values) < MIN_REFERENCE_INDIVIDUALS:
        return None
    return estimate_direct(values)


def verify(
    kb: Knowledge, strata: Sequence[Stratum], *, bootstrap: int = 50, strict: bool = False
) -> list[Verdict]:
    """A verdict per stratum. With ``strict`` (one stratum asked for by sex and age), too
    few values for a check is an error instead of a verdict of 'cannot tell'.

    Raises:
        SampleError: with ``strict``, too few values for a check that was asked for.
    """
    size = int(kb.param("transference_set_size"))
    verdicts = []
    for stratum in strata:
        indirect = None
        if stratum.routine:
            indirect = _indirect(stratum.routine, stratum.interval, bootstrap)
            if strict and indirect.problem:
                raise SampleError(f"--estimate: {indirect.problem}")
        trans = None
        if stratum.reference:
            if len(stratum.reference) >= size:
                trans = transference(kb, stratum.reference, stratum.interval)
            elif strict:
                raise SampleError(
                    f"--values: {len(stratum.reference)} reference values; the EP28-A3c "
                    f"transference rule needs {size}"
                )
        verdicts.append(_verdict(stratum, indirect, trans, _direct(stratum.reference)))
    return verdicts


def _verdict(
    stratum: Stratum,
    indirect: IndirectCheck | None,
    trans: Transference | None,
    direct: Estimate | None,
) -> Verdict:
    interval = stratum.interval
    reasons: list[str] = []
    misfit = False
    estimate = indirect.estimate if indirect else None
    if indirect is not None and estimate is None:
        reasons.append(f"no indirect estimate ({indirect.problem})")
    if indirect is not None and estimate is not None:
        for name, inside, limit, ci in (
            ("lower", indirect.lower_inside, interval.low, estimate.lower_ci),
            ("upper", indirect.upper_inside, interval.high, estimate.upper_ci),
        ):
            if inside is False:
                misfit = True
                reasons.append(
                    f"the {name} limit in use ({limit:g}) is outside the indirect estimate's "
                    f"90% CI ({ci[0]:g}-{ci[1]:g})"
                )
        if not misfit:
            reasons.append("the limits in use are inside the indirect estimate's 90% CIs")
    if stratum.reference and trans is None:
        reasons.append(
            f"too few reference values for the transference rule ({len(stratum.reference)})"
        )
    if trans is not None:
        reasons.append(_transference_words(trans))
        misfit = misfit or trans.outcome == "fail"
    decision: Decision
    if misfit:
        decision = "replace"
    elif trans is not None and trans.outcome == "retest":
        decision = "test 20 more"
    elif trans is None and estimate is None:
        decision = "cannot tell"
    else:
        decision = "keep"
    replace_with, basis = None, None
    if decision == "replace":
        replace_with, basis = _replacement(interval, indirect, direct)
        if replace_with is None:
            reasons.append(
                "no estimate to replace it with: establish one (at least 120 reference "
                "individuals, or routine results with --estimate)"
            )
    return Verdict(
        stratum=stratum,
        indirect=indirect,
        transference=trans,
        direct=direct,
        decision=decision,
        replace_with=replace_with,
        replacement_basis=basis,
        why="; ".join(reasons),
    )


def _transference_words(trans: Transference) -> str:
    text = f"{trans.first_outside} of the first {trans.set_size} reference values outside"
    if trans.second_outside is not None:
        text += f", {trans.second_outside} of the second {trans.set_size}"
    verdict = {
        "pass": "the EP28-A3c transference rule is met",
        "retest": f"test a second {trans.set_size} (EP28-A3c)",
        "fail": "the EP28-A3c transference rule is not met",
    }[trans.outcome]
    return f"{text} ({trans.below} below, {trans.above} above): {verdict}"


def _replacement(
    interval: Interval, indirect: IndirectCheck | None, direct: Estimate | None
) -> tuple[tuple[float | None, float | None] | None, str | None]:
    if direct is not None:
        return (direct.lower, direct.upper), (
            f"direct estimate (CLSI EP28-A3c) from {direct.n} reference individuals"
        )
    estimate = indirect.estimate if indirect else None
    if indirect is None or estimate is None:
        return None, None
    lower_out = indirect.lower_inside is False
    upper_out = indirect.upper_inside is False
    if not (lower_out or upper_out):  # the reference values disagree; the estimate does not
        lower_out = upper_out = True
    return (
        estimate.lower if lower_out else interval.low,
        estimate.upper if upper_out else interval.high,
    ), f"indirect estimate from {estimate.n:,} routine values"


def _limits(low: float | None, high: float | None, unit: str) -> str:
    if low is not None and high is not None:
        return f"{low:g}-{high:g} {unit}"
    return f"< {high:g} {unit}" if high is not None else f"> {low:g} {unit}"


def _record(verdict: Verdict) -> dict[str, Any]:
    stratum, interval = verdict.stratum, verdict.stratum.interval
    indirect = verdict.indirect
    trans = verdict.transference
    return {
        "stratum": stratum.label,
        "interval": {
            "low": interval.low,
            "high": interval.high,
            "unit": interval.unit,
            "source": interval.source,
            "basis": interval.basis,
            "entries": [basis.entry for basis in interval.local],
        },
        "indirect": None
        if indirect is None
        else {
            "estimate": indirect.estimate.as_dict() if indirect.estimate else None,
            "problem": indirect.problem,
            "lower_inside_ci": indirect.lower_inside,
            "upper_inside_ci": indirect.upper_inside,
        },
        "transference": None
        if trans is None
        else {
            "n": trans.n,
            "set_size": trans.set_size,
            "first_outside": trans.first_outside,
            "second_outside": trans.second_outside,
            "below": trans.below,
            "above": trans.above,
            "outcome": trans.outcome,
        },
        "direct": verdict.direct.as_dict() if verdict.direct else None,
        "decision": verdict.decision,
        "replace_with": None
        if verdict.replace_with is None
        else {
            "low": verdict.replace_with[0],
            "high": verdict.replace_with[1],
            "unit": interval.unit,
            "basis": verdict.replacement_basis,
        },
        "why": verdict.why,
    }


def format_verdicts(
    verdicts: Sequence[Verdict], in_use: Mapping[str, Any], output_format: str
) -> str:
    """The verdicts as JSON (``in_use`` says which intervals) or as text for people."""
    import json

    if output_format == "json":
        return json.dumps(
            {"intervals": dict(in_use), "strata": [_record(v) for v in verdicts]}, indent=2
        )
    lines = [f"Intervals in use: {in_use['description']}"]
    for verdict in verdicts:
        interval = verdict.stratum.interval
        lines.append("")
        lines.append(
            f"{verdict.stratum.label}: {_limits(interval.low, interval.high, interval.unit)} "
            f"({interval.source})"
        )
        estimate = verdict.indirect.estimate if verdict.indirect else None
        if estimate is not None:
            lines.append(
                f"  indirect estimate from {estimate.n:,} routine values: "
                f"{_limits(estimate.lower, estimate.upper, interval.unit)} (90% CI "
                f"{estimate.lower_ci[0]:g}-{estimate.lower_ci[1]:g} and "
                f"{estimate.upper_ci[0]:g}-{estimate.upper_ci[1]:g})"
            )
        if verdict.direct is not None:
            direct = verdict.direct
            lines.append(
                f"  direct estimate from {direct.n} reference individuals: "
                f"{_limits(direct.lower, direct.upper, interval.unit)}"
            )
        lines.append(f"  {verdict.why}")
        decision = verdict.decision.upper()
        if verdict.replace_with is not None:
            low, high = verdict.replace_with
            decision += f" with {_limits(low, high, interval.unit)} ({verdict.replacement_basis})"
        lines.append(f"  -> {decision}")
    return "\n".join(lines)
