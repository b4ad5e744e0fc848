"""``alkphos screen --intervals``: the laboratory file's limits go into the screening
tables (cached apart from the knowledge base's) and change who is persistently low."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
from typer.testing import CliRunner

from alkphos import load_knowledge
from alkphos.cli import app
from alkphos.intervals.labfile import dump_file
from alkphos.intervals.use import with_intervals
from alkphos.knowledge.schema import AgeBound
from alkphos.screening.tables import YEAR_KEY_BASE, KnowledgeTables
from tests.lab_intervals import FILE_HIGH, FILE_LOW, KB_LOW, lab_file, write_lab_file

RUN = CliRunner()
PERSONS = "person_id,sex,birth_date\n1,F,1980-01-01\n2,F,1980-01-01\n3,M,1980-01-01\n"
# 1: between the knowledge base's lower limit (40) and the file's (45); 2: below both;
# 3: a man (the file has no men) with the same values as 1.
MEASUREMENTS = (
    "person_id,test,value,unit,date\n"
    "1,ALP,42,U/L,2024-01-10\n1,ALP,43,U/L,2024-03-10\n"
    "2,ALP,35,U/L,2024-01-10\n2,ALP,36,U/L,2024-03-10\n"
    "3,ALP,42,U/L,2024-01-10\n3,ALP,43,U/L,2024-03-10\n"
)


def _persistent(tmp_path: Path, *extra: str) -> set[int]:
    measurements = tmp_path / "m.csv"
    measurements.write_text(MEASUREMENTS)
    persons = tmp_path / "p.csv"
    persons.write_text(PERSONS)
    out = tmp_path / ("out" + "-".join(extra).replace("/", "_"))
    args = ["screen", str(measurements), "--persons", str(persons), "--out", str(out), "--quiet"]
    done = RUN.invoke(app, [*args, *extra])
    assert done.exit_code == 0, done.output
    table = pq.read_table(out / "persistent.parquet")
    return {int(p) for p in table.column("person_id").to_pylist()}


def test_screen_with_intervals_changes_exactly_the_person_between_limits(
    tmp_path: Path,
) -> None:
    assert _persistent(tmp_path) == {2}
    lab = str(write_lab_file(tmp_path))
    assert _persistent(tmp_path, "--intervals", lab) == {1, 2}


def test_the_file_is_in_the_tables_and_their_cache_key() -> None:
    kb = load_knowledge()
    plain = KnowledgeTables.build(kb)
    merged = KnowledgeTables.build(with_intervals(kb, lab_file()))
    assert merged is not plain

    def limits(tables: KnowledgeTables, sex: str, years: int) -> tuple[float, float]:
        rows = tables.intervals.filter(
            pc.and_(
                pc.and_(
                    pc.equal(tables.intervals["analyte"], "alp"),
                    pc.equal(tables.intervals["sex"], sex),
                ),
                pc.equal(tables.intervals["age_key"], YEAR_KEY_BASE + years),
            )
        ).to_pylist()
        [row] = rows
        return row["ref_low"], row["ref_high"]

    assert limits(plain, "female", 40)[0] == KB_LOW
    assert limits(merged, "female", 40) == (FILE_LOW, FILE_HIGH)
    assert limits(merged, "male", 40) == limits(plain, "male", 40)
    assert limits(merged, "female", 10) == limits(plain, "female", 10)


def test_screen_refuses_a_bad_intervals_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("created: 2026-12-05\nintervals: []\n")
    measurements = tmp_path / "m.csv"
    measurements.write_text(MEASUREMENTS)
    persons = tmp_path / "p.csv"
    persons.write_text(PERSONS)
    args = ["screen", str(measurements), "--persons", str(persons), "--out", str(tmp_path / "o")]
    done = RUN.invoke(app, [*args, "--intervals", str(bad)])
    assert done.exit_code == 2
    assert done.stderr.startswith(f"error: --intervals: {bad}: intervals: ")


def test_screen_refuses_an_age_bound_its_tables_cannot_hold(tmp_path: Path) -> None:
    """Screening keys ages by whole years (days in the first year): a file entry from 18.5
    years is fine for interpret but refused by screen, naming the entry."""
    entry = lab_file().intervals[0].model_copy(update={"age_from": AgeBound(value=18.5, unit="y")})
    path = tmp_path / "half.yaml"
    path.write_text(dump_file(lab_file().model_copy(update={"intervals": [entry]})))
    measurements = tmp_path / "m.csv"
    measurements.write_text(MEASUREMENTS)
    persons = tmp_path / "p.csv"
    persons.write_text(PERSONS)
    args = ["screen", str(measurements), "--persons", str(persons), "--out", str(tmp_path / "o")]
    done = RUN.invoke(app, [*args, "--quiet", "--intervals", str(path)])
    assert done.exit_code == 2
    assert done.stderr == (
        "error: intervals file: interval 'lab.alp.female.18y': screening needs age bounds in "
        "whole years or in days under a year\n"
    )
