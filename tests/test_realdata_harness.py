"""The real-data harness (benchmarks/realdata.py) reads both extract formats and counts right.

The shared NHANES and ILPD data are not needed: a few NHANES-format rows are written here,
and ILPD's test copy (tests/data/ilpd) stands in for the shared one.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from alkphos import Knowledge

ROOT = Path(__file__).resolve().parents[1]
HEADER = (
    "SEQN,RIAGENDR,RIDAGEYR,RIDEXPRG,RIDRETH3,WTMEC2YR,SDMVPSU,SDMVSTRA,LBXSAPSI,LBXSATSI,"
    "LBXSASSI,LBXSGTSI,LBXSTB,LBXSAL,LBXSCA,LBXSPH,LBXSCR"
)


@pytest.fixture(scope="module")
def realdata() -> ModuleType:
    spec = importlib.util.spec_from_file_location("realdata", ROOT / "benchmarks" / "realdata.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["realdata"] = module
    spec.loader.exec_module(module)
    return module


def _nhanes(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "nhanes.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_nhanes_rows_become_cases_and_pregnant_or_missing_are_counted(
    realdata: ModuleType, tmp_path: Path, kb: Knowledge
) -> None:
    path = _nhanes(
        tmp_path,
        [
            # a 66-year-old woman, ALP 300 with normal liver tests: high
            "1,2,66,,3,1,1,1,300,20,22,20,0.5,4.2,9.5,3.5,0.8",
            # a 40-year-old man, ALP 20: low; GGT missing is fine
            "2,1,40,,3,1,1,1,20,20,22,,0.5,4.2,9.5,3.5,0.9",
            # no ALP, and a pregnant woman: left out, and said so
            "3,1,40,,3,1,1,1,,20,22,20,0.5,4.2,9.5,3.5,0.9",
            "4,2,30,1,3,1,1,1,150,20,22,20,0.5,4.2,9.5,3.5,0.7",
        ],
    )
    tallies, left_out = realdata.run(realdata.read_nhanes(path), kb)
    assert left_out == {"no ALP": 1, "pregnant (no gestational week in NHANES)": 1}
    women = tallies[("NHANES 2017-2018", "female", "60+")]
    men = tallies[("NHANES 2017-2018", "male", "18-59")]
    assert (women.n, women.high, women.low) == (1, 1, 0)
    assert (men.n, men.high, men.low) == (1, 0, 1)
    assert women.ranked == 1
    assert sum(women.top.values()) == 1
    lines = realdata.report(tallies, 3)
    assert any("female 60+" in line and line.rstrip().endswith("NO") for line in lines)


def test_ilpd_copy_is_read_whole_with_cr_line_endings(realdata: ModuleType) -> None:
    records = list(realdata.read_ilpd(ROOT / "tests" / "data" / "ilpd" / "ILPD.csv"))
    assert len(records) == 583
    assert sum(r.sex == "male" for r in records) == 441
    assert all(any(t["test"] == "ALP" for t in r.case["results"]) for r in records)


def test_missing_data_folder_is_a_clear_error(
    realdata: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert realdata.main(["--data", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("error: data not found:")


@pytest.mark.parametrize(
    ("age", "group"), [(12.0, "<18"), (17.9, "<18"), (18.0, "18-59"), (59.9, "18-59"), (60, "60+")]
)
def test_age_groups(realdata: ModuleType, age: float, group: str) -> None:
    assert realdata.age_group(age) == group
