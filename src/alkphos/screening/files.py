"""What a CSV or Parquet input is, found before an engine reads it.

DuckDB's CSV sniffer guesses the header and delimiter from a sample: a file with one short
or long row (a "ragged" CSV) was read with its last line as the header and no rows, and
reported as a missing column. The header is read here instead; the engines are told the
delimiter and the columns, so a row with the wrong number of fields is an error naming its
line. A folder given for a Parquet table must hold Parquet files of its own (DuckDB would
read every Parquet file below it, whatever table it belongs to).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from alkphos.errors import InputError

__all__ = ["CsvShape", "csv_shape", "parquet_parts", "ragged_row"]

_DELIMITERS = (",", ";", "\t", "|")
_RAGGED = re.compile(
    r"CSV Error on Line: (\d+).*?Expected Number of Columns: (\d+) Found: (\d+)", re.DOTALL
)
_FILE = re.compile(r"file = (.+)")


@dataclass(frozen=True)
class CsvShape:
    """A CSV file's delimiter and column names, from its header line."""

    delimiter: str
    columns: tuple[str, ...]


def csv_shape(path: Path) -> CsvShape:
    """The header of a CSV file (the delimiter is the one the header uses most)."""
    try:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as file:
            header = file.readline().rstrip("\r\n")
    except OSError as exc:
        raise InputError(str(path), f"cannot read the file ({exc.strerror or exc})", "") from None
    if not header.strip():
        raise InputError(
            str(path), "no header line", "a CSV file whose first line names its columns"
        )
    delimiter = max(_DELIMITERS, key=header.count) if any(d in header for d in _DELIMITERS) else ","
    columns = tuple(next(csv.reader([header], delimiter=delimiter)))
    blank = [i + 1 for i, name in enumerate(columns) if not name.strip()]
    if blank:
        raise InputError(
            str(path), f"column {blank[0]} of the header has no name", "a name for every column"
        )
    if len({c.strip().lower() for c in columns}) != len(columns):
        raise InputError(str(path), "the header names a column twice", "each column once")
    return CsvShape(delimiter=delimiter, columns=columns)


def parquet_parts(folder: Path) -> list[Path]:
    """The Parquet files directly in a folder read as one table (refused when there are none)."""
    parts = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".parquet", ".pq"))
    if not parts:
        held = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))[:3]
        seen = f" (it holds {', '.join(held)}{', ...' if len(held) == 3 else ''})" if held else ""
        raise InputError(
            str(folder),
            f"a folder with no Parquet file of its own{seen}",
            "a CSV or Parquet file, or a folder of Parquet files; an OMOP folder goes with --omop",
        )
    return parts


def ragged_row(message: str) -> InputError | None:
    """DuckDB's error for a row with the wrong number of fields, in one line; else None."""
    match = _RAGGED.search(message)
    if match is None:
        return None
    line, expected, found = match.groups()
    file = _FILE.search(message)
    return InputError(
        file.group(1).strip() if file else "input",
        f"line {line} has {found} fields where the header has {expected}",
        "one field per column on every line",
    )
