"""Screening fixtures: one Spark session for the whole run, and cached screening runs.

Every screening test runs on both engines (``engine`` is parametrised); a run is computed
once per (dataset, engine, criteria, as-of, explain) and shared by the tests that read it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from alkphos import Knowledge
from alkphos.screening.engines import Engine, connect
from alkphos.screening.inputs import Sources, read_flat, read_omop
from alkphos.screening.persistence import Criteria
from alkphos.screening.run import Screen, screen
from tests.screening import population
from tests.screening.ilpd import write_ilpd

DATA = Path(__file__).resolve().parents[1] / "data"
SYNTHEA = DATA / "synthea27nj-omop"
ILPD = DATA / "ilpd" / "ILPD.csv"
ENGINES = ("duckdb", "spark")
OUTPUTS = ("persistent", "worklist", "exclusions", "rejects")


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session (2 cores) for every Spark test."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from alkphos.screening.engines import spark_session

    session = spark_session("local[2]")
    # Test tables are tiny: one shuffle partition saves most of Spark's per-query overhead.
    session.conf.set("spark.sql.shuffle.partitions", "1")
    yield session
    session.stop()


@dataclass
class Run:
    """A finished screening run, its inputs and its engine (kept open for follow-up queries)."""

    result: Screen
    engine: Engine
    sources: Sources
    out: Path

    def table(self, name: str) -> pa.Table:
        """An output table as written."""
        return pq.read_table(self.out / f"{name}.parquet")

    def rows(self, name: str) -> list[dict[str, Any]]:
        """An output table's rows."""
        return self.table(name).to_pylist()


Reader = Callable[[Engine], Sources]


class Runner:
    """Runs and caches screens."""

    def __init__(self, spark: Any, folder: Path, kb: Knowledge) -> None:
        self._spark = spark
        self._folder = folder
        self._kb = kb
        self._runs: dict[tuple[Any, ...], Run] = {}
        self._data: dict[str, Any] = {}

    def engine(self, name: str) -> Engine:
        """A new engine (Spark reuses the session)."""
        if name == "spark":
            return connect("spark", session=self._spark(), memory_limit=None)
        return connect("duckdb")

    def dataset(self, name: str) -> Any:
        """Input files of a named dataset, written once."""
        if name not in self._data:
            self._data[name] = _DATASETS[name](self._folder / "data" / name)
        return self._data[name]

    def run(
        self,
        dataset: str,
        engine: str,
        criteria: str = "lln",
        as_of: date | None = None,
        explain: bool = False,
    ) -> Run:
        """Screen a dataset (cached)."""
        key = (dataset, engine, criteria, as_of, explain)
        if key not in self._runs:
            eng = self.engine(engine)
            sources = _reader(self.dataset(dataset))(eng)
            out = self._folder / "runs" / "-".join(str(k) for k in key)
            result = screen(
                sources, eng, self._kb, out, Criteria(criteria), as_of=as_of, explain=explain
            )
            self._runs[key] = Run(result=result, engine=eng, sources=sources, out=out)
        return self._runs[key]

    def close(self) -> None:
        """Close every engine (the shared Spark session stays up until the session ends)."""
        for run in self._runs.values():
            run.engine.close()


def _reader(data: Any) -> Reader:
    if isinstance(data, Path):
        return lambda engine: read_omop(engine, data)
    return lambda engine: read_flat(
        engine,
        data["measurements"],
        data["persons"],
        data.get("medications"),
        data.get("conditions"),
    )


def _generated(folder: Path) -> dict[str, Path]:
    people = population.curated() + population.random_people(300)
    return population.write(folder, people, population.UNKNOWN_PERSON_ROWS)


def _synthea_duckdb(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "synthea.duckdb"
    con = duckdb.connect(str(path))
    for table in ("measurement", "person", "drug_exposure", "condition_occurrence", "concept"):
        source = SYNTHEA / "parquet" / f"{table}.parquet"
        con.sql(f"CREATE TABLE {table} AS SELECT * FROM read_parquet('{source}')")
    con.close()
    return path


_DATASETS: dict[str, Callable[[Path], Any]] = {
    "generated": _generated,
    "synthea-csv": lambda folder: SYNTHEA / "csv",
    "synthea-parquet": lambda folder: SYNTHEA / "parquet",
    "synthea-duckdb": _synthea_duckdb,
    "ilpd": lambda folder: write_ilpd(ILPD, folder),
}


@pytest.fixture(scope="session")
def runner(spark: Any, tmp_path_factory: pytest.TempPathFactory, kb: Knowledge) -> Iterator[Runner]:
    """Cached screening runs for the whole test session."""
    folder = tmp_path_factory.mktemp("screening")
    made = Runner(lambda: spark, folder, kb)
    yield made
    made.close()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each screening test runs on DuckDB and on Spark."""
    return str(request.param)
