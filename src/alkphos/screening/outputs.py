"""Write the results of a run and count its funnel.

Files in the output folder: ``persistent.parquet``, ``worklist.parquet`` and
``worklist.csv``, ``exclusions.parquet`` (one row per person and secondary cause, with
the evidence and its date), ``rejects.parquet`` and ``funnel.json``. Rows are written in a
fixed order so two engines give byte-comparable tables. The funnel balances: rows in =
rows used + rows rejected + rows of other analytes, or the run fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import ibis  # type: ignore[import-untyped]  # noqa: TID253 - screening only
import pyarrow as pa  # type: ignore[import-untyped]  # noqa: TID253 - screening only
import pyarrow.compute as pc  # type: ignore[import-untyped]  # noqa: TID253
import pyarrow.csv as pacsv  # type: ignore[import-untyped]  # noqa: TID253
import pyarrow.parquet as pq  # type: ignore[import-untyped]  # noqa: TID253

from alkphos._version import __version__
from alkphos.knowledge.loader import Knowledge
from alkphos.screening import summary
from alkphos.screening.engines import Engine
from alkphos.screening.inputs import Sources
from alkphos.screening.persistence import Criteria
from alkphos.screening.rows import REASONS

__all__ = [
    "Tables",
    "count_rows",
    "funnel",
    "write_json",
    "write_rejects",
    "write_results",
]

Table = Any

_REJECT_ORDER = (
    "reason",
    "analyte",
    "person_id",
    "date",
    "row_id",
    "concept_id",
    "test",
    "unit",
    "reported_value",
    "date_text",
)


@dataclass(frozen=True)
class Tables:
    """The small result tables, as written."""

    persistent: pa.Table
    worklist: pa.Table
    exclusions: pa.Table


def write_rejects(engine: Engine, rejects: Table, out: Path) -> Path:
    """Write ``rejects.parquet`` (sorted) and return its path."""
    path = out / "rejects.parquet"
    ordered = rejects.order_by([ibis.asc(c, nulls_first=True) for c in _REJECT_ORDER])
    schema = ordered.schema().to_pyarrow()
    with pq.ParquetWriter(path, schema) as writer:
        for batch in engine.to_batches(ordered):
            writer.write_batch(batch)
    return path


def count_rows(
    engine: Engine,
    sources: Sources,
    classified: Table,
    rejected: Path,
    used: Table,
    counted: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """Rows in, used, rejected (by reason) and of other analytes; whether they balance.

    Rows in and rows of other analytes are counted on the input (or given as ``counted``,
    when they were counted on it already, as ``spellings`` does), rejected rows in the
    rejects file written, used rows in the de-duplicated table: three independent counts.
    """
    if counted is None:
        totals = sources.measurements.aggregate(rows_in=sources.measurements.count()).cross_join(
            classified.aggregate(other=classified.count(where=classified.analyte_code.isnull()))
        )
        found = engine.to_arrow(totals).to_pylist()[0]
        counted = int(found["rows_in"]), int(found["other"])
    rows_in, other = counted
    written = pq.read_table(rejected, columns=["analyte", "reason"])
    reasons = written.group_by(["analyte", "reason"]).aggregate([("reason", "count")])
    by_analyte = engine.to_arrow(summary.used_counts(used)).to_pylist()
    by_reason = dict.fromkeys(REASONS, 0)
    analytes: dict[str, dict[str, int]] = {}
    for row in reasons.to_pylist():
        by_reason[row["reason"]] += row["reason_count"]
        entry = analytes.setdefault(row["analyte"], {"used": 0, "rejected": 0})
        entry["rejected"] += row["reason_count"]
    for row in by_analyte:
        entry = analytes.setdefault(row["analyte"], {"used": 0, "rejected": 0})
        entry["used"] += row["used"]
    n_used = sum(entry["used"] for entry in analytes.values())
    n_rejected = sum(by_reason.values())
    return {
        "in": rows_in,
        "used": n_used,
        "rejected": n_rejected,
        "other_analytes": other,
        "balanced": rows_in == n_used + n_rejected + other,
        "rejected_by_reason": by_reason,
        "by_analyte": dict(sorted(analytes.items())),
    }


def write_results(
    engine: Engine, out: Path, persistent: Table, ranked: Table, excluded: Table
) -> Tables:
    """Write the persistent list, the worklist (Parquet and CSV) and the exclusions."""
    p = _conform(_lists(engine.to_arrow(persistent.order_by("person_id"))))
    w = _conform(_lists(engine.to_arrow(ranked))).sort_by("rank")
    e = _conform(engine.to_arrow(excluded.order_by(["person_id", "reason"])))
    pq.write_table(p, out / "persistent.parquet")
    pq.write_table(w, out / "worklist.parquet")
    pq.write_table(e, out / "exclusions.parquet")
    flat = w.set_column(
        w.schema.get_field_index("signals"),
        "signals",
        pc.binary_join(w.column("signals"), "; "),
    )
    pacsv.write_csv(flat, out / "worklist.csv")
    return Tables(persistent=p, worklist=w, exclusions=e)


_TYPES = {
    "rank": pa.int64(),
    "n_alp": pa.int64(),
    "n_low": pa.int64(),
    "n_signals": pa.int64(),
    "n_records": pa.int64(),
    "age": pa.int64(),
    "min_alp": pa.float64(),
    "median_alp": pa.float64(),
    "value": pa.float64(),
    "first_low_date": pa.date32(),
    "last_low_date": pa.date32(),
    "date": pa.date32(),
}


def _conform(table: pa.Table) -> pa.Table:
    """Fixed column types, whatever integer width an engine chose."""
    fields = [pa.field(f.name, _TYPES.get(f.name, f.type), nullable=True) for f in table.schema]
    return table.cast(pa.schema(fields))


def _lists(table: pa.Table) -> pa.Table:
    """Empty lists instead of nulls in list columns (a person with no reason has [])."""
    for index, field in enumerate(table.schema):
        if pa.types.is_list(field.type):
            column = table.column(index)
            empty = pa.array([[]] * len(table), type=field.type)
            filled = pc.if_else(pc.is_null(column), empty, column)
            table = table.set_column(index, field.name, filled)
    return table


def funnel(
    engine: Engine,
    kb: Knowledge,
    *,
    counts: dict[str, Any],
    persons: Table,
    all_persons: Table,
    tables: Tables,
    criteria: Criteria,
    definition: str,
    as_of: date,
    description: str,
) -> dict[str, Any]:
    """The funnel: rows, then persons from tested to worklist, and exclusions by reason.
    ``persons`` is ``per_person``'s table (every person tested for ALP)."""
    stages = engine.to_arrow(
        persons.aggregate(
            tested=persons.count(),
            eligible=persons.count(where=persons.n_alp > 0),
            with_low=persons.n_low.count(where=persons.n_low > 0),
        ).cross_join(all_persons.aggregate(in_table=all_persons.count()))
    ).to_pylist()[0]
    tested = int(stages["tested"])
    in_table = int(stages["in_table"])
    reasons = tables.exclusions.group_by("reason").aggregate([("person_id", "count_distinct")])
    by_reason = {rule.id: 0 for rule in kb.screening.values() if rule.role == "exclude"}
    for row in reasons.to_pylist():
        by_reason[row["reason"]] = row["person_id_count_distinct"]
    persistent = tables.persistent.num_rows
    return {
        "alkphos_version": __version__,
        "knowledge_version": kb.version,
        "engine": engine.name,
        "input": description,
        "criteria": criteria.value,
        "definition": definition,
        "as_of": as_of.isoformat(),
        "rows": counts,
        "persons": {
            "in_persons_table": in_table,
            "tested_for_alp": tested,
            "eligible_for_criteria": int(stages["eligible"] or 0),
            "with_low_alp": int(stages["with_low"] or 0),
            "persistent": persistent,
            "without_secondary_cause": tables.worklist.num_rows,
            "worklist": tables.worklist.num_rows,
        },
        "excluded_by_reason": by_reason,
    }


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write JSON, indented, with a final newline."""
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
