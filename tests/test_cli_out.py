"""``interpret --out`` that cannot be written is one clear line (exit 2), not an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from alkphos.cli import app

RUN = CliRunner()
CASE = '{"patient": {}, "results": [{"test": "ALP", "value": 30, "unit": "U/L"}]}'


@pytest.mark.parametrize("extra", [[], ["--format", "pdf"], ["--format", "text"]])
def test_out_a_folder(tmp_path: Path, extra: list[str]) -> None:
    """Issue 17: --out naming a folder was "internal error: IsADirectoryError"."""
    case = tmp_path / "case.json"
    case.write_text(CASE)
    done = RUN.invoke(app, ["interpret", str(case), "--out", str(tmp_path), *extra])
    assert done.exit_code == 2
    assert (
        done.stderr
        == f"error: --out: {tmp_path} is a folder (a file name, e.g. {tmp_path / 'report'})\n"
    )


def test_out_in_a_missing_folder(tmp_path: Path) -> None:
    """A path that cannot be written says so, with the system's reason."""
    case = tmp_path / "case.json"
    case.write_text(CASE)
    out = tmp_path / "nowhere" / "x.json"
    done = RUN.invoke(app, ["interpret", str(case), "--out", str(out)])
    assert done.exit_code == 2
    assert done.stderr == f"error: --out: cannot write {out} (No such file or directory)\n"


def test_batch_out_a_folder_fails_before_any_work(tmp_path: Path) -> None:
    """The batch's --out is checked before the first case."""
    batch = tmp_path / "cases.jsonl"
    batch.write_text(CASE + "\n")
    done = RUN.invoke(app, ["interpret", "--batch", str(batch), "--out", str(tmp_path)])
    assert done.exit_code == 2
    assert "is a folder" in done.stderr
