"""The test names, units and dates of flat tables, read once per distinct spelling.

A flat export writes the same test, unit and date many ways ("ALP", " Alk Phos ", "6768-6";
"U/L", "iu/l", "µkat/L"; "2021-03-04", "2021-03-04T08:30:00Z"), but in far fewer distinct
ways than it has rows. Each distinct spelling is matched or parsed once, with the same
expressions the rows would use, into small tables; the rows are joined to them by the
text as written and carry small integer codes from there on, as OMOP rows carry concept
ids (see ``vocabulary``). Trimming, case folding, the knowledge base's name and unit
indexes and date parsing are never applied per row.

The pass that finds the (test, unit) spellings also counts the rows of each, so the
table's rows, and those of other analytes, are counted there and not in a pass of their
own; the dates are gathered from every row (one text column, no filter: cheaper than
finding the screening rows first).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis  # type: ignore[import-untyped]  # noqa: TID253 - screening only
import pyarrow as pa  # type: ignore[import-untyped]  # noqa: TID253 - screening only

from alkphos.knowledge.names import name_candidates
from alkphos.screening.engines import Engine
from alkphos.screening.inputs import clean_text, parse_date, written_text
from alkphos.screening.tables import KnowledgeTables
from alkphos.screening.written_dates import with_written_dates

__all__ = ["Spellings", "load_spellings", "name_key", "unit_key"]

Table = Any
Column = Any


def name_key(column: Column) -> Column:
    """A test name as the knowledge base matches it: trimmed, lower case, single spaces."""
    return column.strip().lower().replace("’", "'").re_replace(r"\s+", " ")


def unit_key(column: Column) -> Column:
    """A unit as the knowledge base matches it: no spaces, micro as ``u``, lower case."""
    return column.strip().replace("µ", "u").replace("μ", "u").replace(" ", "").lower()


@dataclass(frozen=True)
class Spellings:
    """The spellings of a flat table that matter to screening.

    ``pairs``: each (test, unit) as written of the tests that name a screening analyte,
    with the analyte code and the factor to the analyte's canonical unit (null: not a unit
    of that analyte); ``dates``: each date as written, parsed (``None`` when the table's
    dates are typed, not text); ``rows_in``: the table's rows, ``other``: those of no
    screening analyte (no spelling of ``pairs``).
    """

    pairs: pa.Table  # s_test, s_unit, s_code, s_factor
    dates: Table | None  # s_date_raw -> s_date, s_date_text
    rows_in: int
    other: int

    def classify(self, measurements: Table) -> Table:
        """Add ``analyte_code`` and ``spelled_factor`` to every row (one join)."""
        m = measurements
        p = ibis.memtable(self.pairs)
        j = m.left_join(p, [m.test_raw == p.s_test, m.unit_raw.identical_to(p.s_unit)])
        return j.select(*m.columns, analyte_code=j.s_code, spelled_factor=j.s_factor)

    def screening_rows(self, classified: Table) -> Table:
        """The rows of screening analytes, with their dates parsed once per spelling.

        The join to ``pairs`` is the only filter: the engine turns it into an inner join
        and pushes its keys into the scan (with a ``test IN (...)`` filter as well, as the
        OMOP path has on concept ids, a run of 10 M rows took about 5% more CPU)."""
        c = classified
        rows = c.filter(c.analyte_code.notnull())
        if self.dates is None:
            return rows
        d = self.dates
        j = rows.left_join(d, rows.date_raw == d.s_date_raw)
        return j.select(
            *(k for k in rows.columns if k not in ("date", "date_text")),
            date=j.s_date,
            date_text=j.s_date_text,
        )


def load_spellings(engine: Engine, measurements: Table, kt: KnowledgeTables) -> Spellings:
    """Read and match the distinct spellings of flat ``measurements`` (two small queries,
    each one pass over one or two text columns: the (test, unit) pairs with their number
    of rows, and the dates)."""
    m = measurements
    distinct = m.group_by(test=m.test_raw, unit=m.unit_raw).aggregate(n=m.count())
    keyed = distinct.select(
        "test",
        "unit",
        "n",
        name=name_key(clean_text(distinct.test)),
        unit_key=unit_key(clean_text(distinct.unit)),
    )
    rows: list[tuple[str, str | None, int, float | None]] = []
    rows_in = other = 0
    for row in engine.to_arrow(keyed).to_pylist():
        rows_in += row["n"]
        other += row["n"]
        analyte = kt.name_map.get(row["name"]) if row["name"] is not None else None
        if analyte is None and row["test"] is not None:
            # as interpret reads it: "Alkaline Phosphatase, Serum", "ALP (IFCC)", ...
            keys = name_candidates(str(row["test"]))
            analyte = next((kt.plain_map[key] for key in keys if key in kt.plain_map), None)
        if analyte is None or row["test"] is None:
            continue
        factor = kt.unit_map[analyte].get(row["unit_key"]) if row["unit_key"] else None
        rows.append((row["test"], row["unit"], kt.analyte_codes[analyte], factor))
        other -= row["n"]
    pairs = pa.table(
        {
            "s_test": pa.array([r[0] for r in rows], pa.string()),
            "s_unit": pa.array([r[1] for r in rows], pa.string()),
            "s_code": pa.array([r[2] for r in rows], pa.int8()),
            "s_factor": pa.array([r[3] for r in rows], pa.float64()),
        }
    )
    dates = None
    if "date_raw" in m.columns and rows:
        written = m.select(s_date_raw=m.date_raw).distinct()
        dates = engine.materialise(
            written.mutate(
                s_date=parse_date(written.s_date_raw),
                s_date_text=written_text(written.s_date_raw),
            )
        )
        # 31.12.2023 or 12/31/2023: read from the texts ISO left unread (the column's own
        # dates show the day/month order)
        read = with_written_dates(engine, dates, "s_date_raw", "s_date")
        if read is not dates:
            dates = engine.materialise(read)
    return Spellings(pairs=pairs, dates=dates, rows_in=rows_in, other=other)
