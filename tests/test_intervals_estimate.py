"""The reference-interval estimators (alkphos.intervals) and `alkphos intervals estimate`."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from alkphos.intervals import SampleError, estimate_direct, estimate_indirect
from alkphos.intervals.direct import rank_interval


def _mixture(seed: int, n: int, pathological: float) -> np.ndarray:
    """Log-normal non-pathological values (limits 37 and 120) with high values, whole numbers."""
    rng = np.random.default_rng(seed)
    healthy = np.exp(rng.normal(4.2, 0.3, round(n * (1 - pathological))))
    high = rng.normal(260, 70, round(n * pathological))
    values = np.concatenate([healthy, high[high > 0]])
    return np.round(values)


@pytest.mark.parametrize(("seed", "pathological"), [(1, 0.0), (2, 0.1), (3, 0.2)])
def test_indirect_recovers_known_limits_from_whole_numbers(seed: int, pathological: float) -> None:
    estimate = estimate_indirect(_mixture(seed, 20000, pathological), bootstrap=0)
    true_lower, true_upper = math.exp(4.2 - 1.96 * 0.3), math.exp(4.2 + 1.96 * 0.3)
    assert abs(math.log(estimate.lower / true_lower)) < 0.3 * 0.5
    assert abs(math.log(estimate.upper / true_upper)) < 0.3 * 0.5
    assert estimate.model is not None
    assert estimate.model.share_nonpathological == pytest.approx(1 - pathological, abs=0.15)


def test_bootstrap_intervals_contain_the_estimate() -> None:
    estimate = estimate_indirect(_mixture(4, 5000, 0.1), bootstrap=10)
    assert estimate.lower_ci[0] <= estimate.lower <= estimate.lower_ci[1]
    assert estimate.upper_ci[0] <= estimate.upper <= estimate.upper_ci[1]


def test_too_small_non_numeric_and_flat_samples_are_refused() -> None:
    with pytest.raises(SampleError, match="too few values"):
        estimate_indirect(_mixture(5, 500, 0.0))
    with pytest.raises(SampleError, match="not all numbers"):
        estimate_indirect(["12", "abc"] * 600)
    with pytest.raises(SampleError, match="distinct"):
        estimate_indirect([70.0] * 2000)
    flat = np.round(np.random.default_rng(6).uniform(10, 200, 5000))
    with pytest.raises(SampleError, match="no identifiable non-pathological mode"):
        estimate_indirect(flat)


def test_direct_method_ranks_follow_ep28() -> None:
    assert rank_interval(120, 0.025) == (1, 7)
    assert rank_interval(120, 0.975) == (114, 120)
    estimate = estimate_direct(list(range(1, 121)))
    assert (estimate.lower, estimate.upper) == (pytest.approx(3.025), pytest.approx(117.975))
    assert estimate.lower_ci == (1.0, 7.0)
    with pytest.raises(SampleError, match="at least 120"):
        estimate_direct(list(range(119)))


def test_cli_estimate_jsonl_and_bad_file(tmp_path: Path) -> None:
    good = tmp_path / "values.csv"
    good.write_text("alp\n" + "\n".join(str(int(v)) for v in _mixture(7, 3000, 0.1)) + "\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("1\n2\nx\n")
    run = [sys.executable, "-m", "alkphos", "intervals", "estimate"]
    out = subprocess.run(
        [*run, str(good), "--format", "jsonl", "--bootstrap", "5"],
        capture_output=True,
        text=True,
        check=True,
    )
    record = json.loads(out.stdout.strip())
    assert list(record) == [
        "file",
        "n",
        "lower",
        "upper",
        "lower_ci",
        "upper_ci",
        "method",
        "model",
    ]
    assert record["n"] == 3000
    assert record["lower"] < record["upper"]
    failed = subprocess.run([*run, str(bad)], capture_output=True, text=True)
    assert failed.returncode == 2
    assert failed.stderr.strip() == f"error: {bad}: line 3: not a number: 'x'"


def test_a_decimal_comma_is_named(tmp_path: Path) -> None:
    """A European export writes 45,3: the error says it looks like a decimal comma; two real
    columns get the plain message."""
    from alkphos.intervals.files import read_values

    comma = tmp_path / "comma.csv"
    comma.write_text("ALP\n45,3\n61,0\n")
    with pytest.raises(SampleError, match=r"line 2 has 2 columns .*'45,3': a decimal comma\? "):
        read_values(comma)
    columns = tmp_path / "columns.csv"
    columns.write_text("id,alp\nA7,45\n")
    with pytest.raises(SampleError) as raised:
        read_values(columns)
    assert "decimal comma" not in str(raised.value)
