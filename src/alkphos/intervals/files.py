"""Reading a file of values: a one-column CSV (header optional) or a Parquet file; or, for
``intervals verify``, a CSV with a header naming the columns value, sex and age."""

from __future__ import annotations

import csv
from pathlib import Path

from alkphos.intervals.result import SampleError

__all__ = ["Row", "has_columns", "read_rows", "read_values"]


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _csv_rows(path: Path, expected: str) -> list[list[str]]:
    """The rows of a CSV file; ``SampleError`` if it cannot be read as UTF-8 text."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return list(csv.reader(handle))
    except OSError as exc:
        raise SampleError(f"cannot read the file ({exc.strerror or exc})", str(path)) from None
    except UnicodeDecodeError:
        raise SampleError(f"not UTF-8 text ({expected})", str(path)) from None


def _read_csv(path: Path) -> list[float]:
    rows = _csv_rows(path, "a one-column CSV of numbers")
    values: list[float] = []
    for line, row in enumerate(rows, 1):
        cells = [cell.strip() for cell in row]
        if not cells or cells == [""]:
            raise SampleError(f"line {line} is empty (one number per line)", str(path))
        if len(cells) != 1:
            joined = ",".join(cells)
            comma = len(cells) == 2 and all(cell.isdigit() for cell in cells)
            hint = f" ('{joined}': a decimal comma? write it {'.'.join(cells)})" if comma else ""
            raise SampleError(
                f"line {line} has {len(cells)} columns (one column of numbers expected){hint}",
                str(path),
            )
        number = _number(cells[0])
        if number is None:
            if line == 1:
                continue  # a header
            raise SampleError(f"line {line}: not a number: '{cells[0]}'", str(path))
        values.append(number)
    return values


def _read_parquet(path: Path) -> list[float]:
    import pyarrow.parquet as pq  # type: ignore[import-untyped]
    from pyarrow import ArrowException, types

    try:
        table = pq.read_table(path)
    except (OSError, ArrowException) as exc:
        raise SampleError(f"cannot read the Parquet file ({exc})", str(path)) from None
    if table.num_columns != 1:
        raise SampleError(
            f"{table.num_columns} columns (one column of numbers expected: "
            f"{', '.join(table.column_names)})",
            str(path),
        )
    column = table.column(0)
    if not (types.is_integer(column.type) or types.is_floating(column.type)):
        raise SampleError(
            f"column '{table.column_names[0]}' holds {column.type}, not numbers", str(path)
        )
    if column.null_count:
        raise SampleError(
            f"column '{table.column_names[0]}' has {column.null_count} empty value(s)",
            str(path),
        )
    return [float(v) for v in column.to_pylist()]


def read_values(path: Path) -> list[float]:
    """The numbers in ``path``; ``SampleError`` naming the file and line for anything else."""
    if not path.exists():
        raise SampleError("no such file", str(path))
    if path.suffix.lower() == ".parquet":
        return _read_parquet(path)
    return _read_csv(path)


#: One value with the sex and age (years) that choose its stratum.
Row = tuple[float, str, float]
_COLUMNS = ("value", "sex", "age")
_SEXES = {"female": "female", "f": "female", "male": "male", "m": "male"}
_MAX_AGE_YEARS = 130


def has_columns(path: Path) -> bool:
    """Whether ``path`` is a CSV whose first line names more than one column."""
    if path.suffix.lower() == ".parquet" or not path.exists():
        return False
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            first = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError):
        return False
    return len(first) > 1


def read_rows(path: Path) -> list[Row]:
    """(value, sex, age) from a CSV with a header naming ``value``, ``sex`` and ``age``
    (years; other columns are ignored); ``SampleError`` naming the file and line."""
    lines = _csv_rows(path, "a CSV with value, sex and age")
    if not lines:
        raise SampleError("empty (a header naming value, sex and age, then rows)", str(path))
    header = [cell.strip().lower() for cell in lines[0]]
    missing = [name for name in _COLUMNS if name not in header]
    if missing:
        raise SampleError(
            f"the header has no column {', '.join(repr(m) for m in missing)} "
            "(columns value, sex and age, or a one-column file with --sex and --age)",
            str(path),
        )
    where = [header.index(name) for name in _COLUMNS]
    rows: list[Row] = []
    for line, cells in enumerate(lines[1:], 2):
        if len(cells) != len(header):
            raise SampleError(
                f"line {line} has {len(cells)} fields where the header has {len(header)}",
                str(path),
            )
        value_text, sex_text, age_text = (cells[i].strip() for i in where)
        value = _number(value_text)
        if value is None:
            raise SampleError(f"line {line}: value is not a number: '{value_text}'", str(path))
        sex = _SEXES.get(sex_text.lower())
        if sex is None:
            raise SampleError(
                f"line {line}: sex '{sex_text}' is not female or male (F or M)", str(path)
            )
        age = _number(age_text)
        if age is None or not 0 <= age <= _MAX_AGE_YEARS:
            raise SampleError(
                f"line {line}: age '{age_text}' is not a number of years from 0 to "
                f"{_MAX_AGE_YEARS}",
                str(path),
            )
        rows.append((value, sex, age))
    return rows
