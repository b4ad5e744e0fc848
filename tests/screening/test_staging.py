"""Screening output is moved into ``--out`` only when the run ends: never half a run."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from alkphos.cli import app
from alkphos.errors import InputError
from alkphos.screening.staging import OUTPUTS, staged

RUN = CliRunner()
MEASUREMENTS = """person_id,test,value,unit,date
1,ALP,30,U/L,2024-01-01
1,ALP,28,U/L,2024-03-01
2,ALP,80,U/L,2024-02-01
2,ALP,20,IU/mL,2024-02-01
"""
PERSONS = "person_id,sex,birth_date\n1,F,1970-01-01\n2,M,1980-01-01\n"


class _Stop(Exception):
    """A failure in the middle of a run."""


def _previous_run(out: Path) -> dict[str, str]:
    out.mkdir()
    files = {name: f"old {name}" for name in OUTPUTS if name != "explain"}
    for name, text in files.items():
        (out / name).write_text(text)
    (out / "explain").mkdir()
    (out / "explain" / "1.json").write_text("{}")
    (out / "notes.txt").write_text("mine")
    return files


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".partial")]


def test_a_failed_run_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    """Half of a run's files never replace a previous run's."""
    out = tmp_path / "out"
    files = _previous_run(out)

    def half_a_run() -> None:
        with staged(out) as staging:
            (staging / "rejects.parquet").write_text("new")
            raise _Stop

    with pytest.raises(_Stop):
        half_a_run()
    assert {name: (out / name).read_text() for name in files} == files
    assert (out / "explain" / "1.json").exists()
    assert _leftovers(tmp_path) == []


def test_a_finished_run_replaces_every_output_and_keeps_other_files(tmp_path: Path) -> None:
    """Outputs of the earlier run that this one did not write (explain/) are removed."""
    out = tmp_path / "out"
    _previous_run(out)
    with staged(out) as staging:
        (staging / "worklist.csv").write_text("new")
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "worklist.csv"]
    assert (out / "worklist.csv").read_text() == "new"
    assert _leftovers(tmp_path) == []


def test_a_new_folder_is_the_staging_folder_renamed(tmp_path: Path) -> None:
    """Without an earlier folder, the run's folder appears whole (one rename)."""
    out = tmp_path / "new"
    with staged(out) as staging:
        (staging / "funnel.json").write_text("{}")
        assert not out.exists()
    assert [p.name for p in out.iterdir()] == ["funnel.json"]
    assert _leftovers(tmp_path) == []


def test_out_that_is_a_file_is_refused_before_any_work(tmp_path: Path) -> None:
    """--out naming a file is bad input, not an internal error."""
    out = tmp_path / "results.csv"
    out.write_text("x")
    with pytest.raises(InputError, match="is a file, not a folder"), staged(out):
        pytest.fail("the block ran")  # pragma: no cover


def test_no_usable_row_says_why_exits_2_and_leaves_only_its_rejects(tmp_path: Path) -> None:
    """Issue 17: --as-of 0001-01-01 rejected every row and exited 0, beside the old worklist."""
    (tmp_path / "m.csv").write_text(MEASUREMENTS)
    (tmp_path / "p.csv").write_text(PERSONS)
    out = tmp_path / "out"
    args = ["screen", str(tmp_path / "m.csv"), "--persons", str(tmp_path / "p.csv")]
    done = RUN.invoke(app, [*args, "--out", str(out), "--quiet"])
    assert done.exit_code == 0, done.output
    assert (out / "worklist.parquet").exists()
    (out / "notes.txt").write_text("mine")

    done = RUN.invoke(app, [*args, "--out", str(out), "--quiet", "--as-of", "0001-01-01"])
    assert done.exit_code == 2, done.output
    assert done.stderr.strip() == (
        f"error: {tmp_path / 'm.csv'}: no usable measurement of ALP or a companion test; "
        "4 rows rejected: 4 after as-of date (rows need a known person, a date on or before "
        "the as-of date, a value and an accepted unit; see rejects.parquet)"
    )
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "rejects.parquet"]
    reasons = pq.read_table(out / "rejects.parquet").column("reason").to_pylist()
    assert reasons == ["after as-of date"] * 4
    assert _leftovers(tmp_path) == []
