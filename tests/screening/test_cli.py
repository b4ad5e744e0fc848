"""``alkphos screen``: options, files written, progress, one-line errors with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from alkphos.cli import app
from tests.screening.conftest import SYNTHEA, Runner
from tests.screening.population import AS_OF

RUN = CliRunner()
FILES = (
    "persistent.parquet",
    "worklist.parquet",
    "worklist.csv",
    "exclusions.parquet",
    "rejects.parquet",
    "funnel.json",
    "report.html",
)


@pytest.mark.usefixtures("spark")  # the command finds the shared session, not a new one
def test_screen_omop_writes_every_output(tmp_path: Path, engine: str) -> None:
    """--omop with either engine writes every file; a summary line goes to stdout."""
    out = tmp_path / "out"
    args = ["screen", "--omop", str(SYNTHEA / "parquet"), "--out", str(out), "--engine", engine]
    done = RUN.invoke(app, args)
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert done.stdout.startswith("0 on the worklist (2 persistently low of 3 tested")
    progress = done.stderr.splitlines()
    assert progress[0] == "screening 1/8: checking every row"
    assert progress[-1] == "screening 8/8: explaining the worklist"
    funnel = json.loads((out / "funnel.json").read_text())
    assert funnel["engine"] == engine
    assert funnel["criteria"] == "lln"


def test_screen_flat_tables_with_explain_and_quiet(runner: Runner, tmp_path: Path) -> None:
    """Flat tables with --criteria, --as-of, --explain and --quiet: nothing printed, one
    interpretation per worklist person."""
    data = runner.dataset("generated")
    out = tmp_path / "out"
    args = [
        "screen",
        str(data["measurements"]),
        "--persons",
        str(data["persons"]),
        "--medications",
        str(data["medications"]),
        "--conditions",
        str(data["conditions"]),
        "--out",
        str(out),
        "--criteria",
        "tornero2020",
        "--as-of",
        "2024-06-30",
        "--explain",
        "--quiet",
    ]
    done = RUN.invoke(app, args)
    assert done.exit_code == 0, done.output
    assert done.stdout == ""
    assert done.stderr == ""
    worklist = pq.read_table(out / "worklist.parquet")
    assert worklist.num_rows > 0
    assert len(list((out / "explain").glob("*.json"))) == worklist.num_rows
    assert json.loads((out / "funnel.json").read_text())["as_of"] == "2024-06-30"
    csv_header = (out / "worklist.csv").read_text().splitlines()[0]
    assert csv_header.startswith('"rank","person_id","why"')


def test_report_is_self_contained(runner: Runner, engine: str) -> None:
    """report.html: inline SVG charts (funnel, distribution, yields), no external assets."""
    html = (runner.run("generated", engine, "lln", AS_OF, True).out / "report.html").read_text()
    assert html.count("<svg") == 4
    for external in ("http://", "https://", "<script", "<link", "src="):
        assert external not in html
    assert "Published yields beside this run" in html
    assert "Maman 2016" in html
    assert "Tornero 2020" in html


def _fail(args: list[str]) -> str:
    done = RUN.invoke(app, ["screen", *args])
    assert done.exit_code == 2, done.output
    # Progress lines (one per step, in a log) may come first; the error is one line.
    lines = [x for x in done.stderr.strip().splitlines() if not x.startswith("screening ")]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_bad_options_are_one_line_errors(tmp_path: Path) -> None:
    """Every misuse names the option and what is accepted, on one line, exit code 2."""
    omop = str(SYNTHEA / "parquet")
    out = str(tmp_path / "out")
    assert "--out" in _fail(["--omop", omop])
    assert "exactly one" in _fail(["--out", out])
    assert "exactly one" in _fail(["m.csv", "--persons", "p.csv", "--omop", omop, "--out", out])
    assert "--persons" in _fail(["m.csv", "--out", out])
    assert "--spark-master" in _fail(["--omop", omop, "--out", out, "--spark-master", "x"])
    line = _fail(["--omop", omop, "--out", out, "--criteria", "mckiernan"])
    assert "lln, tornero2020, maman2016" in line
    assert "--engine" in _fail(["--omop", omop, "--out", out, "--engine", "polars"])
    assert "--as-of" in _fail(["--omop", omop, "--out", out, "--as-of", "31/12/2024"])
    assert "no such file" in _fail(["--omop", str(tmp_path / "nowhere"), "--out", out])
    assert "no MEASUREMENT table" in _fail(["--omop", str(tmp_path), "--out", out])


def test_missing_column_names_the_file_and_the_column(tmp_path: Path) -> None:
    """A flat table without 'unit' is refused, naming the file, the column and the columns
    that are needed."""
    measurements = tmp_path / "m.parquet"
    persons = tmp_path / "p.parquet"
    pq.write_table(
        pa.table({"person_id": [1], "test": ["ALP"], "value": [30.0], "date": ["2024-01-01"]}),
        measurements,
    )
    pq.write_table(pa.table({"person_id": [1], "sex": ["F"], "year_of_birth": [1970]}), persons)
    line = _fail([str(measurements), "--persons", str(persons), "--out", str(tmp_path / "o")])
    assert line == (
        f"error: {measurements}: missing column 'unit' (needs person_id, test, value, unit, "
        "date; optional: reference_low, reference_high; 'unit' may also be named units, uom, "
        "unit_of_measure, result_unit, result_units)"
    )
    pq.write_table(pa.table({"person_id": [1], "sex": ["F"]}), persons)
    measurements_ok = tmp_path / "ok.csv"
    measurements_ok.write_text("person_id,test,value,unit,date\n1,ALP,30,U/L,2024-01-01\n")
    line = _fail([str(measurements_ok), "--persons", str(persons), "--out", str(tmp_path / "o")])
    assert "missing column 'birth_date' (or 'year_of_birth')" in line


@pytest.mark.parametrize("content", [b"not a parquet file", b"PAR1garbagePAR1"])
def test_an_unreadable_file_is_bad_input(tmp_path: Path, content: bytes) -> None:
    """A file the engine cannot read is bad input (exit code 2), not an internal error."""
    measurements = tmp_path / "m.parquet"
    measurements.write_bytes(content)
    persons = tmp_path / "p.csv"
    persons.write_text("person_id,sex,birth_date\n1,F,1970-01-01\n")
    line = _fail([str(measurements), "--persons", str(persons), "--out", str(tmp_path / "o")])
    assert "cannot read" in line


def test_no_usable_row_is_bad_input_and_rejects_are_still_written(tmp_path: Path) -> None:
    """When no row can be used the run stops with exit code 2, after writing the rejects."""
    measurements = tmp_path / "m.csv"
    measurements.write_text("person_id,test,value,unit,date\n1,ALP,30,IU/mL,2024-01-01\n")
    persons = tmp_path / "p.csv"
    persons.write_text("person_id,sex,birth_date\n1,F,1970-01-01\n")
    out = tmp_path / "o"
    line = _fail([str(measurements), "--persons", str(persons), "--out", str(out)])
    assert "no usable measurement" in line
    (row,) = pq.read_table(out / "rejects.parquet").to_pylist()
    assert row["reason"] == "unknown unit"
