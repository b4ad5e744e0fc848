"""``alkphos intervals derive``: one screening pass, per-stratum histograms, fitted intervals.

The inputs are synthetic warehouses (flat tables and OMOP) whose non-pathological ALP is
known: women 28 to <38 years log-normal with median 70 U/L and log-sd 0.22 (limits 45.5
and 107.7 U/L), mixed with 10% pathological highs; too few men to fit; a duplicate, a
row in an unknown unit and a person of unknown sex, each of which must be accounted for.
"""

from __future__ import annotations

import csv
import math
import random
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from alkphos import Knowledge
from alkphos.cli import app
from alkphos.intervals.derive import DeriveOptions, run_derive
from alkphos.intervals.histograms import UNSTRATIFIED, count_histograms
from alkphos.intervals.labfile import parse_file
from alkphos.intervals.strata import parse_partition, strata
from alkphos.screening.inputs import read_flat, read_omop
from tests.screening.conftest import Runner

RUN = CliRunner()
ON = date(2024, 3, 1)
WOMEN, MEN = 1100, 60
MEDIAN, LOG_SD = 70.0, 0.22
TRUE_LOW = MEDIAN * math.exp(-1.959964 * LOG_SD)
TRUE_HIGH = MEDIAN * math.exp(1.959964 * LOG_SD)
ALP_CONCEPT = 3035995


def _people(seed: int = 11) -> list[dict[str, Any]]:
    """Persons with one ALP each (whole U/L): women 28-37 years, a few men, one unknown."""
    rng = random.Random(seed)
    people = []
    for pid in range(1, WOMEN + MEN + 2):
        sex = "female" if pid <= WOMEN else "male" if pid <= WOMEN + MEN else "unknown"
        age = rng.randint(28, 37)
        birth = date(ON.year - age - 1, rng.randint(4, 12), rng.randint(1, 28))
        if rng.random() < 0.10:
            value = rng.uniform(150, 400)  # pathological
        else:
            value = MEDIAN * math.exp(rng.gauss(0, LOG_SD))
        people.append({"pid": pid, "sex": sex, "birth": birth, "value": float(round(value))})
    return people


def write_flat(folder: Path) -> tuple[Path, Path]:
    """measurements.csv (with a duplicate and a row in an unknown unit) and persons.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    people = _people()
    measurements, persons = folder / "measurements.csv", folder / "persons.csv"
    with measurements.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["person_id", "test", "value", "unit", "date"])
        for p in people:
            out.writerow([p["pid"], "ALP", p["value"], "U/L", ON.isoformat()])
        first = people[0]
        out.writerow([first["pid"], "Alk Phos", first["value"], "IU/L", ON.isoformat()])
        out.writerow([2, "ALP", 80, "mg/dL", ON.isoformat()])
    with persons.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["person_id", "birth_date", "sex"])
        for p in people:
            out.writerow(
                [p["pid"], p["birth"].isoformat(), p["sex"] if p["sex"] != "unknown" else ""]
            )
    return measurements, persons


def write_omop(folder: Path) -> Path:
    """The same people as an OMOP CDM folder (CSV: PERSON, MEASUREMENT, CONCEPT)."""
    folder.mkdir(parents=True, exist_ok=True)
    people = _people()
    gender = {"female": 8532, "male": 8507, "unknown": 0}
    with (folder / "PERSON.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "person_id",
                "gender_concept_id",
                "year_of_birth",
                "month_of_birth",
                "day_of_birth",
                "gender_source_value",
            ]
        )
        for p in people:
            b = p["birth"]
            out.writerow([p["pid"], gender[p["sex"]], b.year, b.month, b.day, ""])
    with (folder / "MEASUREMENT.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "measurement_id",
                "person_id",
                "measurement_concept_id",
                "measurement_date",
                "value_as_number",
                "unit_concept_id",
                "unit_source_value",
                "measurement_source_value",
            ]
        )
        for p in people:
            out.writerow(
                [p["pid"], p["pid"], ALP_CONCEPT, ON.isoformat(), p["value"], 0, "U/L", "6768-6"]
            )
    with (folder / "CONCEPT.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["concept_id", "concept_name", "vocabulary_id", "concept_code"])
        out.writerow([ALP_CONCEPT, "Alkaline phosphatase", "LOINC", "6768-6"])
    return folder


def _derive(out: Path, **inputs: Any) -> Any:
    return run_derive(
        DeriveOptions(
            out=out,
            bootstrap=10,
            quiet=True,
            **{"measurements": None, "persons": None, "omop": None, **inputs},
        ),
        created=date(2024, 3, 2),
    )


def _check_outputs(out: Path, derived: Any) -> None:
    assert sorted(p.name for p in out.iterdir()) == [
        "intervals.yaml",
        "rejects.parquet",
        "report.html",
    ]
    loaded = parse_file((out / "intervals.yaml").read_text(encoding="utf-8"))
    assert loaded == derived.intervals
    assert [i.id for i in loaded.intervals] == ["alp.female.28y-38y"]
    entry = loaded.intervals[0]
    assert entry.basis.method == "indirect"
    assert entry.basis.n == WOMEN  # the duplicate counted once
    assert entry.basis.date_from == entry.basis.date_to == ON
    assert entry.basis.lower_ci is not None
    assert entry.basis.upper_ci is not None
    assert entry.basis.lower_ci[0] <= entry.low <= entry.basis.lower_ci[1]
    assert abs(entry.low - TRUE_LOW) < 5, entry
    assert abs(entry.high - TRUE_HIGH) < 10, entry
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "men 28 to &lt;38 years" in html
    assert f"too few results: {MEN}" in html
    assert "<svg" in html
    assert "<polyline" in html
    assert "alp.labplus.female.22y-50y" in html  # the knowledge base beside the estimate
    assert derived.unstratified == 1


def test_derive_flat_tables(tmp_path: Path) -> None:
    """Flat tables: one interval fitted near the true limits; the small stratum listed."""
    measurements, persons = write_flat(tmp_path / "in")
    out = tmp_path / "out"
    derived = _derive(out, measurements=measurements, persons=persons, origin="lab A 2024")
    _check_outputs(out, derived)
    assert (
        parse_file((out / "intervals.yaml").read_text()).intervals[0].basis.origin == "lab A 2024"
    )
    rejects = pq.read_table(out / "rejects.parquet").to_pylist()
    assert sorted(r["reason"] for r in rejects) == ["duplicate", "unknown unit"]
    assert derived.rows["balanced"]
    small = [fit for fit in derived.fits if fit.estimate is None]
    assert [(f.stratum.id, f.n) for f in small] == [("male.28y-38y", MEN)]


def test_derive_omop(tmp_path: Path) -> None:
    """An OMOP folder gives the same intervals file as the flat tables."""
    folder = write_omop(tmp_path / "omop")
    derived = _derive(tmp_path / "out", omop=folder)
    assert derived.intervals is not None
    measurements, persons = write_flat(tmp_path / "flat")
    flat = _derive(tmp_path / "flat-out", measurements=measurements, persons=persons)
    assert flat.intervals is not None
    assert [(i.low, i.high, i.basis.n) for i in derived.intervals.intervals] == [
        (i.low, i.high, i.basis.n) for i in flat.intervals.intervals
    ]


def test_derive_cli_progress_and_summary(tmp_path: Path) -> None:
    """Progress lines on stderr, a summary on stdout; --quiet prints neither."""
    measurements, persons = write_flat(tmp_path / "in")
    args = [
        "intervals",
        "derive",
        str(measurements),
        "--persons",
        str(persons),
        "--bootstrap",
        "5",
        "--out",
        str(tmp_path / "out"),
    ]
    done = RUN.invoke(app, args)
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("1 interval(s) estimated of 2 strata with results (1 not fitted")
    lines = done.stderr.splitlines()
    assert lines[0] == "deriving 1/6: checking every row"
    assert "  fitting 1/2: women 28 to <38 years (n = 1,100)" in lines
    assert lines[-1] == "deriving 6/6: writing the results"
    quiet = RUN.invoke(app, [*args, "--quiet"])
    assert quiet.exit_code == 0
    assert quiet.stdout == ""
    assert quiet.stderr == ""


def test_all_strata_too_small_is_an_error_with_the_report(tmp_path: Path) -> None:
    """Narrow bands leave every stratum too small: exit 2, one line; report.html says why."""
    measurements, persons = write_flat(tmp_path / "in")
    out = tmp_path / "out"
    done = RUN.invoke(
        app,
        [
            "intervals",
            "derive",
            str(measurements),
            "--persons",
            str(persons),
            "--partition",
            "1y",
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert done.exit_code == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("error: ")
    assert "no stratum could be fitted" in done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["rejects.parquet", "report.html"]
    assert "too few results" in (out / "report.html").read_text()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--partition", "ten"], "--partition: not a partition: 'ten'"),
        (["--partition", "40,30"], "--partition: cut points not increasing"),
        (["--engine", "oracle"], "--engine: unknown engine 'oracle'"),
        (["--persons", None], "--persons: a measurements table needs a persons table"),
        (["--out", None], "--out: no output folder given"),
    ],
)
def test_bad_options_are_one_line_errors(tmp_path: Path, extra: list[Any], message: str) -> None:
    """A bad option is one ``error:`` line and exit 2, before any work."""
    measurements, persons = write_flat(tmp_path / "in")
    options = {"--persons": str(persons), "--out": str(tmp_path / "out")}
    if extra[1] is None:
        options.pop(extra[0])
        extra = []
    args = ["intervals", "derive", str(measurements)]
    for name, value in options.items():
        args += [name, value]
    done = RUN.invoke(app, [*args, *extra])
    assert done.exit_code == 2, done.output
    assert done.stderr.startswith(f"error: {message}"), done.stderr
    assert done.stderr.count("\n") == 1


def test_missing_column_is_one_line(tmp_path: Path) -> None:
    """A measurements file without a needed column names the file and the column."""
    bad = tmp_path / "m.csv"
    bad.write_text("person_id,test,value,date\n1,ALP,70,2024-01-01\n")
    _, persons = write_flat(tmp_path / "in")
    done = RUN.invoke(
        app,
        [
            "intervals",
            "derive",
            str(bad),
            "--persons",
            str(persons),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert done.exit_code == 2
    assert done.stderr.startswith(f"error: {bad}: missing column 'unit'")
    assert not (tmp_path / "out").exists()


@pytest.mark.slow  # Spark plans screening's row check in 15-30 s on a shared 2-core machine
@pytest.mark.parametrize("layout", ["flat", "omop"])
def test_duckdb_and_spark_give_the_same_histograms(
    runner: Runner, tmp_path: Path, kb: Knowledge, layout: str
) -> None:
    """The engines count the same (stratum, value, n, first, last) rows, in the same order."""
    every = strata(kb, "alp", parse_partition("10y"))
    tables = []
    for name in ("duckdb", "spark"):
        engine = runner.engine(name)
        try:
            if layout == "flat":
                measurements, persons = write_flat(tmp_path / "in")
                sources = read_flat(engine, measurements, persons)
            else:
                sources = read_omop(engine, write_omop(tmp_path / "omop"))
            out = tmp_path / name
            out.mkdir()
            counted = count_histograms(sources, engine, kb, "alp", every, out, lambda _: None)
        finally:
            engine.close()
        tables.append(counted.histogram)
    duck, spark = tables
    assert duck.schema == spark.schema
    assert duck.to_pylist() == spark.to_pylist()
    assert sum(duck.column("n").to_pylist()) == WOMEN + MEN + 1
    strata_seen = set(duck.column("stratum").to_pylist())
    assert UNSTRATIFIED in strata_seen
    assert len(strata_seen) == 3
