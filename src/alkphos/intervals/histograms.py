"""Per-stratum histograms of one analyte, counted by the engine in the screening pass.

The rows are read and checked exactly as ``alkphos screen`` checks them (the same
``rows`` functions: analyte by code or name, unit conversion, plausibility, rejects with
their reasons, de-duplication), so a row used by one is used by the other. The usable
results of the analyte are then counted per (stratum, value rounded to the analyte's
reporting precision) with a GROUP BY in the engine: only the histogram, a few thousand
rows at most, comes back to Python, however many results there are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import ibis  # type: ignore[import-untyped]  # noqa: TID253 - intervals derive only
import pyarrow as pa  # type: ignore[import-untyped]  # noqa: TID253 - intervals derive only

from alkphos.intervals.strata import YEAR_KEY_BASE, Stratum
from alkphos.knowledge.loader import Knowledge
from alkphos.screening import outputs, rows
from alkphos.screening.engines import Engine
from alkphos.screening.inputs import Sources
from alkphos.screening.tables import KnowledgeTables
from alkphos.screening.vocabulary import load_vocabulary

__all__ = ["UNSTRATIFIED", "Counted", "count_histograms", "stratum_histograms"]

Table = Any
#: The stratum of results whose sex or age is unknown (counted, never fitted).
UNSTRATIFIED = -1


@dataclass(frozen=True)
class Counted:
    """The row counts of the pass (as screening's funnel) and the histogram table.

    ``histogram`` columns: ``stratum`` (a ``Stratum.index``, or ``UNSTRATIFIED``),
    ``value`` (rounded to the reporting precision), ``n`` (results), ``first`` and
    ``last`` (collection dates), sorted by stratum and value.
    """

    rows: dict[str, Any]
    histogram: pa.Table


def stratum_histograms(
    used: Table, persons: Table, analyte: str, decimals: int, strata: Sequence[Stratum]
) -> Table:
    """The GROUP BY (stratum, value) of the used results of ``analyte`` (an Ibis table)."""
    mine = used.filter(used.analyte == analyte)
    births = persons.group_by("person_id").aggregate(birth_date=persons.birth_date.min())
    births = births.select(birth_person=births.person_id, birth_date=births.birth_date)
    j = mine.left_join(births, mine.person_id == births.birth_person)
    years = j.age_years
    key = ibis.cases(
        (years.isnull() | j.birth_date.isnull(), ibis.null("int64")),
        (years == 0, j.date.delta(j.birth_date, unit="day").cast("int64")),
        else_=(years + YEAR_KEY_BASE).cast("int64"),
    )
    conditions = []
    for s in strata:
        inside = (j.sex == s.sex) & (key >= s.key_from)
        if s.key_to is not None:
            inside = inside & (key < s.key_to)
        conditions.append((inside.fill_null(False), s.index))
    r = j.mutate(
        stratum=ibis.cases(*conditions, else_=UNSTRATIFIED).cast("int64"),
        bin=rounded(j.value, decimals),
    )
    grouped = r.group_by(["stratum", "bin"]).aggregate(
        n=r.count(), first=r.date.min(), last=r.date.max()
    )
    return grouped.select(
        "stratum", value=grouped.bin, n=grouped.n.cast("int64"), first="first", last="last"
    ).order_by(["stratum", "value"])


def rounded(value: Any, decimals: int) -> Any:
    """A value rounded to the reporting precision (``decimals`` places), as a double."""
    return value.round(decimals).cast("float64")


def count_histograms(
    sources: Sources,
    engine: Engine,
    kb: Knowledge,
    analyte: str,
    strata: Sequence[Stratum],
    out: Path,
    step: Callable[[str], None],
) -> Counted:
    """Check every row as screening does, write ``rejects.parquet`` in ``out``, and count
    the histograms of ``analyte`` per stratum."""
    kt = KnowledgeTables.build(kb)
    step("checking every row")
    vocabulary = None
    if sources.concepts is not None:
        vocabulary = load_vocabulary(engine, sources.concepts, kt)
    classified = rows.classify(sources.measurements, kt, vocabulary)
    screening = rows.screening_rows(classified, vocabulary)
    judge = partial(rows.check, persons=sources.persons, kt=kt, vocabulary=vocabulary, as_of=None)
    kept = engine.materialise(rows.kept(judge(screening)))
    used = rows.used(kept, kt)
    again = engine.materialise(rows.again(screening, kept, judge))
    step("writing the rejects")
    rejected = outputs.write_rejects(engine, rows.rejects(again, kept, kt), out)
    step("counting the rows")
    counts = outputs.count_rows(engine, sources, classified, rejected, used)
    step("counting the histograms")
    decimals = kb.analytes[analyte].decimals
    table = engine.to_arrow(stratum_histograms(used, sources.persons, analyte, decimals, strata))
    return Counted(rows=counts, histogram=table)
