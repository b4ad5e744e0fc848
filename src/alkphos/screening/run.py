"""One screening run: read, check every row, find the persistent lows, exclude, rank, write.

Everything up to the worklist is set-wise Ibis on the chosen engine; only the (short)
worklist goes through the per-patient engine, and only with ``explain``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from alkphos.errors import InputError
from alkphos.knowledge.loader import Knowledge
from alkphos.screening import causes, outputs, rows, summary, worklist
from alkphos.screening.engines import Engine
from alkphos.screening.inputs import Sources
from alkphos.screening.persistence import (
    Criteria,
    alp_results,
    definition,
    describe,
    per_person,
)
from alkphos.screening.spellings import load_spellings
from alkphos.screening.tables import KnowledgeTables
from alkphos.screening.vocabulary import load_vocabulary

__all__ = ["STEPS", "NoUsableRows", "Screen", "screen"]

STEPS = (
    "checking every row",
    "writing the rejects",
    "counting the funnel",
    "finding persistent lows",
    "looking for secondary causes",
    "ranking the worklist",
    "writing the results",
    "explaining the worklist",
)

Progress = Callable[[str], None]


class NoUsableRows(InputError):
    """Not one row of a screening analyte can be used; the rejects (written) say why."""

    def __init__(self, description: str, counts: dict[str, Any]) -> None:
        reasons = ", ".join(
            f"{n:,} {reason}" for reason, n in counts["rejected_by_reason"].items() if n
        )
        rejected = counts["rejected"]
        super().__init__(
            description,
            "no usable measurement of ALP or a companion test"
            + (f"; {rejected:,} rows rejected: {reasons}" if rejected else ""),
            "rows need a known person, a date on or before the as-of date, a value and an "
            "accepted unit; see rejects.parquet",
        )


@dataclass(frozen=True)
class Screen:
    """What a run produced: the folder, the funnel, and the small tables."""

    out: Path
    as_of: date
    funnel: dict[str, Any]
    persistent: Any  # pyarrow.Table
    worklist: Any  # pyarrow.Table
    exclusions: Any  # pyarrow.Table


def screen(
    sources: Sources,
    engine: Engine,
    kb: Knowledge,
    out: Path,
    criteria: Criteria = Criteria.lln,
    as_of: date | None = None,
    explain: bool = False,
    progress: Progress | None = None,
) -> Screen:
    """Screen a population and write the outputs to ``out``.

    Raises:
        NoUsableRows: no measurement of a screening analyte can be used; only
            rejects.parquet (which says why) is written.
        RuntimeError: the rows do not balance (a bug: every row must be accounted for).
    """
    step = progress or (lambda _: None)
    kt = KnowledgeTables.build(kb)
    out.mkdir(parents=True, exist_ok=True)

    step(STEPS[0])
    vocabulary = spellings = None
    if sources.concepts is not None:
        vocabulary = load_vocabulary(engine, sources.concepts, kt)
    elif "test_raw" in sources.measurements.columns:
        spellings = load_spellings(engine, sources.measurements, kt)
    # Persons are read once (a flat table: each person's rows made one, their dates and
    # sex parsed) and joined from there by every later step.
    persons_once = engine.materialise(sources.persons)
    classified = rows.classify(sources.measurements, kt, vocabulary, spellings)
    screening = rows.screening_rows(classified, vocabulary, spellings)
    # One pass over the input: every screening row checked and the usable ones
    # de-duplicated; the rows not used are judged again by the same check, on the few
    # persons and days that have one. (Without --as-of, the as-of date is the latest usable
    # row's, so no row can be after it.)
    judge = partial(
        rows.check,
        persons=persons_once,
        kt=kt,
        vocabulary=vocabulary,
        as_of=as_of,
        spellings=spellings,
    )
    kept = engine.materialise(rows.kept(judge(screening)))
    used = rows.used(kept, kt)
    again = engine.materialise(rows.again(screening, kept, judge))
    if as_of is None:
        as_of = engine.scalar(used.date.max())

    step(STEPS[1])
    rejected = outputs.write_rejects(engine, rows.rejects(again, kept, kt), out)

    step(STEPS[2])
    counted = (spellings.rows_in, spellings.other) if spellings is not None else None
    counts = outputs.count_rows(engine, sources, classified, rejected, used, counted)
    if as_of is None or counts["used"] == 0:
        raise NoUsableRows(sources.description, counts)

    step(STEPS[3])
    results = alp_results(used, kb, criteria)
    persons = engine.materialise(per_person(results, kb))
    persistent_only = persons.filter(persons.persistent)
    people = engine.materialise(describe(persistent_only, results, persons_once, as_of))

    step(STEPS[4])
    medications = None
    if sources.medications is not None:
        mine = _only(sources.medications, people)
        medications = engine.materialise(causes.drug_classes(mine, kt))
    meanings = None
    if sources.conditions is not None:
        mine = _only(sources.conditions, people)
        meanings = engine.materialise(causes.condition_meanings(mine, kt))
    found = engine.materialise(causes.evidence(people, used, medications, meanings, kt, kb, as_of))
    excluded = worklist.exclusions(found, kt)

    step(STEPS[5])
    persistent = worklist.persistent_table(people, excluded)
    ranked = worklist.ranked_worklist(persistent, found, kt)

    step(STEPS[6])
    tables = outputs.write_results(engine, out, persistent, ranked, excluded)
    funnel = outputs.funnel(
        engine,
        kb,
        counts=counts,
        persons=persons,
        all_persons=persons_once,
        tables=tables,
        criteria=criteria,
        definition=definition(kb, criteria),
        as_of=as_of,
        description=sources.description,
    )
    outputs.write_json(out / "funnel.json", funnel)
    if not counts["balanced"]:  # pragma: no cover - a bug, never the data's fault
        msg = (
            f"the funnel does not balance: {counts['in']} rows in, {counts['used']} used, "
            f"{counts['rejected']} rejected, {counts['other_analytes']} of other analytes "
            f"(see {out / 'funnel.json'})"
        )
        raise RuntimeError(msg)
    lln = alp_results(used, kb, Criteria.lln)
    distribution = engine.to_arrow(summary.distribution(lln))
    from alkphos.screening.report import write_report

    write_report(out / "report.html", kb, funnel, distribution, tables.worklist)

    step(STEPS[7])
    if explain:
        from alkphos.screening.explain import explain_worklist

        explain_worklist(engine, sources, vocabulary, kb, tables, as_of, out / "explain")
    return Screen(
        out=out,
        as_of=as_of,
        funnel=funnel,
        persistent=tables.persistent,
        worklist=tables.worklist,
        exclusions=tables.exclusions,
    )


def _only(table: Any, people: Any) -> Any:
    """The rows of ``table`` that belong to ``people`` (a semi-join, as a plain table)."""
    return table.semi_join(people, "person_id").select(*table.columns).view()
