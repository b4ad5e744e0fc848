"""Reading a file of values: a one-column CSV (header optional) or a Parquet file."""

from __future__ import annotations

import csv
from pathlib import Path

from alkphos.intervals.result import SampleError

__all__ = ["read_values"]


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _read_csv(path: Path) -> list[float]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except OSError as exc:
        raise SampleError(f"cannot read the file ({exc.strerror or exc})", str(path)) from None
    except UnicodeDecodeError:
        raise SampleError("not UTF-8 text (a one-column CSV of numbers)", str(path)) from None
    values: list[float] = []
    for line, row in enumerate(rows, 1):
        cells = [cell.strip() for cell in row]
        if not cells or cells == [""]:
            raise SampleError(f"line {line} is empty (one number per line)", str(path))
        if len(cells) != 1:
            raise SampleError(
                f"line {line} has {len(cells)} columns (one column of numbers expected)",
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
