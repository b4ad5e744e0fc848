"""Secondary causes of a low ALP that take a person off the screening worklist.

The causes are data (``screening.yaml``, ``role: exclude``): a drug class taken, a condition
recorded, or a laboratory result in the window. Population screening computes the same
rules set-wise (``alkphos.screening``); this is the per-patient reading, so the two can be
compared person by person.
"""

from __future__ import annotations

from datetime import date, timedelta

from alkphos.facts import Facts, Measurement
from alkphos.knowledge.schema import ScreeningRule
from alkphos.rules.series import Series, alp_series

__all__ = ["secondary_causes", "window_start"]


def window_start(rule: ScreeningRule, first_low: date | None, as_of: date) -> date | None:
    """The first day evidence counts for ``rule``: its lookback before the first low ALP
    (or before the as-of date when there is no low ALP); None when any date counts."""
    if rule.lookback_days is None:
        return None
    return (first_low or as_of) - timedelta(days=rule.lookback_days)


def secondary_causes(facts: Facts, series: Series | None = None) -> list[str]:
    """The ids of the exclusions that hold for this case, in knowledge-base order.

    Drugs count when the case lists them (a case lists medicines current or taken within
    the last year), conditions when the case reports one of the rule's findings, and
    laboratory results when their status is the rule's and they are dated in the window.
    """
    series = series if series is not None else alp_series(facts)
    first_low = series.first_low.when if series and series.first_low else None
    held: list[str] = []
    for rule in facts.kb.screening.values():
        if rule.role != "exclude":
            continue
        if rule.kind == "drug_class":
            holds = rule.drug_class in facts.drug_classes
        elif rule.kind == "condition":
            holds = not facts.findings.isdisjoint(rule.findings)
        else:
            start = window_start(rule, first_low, facts.as_of)
            results = facts.by_analyte.get(rule.analyte or "", ())
            above = facts.kb.param(rule.above) if rule.above else None
            holds = any(_lab_holds(rule, above, m, start, facts.as_of) for m in results)
        if holds:
            held.append(rule.id)
    return held


def _lab_holds(
    rule: ScreeningRule, above: float | None, m: Measurement, start: date | None, as_of: date
) -> bool:
    if (start is not None and m.when < start) or m.when > as_of:
        return False
    return m.value > above if above is not None else m.status == rule.status
