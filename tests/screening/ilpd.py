"""Turn ILPD (one record per patient, no dates, CR line endings) into flat screening tables."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

SCREENED_ON = date(2012, 1, 1)
_TESTS = {
    "Alkphos": ("ALP", "IU/L"),
    "ALB": ("Albumin", "g/dL"),
    "Sgpt": ("ALT", "U/L"),
    "Sgot": ("AST", "U/L"),
    "TB": ("Total bilirubin", "mg/dL"),
}


def read_records(path: Path) -> list[dict[str, str]]:
    """The records, header row first in the file (newline='' lets csv take CR endings)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_ilpd(path: Path, folder: Path) -> dict[str, Path]:
    """Write measurements.parquet and persons.parquet; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    records = read_records(path)
    rows = [
        {
            "person_id": number,
            "test": test,
            "value": float(record[column]),
            "unit": unit,
            "date": SCREENED_ON,
        }
        for number, record in enumerate(records, start=1)
        for column, (test, unit) in _TESTS.items()
        if record[column].strip()
    ]
    persons = [
        {
            "person_id": number,
            "birth_date": date(SCREENED_ON.year - int(record["Age"]), 1, 1),
            "sex": record["Gender"],
        }
        for number, record in enumerate(records, start=1)
    ]
    paths = {"measurements": folder / "measurements.parquet", "persons": folder / "persons.parquet"}
    pq.write_table(pa.Table.from_pylist(rows), paths["measurements"])
    pq.write_table(pa.Table.from_pylist(persons), paths["persons"])
    return paths
