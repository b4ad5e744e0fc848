"""CSV and Parquet inputs: a ragged CSV or a folder without Parquet files is named plainly."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from alkphos.cli import app
from alkphos.errors import InputError
from alkphos.screening.files import csv_shape

RUN = CliRunner()
HEADER = "person_id,test,value,unit,date\n"
GOOD = "1,ALP,30,U/L,2024-01-01\n"
PERSONS = "person_id,sex,birth_date\n1,F,1970-01-01\n"


def _screen(tmp_path: Path, measurements: Path) -> tuple[int, str]:
    persons = tmp_path / "p.csv"
    persons.write_text(PERSONS)
    out = tmp_path / "out"
    done = RUN.invoke(
        app, ["screen", str(measurements), "--persons", str(persons), "--out", str(out), "--quiet"]
    )
    return done.exit_code, done.stderr


@pytest.mark.parametrize(
    ("rows", "line", "found"),
    [
        (GOOD + "1,ALP,28,U/L\n", 3, 4),
        (GOOD + "2,ALP,80,U/L,2024-02-01,extra\n", 3, 6),
        (GOOD + GOOD + GOOD + "1,ALP\n" + GOOD, 5, 2),
    ],
)
def test_a_ragged_csv_names_the_line(tmp_path: Path, rows: str, line: int, found: int) -> None:
    """Issue 17: a ragged CSV was read with its last line as the header and reported as a
    missing column 'person_id' (its rows silently gone)."""
    measurements = tmp_path / "m.csv"
    measurements.write_text(HEADER + rows)
    code, stderr = _screen(tmp_path, measurements)
    assert code == 2
    assert stderr == (
        f"error: {measurements}: line {line} has {found} fields where the header has 5 "
        "(one field per column on every line)\n"
    )


def test_a_semicolon_csv_is_read(tmp_path: Path) -> None:
    """The delimiter is the one the header uses."""
    measurements = tmp_path / "m.csv"
    measurements.write_text((HEADER + GOOD + "1,ALP,28,U/L,2024-03-01\n").replace(",", ";"))
    code, stderr = _screen(tmp_path, measurements)
    assert code == 0, stderr
    assert pq.read_table(tmp_path / "out" / "persistent.parquet").num_rows == 1


def test_a_folder_without_parquet_files_is_refused(tmp_path: Path) -> None:
    """Issue 17: a folder was read with every Parquet file below it (another run's
    rejects.parquet) and reported as a missing column of that unrelated file."""
    folder = tmp_path / "exports"
    (folder / "old-run").mkdir(parents=True)
    pq.write_table(pa.table({"reason": ["x"]}), folder / "old-run" / "rejects.parquet")
    (folder / "readme.txt").write_text("x")
    code, stderr = _screen(tmp_path, folder)
    assert code == 2
    assert stderr == (
        f"error: {folder}: a folder with no Parquet file of its own (it holds old-run, "
        "readme.txt) (a CSV or Parquet file, or a folder of Parquet files; an OMOP folder "
        "goes with --omop)\n"
    )


def test_a_folder_of_parquet_parts_is_one_table(tmp_path: Path) -> None:
    """The Parquet files directly in a folder are read together."""
    folder = tmp_path / "m"
    folder.mkdir()
    for n, day in enumerate(("2024-01-01", "2024-03-01")):
        part = {"person_id": [1], "test": ["ALP"], "value": [30.0 - n], "unit": ["U/L"]}
        pq.write_table(pa.table({**part, "date": [day]}), folder / f"part-{n}.parquet")
    code, stderr = _screen(tmp_path, folder)
    assert code == 0, stderr
    assert pq.read_table(tmp_path / "out" / "persistent.parquet").num_rows == 1


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("\n", "no header line"),
        ("person_id,,value\n", "column 2 of the header has no name"),
        ("person_id,Value,value\n", "the header names a column twice"),
    ],
)
def test_a_bad_header_is_refused(tmp_path: Path, header: str, problem: str) -> None:
    """A header that cannot name the columns is refused before any reading."""
    path = tmp_path / "m.csv"
    path.write_text(header + GOOD)
    with pytest.raises(InputError, match=problem):
        csv_shape(path)


def test_columns_under_the_names_exports_use_are_read(tmp_path: Path) -> None:
    """An export with Patient ID, Test Name, Result, Units and Collection Date (and Gender and
    DOB in the persons table) screens as the canonical names do, and the summary says which
    column was read as what; two columns that could both be 'value' are refused by name."""
    measurements = tmp_path / "m.csv"
    measurements.write_text(
        "Patient ID,Test Name,Result,Units,Collection Date\n"
        "1,ALP,30,U/L,2024-01-01\n1,ALP,28,U/L,2024-03-01\n"
    )
    persons = tmp_path / "p.csv"
    persons.write_text("patient_id,Gender,DOB\n1,F,1970-01-01\n")
    out = tmp_path / "out"
    done = RUN.invoke(
        app, ["screen", str(measurements), "--persons", str(persons), "--out", str(out)]
    )
    assert done.exit_code == 0, done.stderr
    assert pq.read_table(out / "persistent.parquet").num_rows == 1
    described = json.loads((out / "funnel.json").read_text())["input"]
    assert described == (
        f"{measurements} (columns read as person_id = 'Patient ID', test = 'Test Name', "
        "value = 'Result', unit = 'Units', date = 'Collection Date'); "
        f"persons {persons} (columns read as person_id = 'patient_id', sex = 'Gender', "
        "birth_date = 'DOB')"
    )

    both = tmp_path / "both.csv"
    both.write_text("person_id,test,result,value_as_number,unit,date\n1,ALP,30,30,U/L,2024-01-01\n")
    code, stderr = _screen(tmp_path, both)
    assert code == 2
    assert "columns 'result' and 'value_as_number' could each be 'value'" in stderr


@pytest.mark.parametrize(
    ("written", "age"),
    [("31.12.2015", 8), ("12/31/2015", 8), ("31/12/2015", 8), ("2015-12-31", 8)],
)
def test_a_birth_date_as_exports_write_it_gives_the_age(
    tmp_path: Path, written: str, age: int
) -> None:
    """A birth date written 31.12.2015 or 12/31/2015 is read (the order from the column's own
    dates), so a child is screened against a child's limits, not as a person of unknown age."""
    measurements = tmp_path / "m.csv"
    measurements.write_text(HEADER + "1,ALP,90,U/L,2024-01-01\n1,ALP,95,U/L,2024-03-01\n")
    persons = tmp_path / "p.csv"
    persons.write_text(f"person_id,sex,birth_date\n1,F,{written}\n")
    out = tmp_path / "out"
    done = RUN.invoke(
        app, ["screen", str(measurements), "--persons", str(persons), "--out", str(out), "--quiet"]
    )
    assert done.exit_code == 0, done.stderr
    found = pq.read_table(out / "persistent.parquet").to_pylist()
    assert [(row["person_id"], row["age"]) for row in found] == [("1", age)]
