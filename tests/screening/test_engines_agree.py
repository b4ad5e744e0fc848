"""Two engines, one answer: DuckDB and Spark write the same tables, row for row."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.screening.conftest import OUTPUTS, Runner
from tests.screening.population import AS_OF

CASES = [
    ("generated", "lln", AS_OF, True),
    ("generated", "tornero2020", AS_OF, False),
    ("generated", "maman2016", AS_OF, False),
    ("synthea-csv", "lln", None, False),
    ("synthea-parquet", "lln", None, False),
    ("synthea-parquet", "lln", date(2010, 1, 1), True),
    ("synthea-duckdb", "lln", None, False),
    ("ilpd", "lln", None, False),
]


@pytest.mark.parametrize(
    ("dataset", "criteria", "as_of", "explain"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
def test_duckdb_and_spark_write_identical_outputs(
    runner: Runner, dataset: str, criteria: str, as_of: date | None, explain: bool
) -> None:
    """Every output table has the same schema and the same rows in the same order."""
    duck = runner.run(dataset, "duckdb", criteria, as_of, explain)
    spark = runner.run(dataset, "spark", criteria, as_of, explain)
    for name in OUTPUTS:
        left, right = duck.table(name), spark.table(name)
        assert left.schema == right.schema, name
        assert left.to_pylist() == right.to_pylist(), name
    assert (duck.out / "worklist.csv").read_bytes() == (spark.out / "worklist.csv").read_bytes()
    funnels = [json.loads((run.out / "funnel.json").read_text()) for run in (duck, spark)]
    assert [f.pop("engine") for f in funnels] == ["duckdb", "spark"]
    assert funnels[0] == funnels[1]
    if explain:
        names = sorted(p.name for p in (duck.out / "explain").iterdir())
        assert names == sorted(p.name for p in (spark.out / "explain").iterdir())
        for name in names:
            assert (duck.out / "explain" / name).read_bytes() == (
                spark.out / "explain" / name
            ).read_bytes()


def test_synthea_csv_and_parquet_give_the_same_answer(runner: Runner, engine: str) -> None:
    """The two physical forms of Synthea27Nj (CSV text, Parquet with DECIMAL) agree."""
    csv = runner.run("synthea-csv", engine)
    parquet = runner.run("synthea-parquet", engine)
    for name in OUTPUTS:
        assert csv.rows(name) == parquet.rows(name), name
    assert csv.result.funnel["rows"] == parquet.result.funnel["rows"]
    assert csv.result.funnel["persons"] == parquet.result.funnel["persons"]
