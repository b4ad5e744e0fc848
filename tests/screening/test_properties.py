"""Properties, on both engines: the three definitions of persistence against a plain-Python
reading of the papers, and the rounding to 6 significant figures against Python's."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ibis
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from alkphos import Knowledge
from alkphos.screening.persistence import Criteria, alp_results, per_person
from alkphos.screening.rows import tidy
from tests.conftest import scaled
from tests.screening.conftest import Runner

EXAMPLES = {"duckdb": 25, "spark": 3}
START = date(2023, 1, 1)

result = st.fixed_dictionaries(
    {
        "day": st.integers(min_value=0, max_value=6),
        "value": st.one_of(
            st.sampled_from([20.0, 34.9, 35.0, 35.1, 39.9, 40.0, 44.9, 45.0, 45.1, 80.0]),
            st.floats(min_value=1, max_value=200, allow_nan=False).map(lambda v: round(v, 1)),
        ),
        "age": st.sampled_from([None, 17, 18, 50]),
        "ref_low": st.sampled_from([None, 35.0, 40.0]),
        "ref_high": st.sampled_from([None, 104.0, 129.0]),
    }
)
population = st.lists(st.lists(result, min_size=1, max_size=5), min_size=1, max_size=8)


def _reference(series: list[dict[str, Any]], criteria: Criteria) -> bool | None:
    """The definitions as the papers state them; None: the person is not eligible."""
    if criteria is Criteria.tornero2020:
        series = [r for r in series if r["age"] is not None and r["age"] >= 18]
    if not series:
        return None
    if criteria is Criteria.tornero2020:
        low = [r["value"] <= 35 for r in series]
        high = [r["value"] > 45 for r in series]
    elif criteria is Criteria.maman2016:
        low = [r["value"] < 40 for r in series]
        high = [not flag for flag in low]
    else:
        low = [r["ref_low"] is not None and r["value"] < r["ref_low"] for r in series]
        high = [r["ref_high"] is not None and r["value"] > r["ref_high"] for r in series]
    days = {r["day"] for r, flag in zip(series, low, strict=True) if flag}
    return len(days) >= 2 and not any(high)


def _used(people: list[list[dict[str, Any]]]) -> Any:
    rows = [
        {
            "person_id": pid,
            "analyte": "alp",
            "date": START + timedelta(days=r["day"]),
            "value": r["value"],
            "ref_low": r["ref_low"],
            "ref_high": r["ref_high"],
            "age_years": r["age"],
            "sex": "female",
            "copies": 1,
        }
        for pid, series in enumerate(people)
        for r in _distinct(series)
    ]
    schema = pa.schema(
        [
            ("person_id", pa.int64()),
            ("analyte", pa.string()),
            ("date", pa.date32()),
            ("value", pa.float64()),
            ("ref_low", pa.float64()),
            ("ref_high", pa.float64()),
            ("age_years", pa.int64()),
            ("sex", pa.string()),
            ("copies", pa.int64()),
        ]
    )
    return ibis.memtable(pa.Table.from_pylist(rows, schema=schema))


def _distinct(series: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Used rows are de-duplicated: identical results count once."""
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in series:
        seen.setdefault((r["day"], r["value"], r["ref_low"], r["ref_high"], r["age"]), r)
    return list(seen.values())


def test_persistence_matches_the_published_definitions(
    runner: Runner, engine: str, kb: Knowledge
) -> None:
    """For random series around every threshold (35/45 inclusive or not, < 40, the LLN,
    age 18, same-day results), each preset flags exactly who the definition flags."""
    eng = runner.engine(engine)

    @settings(max_examples=scaled(EXAMPLES[engine]))
    @given(people=population)
    def check(people: list[list[dict[str, Any]]]) -> None:
        used = _used(people)
        for criteria in Criteria:
            found = eng.to_arrow(per_person(alp_results(used, kb, criteria), kb)).to_pylist()
            assert {row["person_id"] for row in found} == set(range(len(people)))  # tested
            assert not any(row["persistent"] for row in found if not row["n_alp"])
            flags = {row["person_id"]: row["persistent"] for row in found if row["n_alp"]}
            expected = {
                pid: flag
                for pid, series in enumerate(people)
                if (flag := _reference(_distinct(series), criteria)) is not None
            }
            assert flags == expected, criteria

    try:
        check()
    finally:
        eng.close()


def test_rounding_matches_the_per_patient_engine(runner: Runner, engine: str) -> None:
    """Converted values are rounded to 6 significant figures exactly as Python does."""
    eng = runner.engine(engine)

    @settings(max_examples=scaled(EXAMPLES[engine]))
    @given(
        values=st.lists(
            st.one_of(
                st.floats(min_value=1e-4, max_value=1e7, allow_nan=False),
                st.integers(min_value=1, max_value=20000).map(lambda n: n / 1000 * 60),
            ),
            min_size=1,
            max_size=50,
        )
    )
    def check(values: list[float]) -> None:
        table = ibis.memtable(pa.table({"v": pa.array(values, pa.float64())}))
        out = eng.to_arrow(table.select(t=tidy(table.v))).column("t").to_pylist()
        assert out == [float(f"{v:.6g}") for v in values]

    try:
        check()
    finally:
        eng.close()
