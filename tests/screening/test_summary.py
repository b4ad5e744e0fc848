"""The report's ALP distribution: percentiles read off 1 U/L bins agree with exact ones."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from alkphos.screening.summary import TOP_BIN, summarise


def _bins(values: list[float], band: str, sex: str) -> list[dict[str, Any]]:
    """What ``distribution`` computes for one band and sex, in plain Python."""
    counts: dict[int, int] = {}
    for value in values:
        key = math.floor(min(value, TOP_BIN))
        counts[key] = counts.get(key, 0) + 1
    return [
        {
            "band": band,
            "sex": sex,
            "bin": key,
            "n": n,
            "n_below": 0,
            "n_above": 0,
            "lln_sum": 35.0 * n,
            "lln_n": n,
            "uln_sum": None,
            "uln_n": 0,
        }
        for key, n in counts.items()
    ]


def _nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@given(st.lists(st.floats(min_value=0, max_value=3000, allow_nan=False), min_size=1, max_size=300))
def test_percentiles_are_the_nearest_rank_to_the_bin(values: list[float]) -> None:
    (row,) = summarise(_bins(values, "18-29 y", "female"))
    assert row["n"] == len(values)
    for name, q in (("p025", 0.025), ("p25", 0.25), ("p50", 0.5), ("p75", 0.75), ("p975", 0.975)):
        exact = _nearest_rank(values, q)
        assert math.floor(exact) + 0.5 == row[name], (name, exact)
    assert row["p025"] <= row["p25"] <= row["p50"] <= row["p75"] <= row["p975"]
    assert row["lln"] == 35.0
    assert row["uln"] is None


def test_groups_are_kept_apart() -> None:
    rows = summarise(_bins([10, 20], "1-3 y", "male") + _bins([100], "1-3 y", "female"))
    assert [(r["sex"], r["n"], r["p50"]) for r in rows] == [("female", 1, 100.5), ("male", 2, 10.5)]
