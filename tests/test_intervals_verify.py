"""``alkphos intervals verify``: the EP28-A3c transference rule (2 of 20 keep, 3 or 4 test
a second 20, more replace), the indirect estimate's confidence intervals, per stratum."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from alkphos import load_knowledge
from alkphos.cli import app
from alkphos.intervals.verify import Stratum, interval_for, transference, verify
from tests.lab_intervals import FILE_HIGH, FILE_LOW, KB_HIGH, KB_LOW, write_lab_file

RUN = CliRunner()
# Twenty values inside the knowledge base's interval for women 22 to <50 (40-110 U/L),
# the limits themselves included (a value on a limit is inside).
INSIDE = [40, 45, 50, 55, 60, 62, 65, 68, 70, 72, 75, 78, 80, 82, 85, 88, 90, 95, 100, 110]


def _with_outside(count: int, base: list[int] = INSIDE) -> list[float]:
    """The first 20 values with ``count`` of them replaced by values outside (alternately
    below and above)."""
    values: list[float] = [float(v) for v in base]
    for i in range(count):
        values[i] = KB_LOW - 1 if i % 2 == 0 else KB_HIGH + 1
    return values


def _stratum(reference: list[float]) -> Stratum:
    kb = load_knowledge()
    interval = interval_for(kb, "alp", "female", 40)
    assert interval is not None
    assert (interval.low, interval.high) == (KB_LOW, KB_HIGH)
    return Stratum(label="women", interval=interval, reference=reference)


@pytest.mark.parametrize(
    ("outside", "outcome", "decision"),
    [
        (0, "pass", "keep"),
        (2, "pass", "keep"),
        (3, "retest", "test 20 more"),
        (4, "retest", "test 20 more"),
        (5, "fail", "replace"),
    ],
)
def test_first_set_of_20(outside: int, outcome: str, decision: str) -> None:
    [verdict] = verify(load_knowledge(), [_stratum(_with_outside(outside))])
    assert verdict.transference is not None
    assert verdict.transference.first_outside == outside
    assert verdict.transference.outcome == outcome
    assert verdict.decision == decision


@pytest.mark.parametrize(("second", "decision"), [(0, "keep"), (2, "keep"), (3, "replace")])
def test_a_second_20_decides_after_3_outside(second: int, decision: str) -> None:
    values = _with_outside(3) + _with_outside(second)
    [verdict] = verify(load_knowledge(), [_stratum(values)])
    assert verdict.transference is not None
    assert (verdict.transference.first_outside, verdict.transference.second_outside) == (
        3,
        second,
    )
    assert verdict.decision == decision


def test_a_second_set_is_not_read_after_a_clear_first() -> None:
    """2 of the first 20 outside keep the interval whatever the next 20 say."""
    trans = transference(
        load_knowledge(), _with_outside(2) + _with_outside(20), _stratum([]).interval
    )
    assert (trans.outcome, trans.second_outside) == ("pass", None)


def test_a_failed_transference_with_120_values_is_replaced_by_the_direct_estimate() -> None:
    rng = np.random.default_rng(7)
    values = [float(v) for v in np.round(rng.normal(130, 15, 120))]
    [verdict] = verify(load_knowledge(), [_stratum(values)])
    assert verdict.decision == "replace"
    assert verdict.direct is not None
    assert verdict.replace_with == (verdict.direct.lower, verdict.direct.upper)
    assert "direct estimate (CLSI EP28-A3c) from 120" in (verdict.replacement_basis or "")


def _write(path: Path, values: list[float]) -> Path:
    path.write_text("\n".join(f"{v:g}" for v in values) + "\n", encoding="utf-8")
    return path


def _verify(*args: str) -> Any:
    return RUN.invoke(app, ["intervals", "verify", *args])


def test_cli_one_stratum_2_and_3_of_20(tmp_path: Path) -> None:
    two = _write(tmp_path / "two.csv", _with_outside(2))
    three = _write(tmp_path / "three.csv", _with_outside(3))
    done = _verify("--values", str(two), "--sex", "female", "--age", "40")
    assert done.exit_code == 0, done.output
    assert "2 of the first 20 reference values outside (1 below, 1 above)" in done.stdout
    assert done.stdout.rstrip().endswith("-> KEEP")
    done = _verify("--values", str(three), "--sex", "female", "--age", "40", "--format", "json")
    assert done.exit_code == 0, done.output
    [stratum] = json.loads(done.stdout)["strata"]
    assert stratum["decision"] == "test 20 more"
    assert stratum["transference"]["first_outside"] == 3
    assert stratum["interval"]["source"] == "knowledge base"


def test_cli_columns_give_a_stratum_per_interval_and_use_the_file(tmp_path: Path) -> None:
    """value, sex, age columns: women and men judged apart; with --intervals the women's
    interval is the file's (45-95), so values between its limits and the knowledge base's
    count as outside."""
    women = [float(v) for v in INSIDE]
    men = [30.0, 200.0, 30.0, 200.0, 30.0, *(float(v) for v in INSIDE[5:])]  # 5 outside 40-129
    rows = ["value,sex,age"]
    rows += [f"{v:g},F,40" for v in women] + [f"{v:g},M,40" for v in men]
    path = tmp_path / "reference.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    done = _verify("--values", str(path), "--format", "json")
    assert done.exit_code == 0, done.output
    strata = json.loads(done.stdout)["strata"]
    assert [s["decision"] for s in strata] == ["keep", "replace"]
    assert strata[1]["replace_with"] is None  # nothing to replace it with
    assert "establish one" in strata[1]["why"]
    lab = write_lab_file(tmp_path)
    done = _verify("--values", str(path), "--intervals", str(lab), "--format", "json")
    assert done.exit_code == 0, done.output
    women_file = json.loads(done.stdout)["strata"][0]
    assert (women_file["interval"]["low"], women_file["interval"]["high"]) == (FILE_LOW, FILE_HIGH)
    outside = sum(not FILE_LOW <= v <= FILE_HIGH for v in women)
    assert women_file["transference"]["first_outside"] == outside == 3
    assert women_file["decision"] == "test 20 more"


def test_cli_indirect_estimate_replaces_the_limit_outside_its_ci(tmp_path: Path) -> None:
    """Routine values whose healthy part runs from about 55 U/L: the lower limit in use (40)
    is outside the estimate's CI and is replaced by the estimate's; a limit inside its CI
    is kept."""
    rng = np.random.default_rng(3)
    healthy = np.exp(rng.normal(np.log(80), 0.18, 3000))
    sick = rng.uniform(150, 400, 300)
    routine = _write(
        tmp_path / "routine.csv", [float(v) for v in np.round(np.concatenate([healthy, sick]))]
    )
    args = ["--estimate", str(routine), "--sex", "female", "--age", "40", "--bootstrap", "10"]
    done = _verify(*args, "--format", "json")
    assert done.exit_code == 0, done.output
    [stratum] = json.loads(done.stdout)["strata"]
    estimate = stratum["indirect"]["estimate"]
    assert stratum["indirect"]["lower_inside_ci"] is False
    assert estimate["lower_ci"][0] > KB_LOW + 5
    upper_inside = estimate["upper_ci"][0] <= KB_HIGH <= estimate["upper_ci"][1]
    assert stratum["indirect"]["upper_inside_ci"] is upper_inside
    assert stratum["decision"] == "replace"
    assert stratum["replace_with"]["low"] == estimate["lower"]
    assert stratum["replace_with"]["high"] == (KB_HIGH if upper_inside else estimate["upper"])
    text = _verify(*args)
    assert "the lower limit in use (40) is outside the indirect estimate's 90% CI" in text.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "error: nothing to verify against: give --values FILE, --estimate FILE or both"),
        (["--values", "{few}", "--sex", "female"], "error: --sex and --age go together"),
        (
            ["--values", "{few}", "--sex", "female", "--age", "40"],
            "error: --values: 19 reference values; the EP28-A3c transference rule needs 20",
        ),
        (["--values", "{few}"], "error: {few}: one column: give --sex and --age"),
        (["--values", "{badsex}"], "error: {badsex}: line 3: sex 'X' is not female or male"),
        (
            ["--values", "{few}", "--sex", "female", "--age", "40", "--unit", "mg"],
            "error: --unit: 'mg'",
        ),
    ],
)
def test_cli_errors_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    files = {
        "few": str(_write(tmp_path / "few.csv", [float(v) for v in INSIDE[:19]])),
        "badsex": str(tmp_path / "badsex.csv"),
    }
    Path(files["badsex"]).write_text("value,sex,age\n70,F,40\n70,X,40\n", encoding="utf-8")
    done = _verify(*[a.format(**files) for a in args])
    assert done.exit_code == 2
    assert done.stderr.startswith(message.format(**files)), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
