"""Dates flat exports write other than ISO: 31.12.2023, 31/12/2023, 12/31/2023,
31-Dec-2023, "Dec 31, 2023", each with or without a time after it.

They are read with the report reader's rules (``alkphos.adapters.report.dates``): a dotted
date is day first; a slashed or dashed date that could be read either way takes its order
from the column's other dates (one with a part above 12 shows it), and is left unread
otherwise (its rows are rejected as "not a date"), never guessed; nor is a century (a year
must be written in full). Only the distinct texts
of a column are read here, so the cost does not grow with the rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import ibis  # type: ignore[import-untyped]  # noqa: TID253 - screening only
import pyarrow as pa  # type: ignore[import-untyped]  # noqa: TID253 - screening only

from alkphos.adapters.report.dates import AmbiguousDateError, DateOrder, find_dates, report_order
from alkphos.screening.engines import Engine

__all__ = ["WrittenDates", "read_written_dates", "with_written_dates"]

# What may follow the date: a time of day, with seconds, fraction, AM/PM and zone.
_TIME_AFTER = re.compile(
    r"(?:(?:T|\s+|,\s*)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?"
    r"\s*(?:Z|[+-]\d{2}:?\d{2})?)?\s*"
)


# A year in full: 05/06/45 could be 1945 or 2045 (a birth date or a result), so it is not read.
_FULL_YEAR = re.compile(r"\d{4}")


@dataclass(frozen=True)
class WrittenDates:
    """The dates read from a column's distinct texts, and the day/month order used."""

    dates: dict[str, date]
    order: DateOrder | None


def read_written_dates(texts: Iterable[str]) -> WrittenDates:
    """The date of each text that is one date (with at most a time after it); texts that are
    not, or whose day and month cannot be told apart, are left out."""
    whole = {}
    for text in texts:
        stripped = text.strip()
        found = find_dates(stripped)
        if (
            len(found) == 1
            and found[0].start == 0
            and _FULL_YEAR.search(found[0].text)
            and _TIME_AFTER.fullmatch(stripped[found[0].end :])
        ):
            whole[text] = found[0]
    order = report_order("\n".join(one.text for one in whole.values()))
    dates = {}
    for text, one in whole.items():
        try:
            dates[text] = one.resolve(order)
        except (AmbiguousDateError, ValueError):
            continue  # no order shown, or not a calendar date (31/02/2024)
    return WrittenDates(dates=dates, order=order)


def with_written_dates(engine: Engine, table: Any, text: str, when: str) -> Any:
    """``table`` with its date column ``when`` filled, where the ISO reading left it empty,
    from the text column ``text`` read as a written date (one query for the distinct texts,
    then a join)."""
    unread = table.filter(table[when].isnull() & table[text].notnull()).select(text).distinct()
    texts = [value for value in engine.to_arrow(unread).column(0).to_pylist() if value]
    read = read_written_dates(texts)
    if not read.dates:
        return table
    found = ibis.memtable(
        pa.table(
            {
                "written_text": pa.array(list(read.dates), pa.string()),
                "written_date": pa.array(list(read.dates.values()), pa.date32()),
            }
        )
    )
    joined = table.left_join(found, table[text] == found.written_text)
    return joined.select(
        *(
            joined[column].fill_null(joined.written_date).name(column)
            if column == when
            else joined[column]
            for column in table.columns
        )
    )
