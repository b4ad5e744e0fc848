"""The persistent list with its exclusions, and the ranked worklist.

A person with any secondary cause stays in ``persistent`` with the reasons and the evidence
(never silently dropped) and leaves the worklist. The worklist is ranked by the number of
ranking signals (ALP below 25 U/L, a raised PLP, musculoskeletal findings), then the lowest
ALP, then the number of low results, then the earliest low result, then ``person_id``.
"""

from __future__ import annotations

from typing import Any

import ibis  # type: ignore[import-untyped]  # noqa: TID253 - screening only

from alkphos.screening.tables import KnowledgeTables

__all__ = ["exclusions", "persistent_table", "ranked_worklist"]

Table = Any


def exclusions(found: Table, kt: KnowledgeTables) -> Table:
    """One row per person and secondary cause: the earliest evidence, its date, the count."""
    ids = [rule.id for rule in kt.exclusions]
    causes = {rule.id: rule.cause for rule in kt.exclusions}
    e = found.filter(found.rule.isin(ids))
    first = e.group_by(["person_id", "rule"]).aggregate(
        first_date=e.date.min(), n_records=e.count()
    )
    at_first = e.join(
        first,
        [
            e.person_id == first.person_id,
            e.rule == first.rule,
            e.date.identical_to(first.first_date),
        ],
    )
    picked = at_first.group_by([e.person_id, e.rule]).aggregate(
        evidence=at_first.evidence.min(), value=at_first.value.min()
    )
    out = picked.join(first, ["person_id", "rule"])
    return out.select(
        "person_id",
        reason=out.rule,
        cause=out.rule.substitute(causes),
        evidence=out.evidence,
        value=out.value,
        date=out.first_date,
        n_records=out.n_records.cast("int64"),
    )


def persistent_table(people: Table, excluded: Table) -> Table:
    """Every person meeting the persistence rule, with their exclusion reasons (if any)."""
    text = (
        excluded.reason
        + ": "
        + excluded.evidence
        + ibis.ifelse(
            excluded.date.isnull(), " (undated)", " (" + excluded.date.cast("string") + ")"
        )
    )
    reasons = excluded.group_by("person_id").aggregate(
        exclusion_reasons=excluded.reason.collect(distinct=True).sort(),
        exclusion_evidence=text.collect(distinct=True).sort(),
    )
    p = people.left_join(reasons, people.person_id == reasons.person_id)
    return p.select(
        p.person_id,
        "n_alp",
        "n_low",
        "min_alp",
        "median_alp",
        "first_low_date",
        "last_low_date",
        "age",
        "sex",
        "exclusion_reasons",
        "exclusion_evidence",
    )


def ranked_worklist(persistent: Table, found: Table, kt: KnowledgeTables) -> Table:
    """Persistent persons with no exclusion, ranked, with ``rank`` and ``why``."""
    names = {rule.id: rule.name for rule in kt.ranking}
    clean = persistent.filter(persistent.exclusion_reasons.isnull())
    s = found.filter(found.rule.isin(list(names)))
    described = s.mutate(
        signal=s.rule.substitute(names)
        + ibis.ifelse(
            s.value.isnull(),
            ": " + s.evidence,
            " (" + s.value.round(1).cast("string") + ")",
        )
    )
    signals = described.group_by("person_id").aggregate(
        n_signals=described.rule.nunique(),
        signals=described.signal.collect(distinct=True).sort(),
    )
    w = clean.left_join(signals, clean.person_id == signals.person_id)
    n_signals = w.n_signals.fill_null(0).cast("int64")
    summary = (
        "lowest ALP "
        + w.min_alp.round(1).cast("string")
        + " U/L; "
        + w.n_low.cast("string")
        + " low of "
        + w.n_alp.cast("string")
        + " results, "
        + w.first_low_date.cast("string")
        + " to "
        + w.last_low_date.cast("string")
    )
    why = summary + ibis.ifelse(n_signals > 0, "; " + w.signals.join("; "), ibis.literal(""))
    order = ibis.row_number().over(
        order_by=[
            ibis.desc(n_signals),
            w.min_alp,
            ibis.desc(w.n_low),
            w.first_low_date,
            w.person_id,
        ]
    )
    ranked = w.select(
        rank=(order + 1).cast("int64"),
        person_id=w.person_id,
        why=why,
        n_signals=n_signals,
        signals=w.signals,
        n_alp=w.n_alp,
        n_low=w.n_low,
        min_alp=w.min_alp,
        median_alp=w.median_alp,
        first_low_date=w.first_low_date,
        last_low_date=w.last_low_date,
        age=w.age,
        sex=w.sex,
    )
    return ranked.order_by("rank")
