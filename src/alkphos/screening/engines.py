"""The engines screening runs on: DuckDB (default, embedded) or Spark (local or a cluster).

Both run the same Ibis expressions. This module only connects, reads files, materialises
an intermediate table, and brings small results back as Arrow; the heavy libraries are
imported when an engine is made, never when alkphos starts.
"""

from __future__ import annotations

import gc
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from alkphos.errors import InputError
from alkphos.screening.files import csv_shape, parquet_parts

__all__ = ["Engine", "EngineName", "connect", "library_warnings_quiet"]

EngineName = Literal["duckdb", "spark"]
DEFAULT_MEMORY = "3GB"  # DuckDB's limit; the rest of the process needs a few hundred MB


@contextmanager
def library_warnings_quiet(collect: bool = False) -> Iterator[None]:
    """Silence warnings about the libraries' own internals: deprecations inside Ibis, DuckDB
    and PySpark, and PySpark's result sockets, which it leaves to the garbage collector
    (collected here, so a run under ``-W error`` tests alkphos and not its libraries)."""
    with warnings.catch_warnings():
        for module in (r"ibis(\..*)?", r"_?duckdb(\..*)?", r"pyspark(\..*)?"):
            warnings.filterwarnings("ignore", category=DeprecationWarning, module=module)
            warnings.filterwarnings("ignore", category=FutureWarning, module=module)
        warnings.filterwarnings("ignore", category=ResourceWarning)
        try:
            yield
        finally:
            if collect:
                gc.collect()


@dataclass
class Engine:
    """An Ibis backend and what screening needs from it."""

    name: EngineName
    con: Any
    session: Any = None  # the SparkSession, for Spark
    owns_session: bool = False
    scratch: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="alkphos-")))
    _count: int = 0

    def read_parquet(self, path: Path) -> Any:
        """A lazy table over a Parquet file (or the Parquet files directly in a folder)."""
        with library_warnings_quiet(self.name == "spark"):
            if path.is_dir():
                parts = [str(part) for part in parquet_parts(path)]
                return self.con.read_parquet(parts if self.name == "duckdb" else str(path))
            return self.con.read_parquet(str(path))

    def read_csv(self, path: Path) -> Any:
        """A lazy table over a CSV file with a header, every column read as text; a row with
        more or fewer fields than the header is an error (when the rows are read)."""
        shape = csv_shape(path)
        with library_warnings_quiet(self.name == "spark"):
            if self.name == "duckdb":
                return self.con.read_csv(
                    str(path),
                    header=True,
                    delim=shape.delimiter,
                    quote='"',
                    escape='"',
                    columns=dict.fromkeys(shape.columns, "VARCHAR"),
                    auto_detect=False,
                )
            return self.con.read_csv(str(path), header=True, inferSchema=False, sep=shape.delimiter)

    def table(self, name: str, database: tuple[str, str] | None = None) -> Any:
        """A table the engine already knows, by name."""
        with library_warnings_quiet(self.name == "spark"):
            return self.con.table(name, database=database)

    def materialise(self, expr: Any) -> Any:
        """Compute ``expr`` once and keep it (a temporary table, or a checkpointed frame)."""
        self._count += 1
        name = f"alkphos_step_{self._count}"
        with library_warnings_quiet(self.name == "spark"):
            sql = self._sql(expr)
            if self.name == "duckdb":
                self.con.raw_sql(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {sql}')
                return self.con.table(name)
            # A local checkpoint computes the rows now and cuts the lineage, so later
            # queries plan against a small leaf instead of re-analysing every step before.
            frame = self.session.sql(sql).localCheckpoint(eager=True)
            frame.createOrReplaceTempView(name)
            return self.con.table(name)

    def to_arrow(self, expr: Any) -> Any:
        """Execute ``expr`` and return an Arrow table with the expression's schema."""
        schema = expr.schema().to_pyarrow()
        with library_warnings_quiet(self.name == "spark"):
            if self.name == "duckdb":
                table = self.con.con.sql(self._sql(expr)).to_arrow_table()
            else:
                table = self.session.sql(self._sql(expr)).toArrow()
        return table.rename_columns(schema.names).cast(schema)

    def to_batches(self, expr: Any) -> Iterator[Any]:
        """Execute ``expr`` and yield Arrow record batches with the expression's schema
        (streamed on DuckDB, so a large result never sits in memory at once)."""
        schema = expr.schema().to_pyarrow()
        if self.name != "duckdb":
            yield from self.to_arrow(expr).to_batches(max_chunksize=500_000)
            return
        with library_warnings_quiet():
            reader = self.con.con.sql(self._sql(expr)).to_arrow_reader(500_000)
        for batch in reader:
            yield batch.rename_columns(schema.names).cast(schema)

    def _sql(self, expr: Any) -> str:
        """The SQL of ``expr``, with its in-memory tables registered first."""
        self.con._run_pre_execute_hooks(expr)
        return str(self.con.compile(expr))

    def scalar(self, expr: Any) -> Any:
        """Execute a scalar expression and return a Python value."""
        table = self.to_arrow(expr.name("value").as_table())
        return table.column(0)[0].as_py()

    def close(self) -> None:
        """Release the connection (and the Spark session, if this engine started it), and
        delete the scratch folder."""
        if self.name == "duckdb":
            self.con.disconnect()
        elif self.owns_session:
            self.session.stop()
        shutil.rmtree(self.scratch, ignore_errors=True)


def connect(
    name: EngineName = "duckdb",
    spark_master: str | None = None,
    session: Any = None,
    memory_limit: str | None = None,
) -> Engine:
    """Start an engine.

    Args:
        name: ``duckdb`` or ``spark``.
        spark_master: Spark master URL (default ``local[2]``).
        session: an existing SparkSession to use instead of starting one.
        memory_limit: DuckDB memory limit (default ``ALKPHOS_DUCKDB_MEMORY`` or 3GB).

    Raises:
        InputError: the engine's library is not installed.
    """
    try:
        import ibis  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - the screening extra is missing
        raise InputError(
            "--engine", "screening needs Ibis", "pip install 'alkphos[screening]'"
        ) from exc
    if name == "duckdb":
        # In memory, under a memory limit: past it DuckDB spills intermediate tables and
        # hash tables to the scratch folder instead of growing.
        scratch = Path(tempfile.mkdtemp(prefix="alkphos-duckdb-"))
        con = ibis.duckdb.connect()
        con.raw_sql(f"SET temp_directory = '{scratch / 'spill'}'")
        con.raw_sql("SET preserve_insertion_order = false")
        con.raw_sql("SET enable_progress_bar = false")
        limit = memory_limit or os.environ.get("ALKPHOS_DUCKDB_MEMORY", DEFAULT_MEMORY)
        con.raw_sql(f"SET memory_limit = '{limit}'")
        return Engine(name="duckdb", con=con, scratch=scratch)
    owns = False
    if session is None:
        from pyspark.sql import SparkSession

        session = SparkSession.getActiveSession() if spark_master is None else None
        if session is None:
            session = spark_session(spark_master or "local[2]")
            owns = True
    con = ibis.pyspark.connect(session)

    def register(op: Any) -> None:
        # Ibis goes through pandas, which turns a null string into "NaN" and a null number
        # into NaN; Spark 4 reads Arrow directly and keeps nulls null.
        table = op.data.to_pyarrow(op.schema)
        session.createDataFrame(table).createOrReplaceTempView(op.name)

    con._register_in_memory_table = register
    return Engine(name="spark", con=con, session=session, owns_session=owns)


def spark_session(master: str) -> Any:
    """A SparkSession for screening: UTC, few shuffle partitions, Spark logging errors only
    (from the JVM's start, see ``spark_quiet``)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    try:
        from pyspark import SparkConf, SparkContext
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - the screening extra is missing
        raise InputError(
            "--engine", "Spark needs pyspark", "pip install 'alkphos[screening]'"
        ) from exc
    from alkphos.screening.spark_quiet import log4j2_option, quiet_gateway

    conf = (
        SparkConf()
        .setMaster(master)
        .setAppName("alkphos-screen")
        .set("spark.sql.session.timeZone", "UTC")
        .set("spark.sql.shuffle.partitions", "4")
        .set("spark.ui.enabled", "false")
        .set("spark.ui.showConsoleProgress", "false")
        .set("spark.sql.ansi.enabled", "false")
        # The screening expressions (knowledge written into CASEs) are too big for one
        # whole-stage Java method; Spark would log a compile error and fall back anyway.
        .set("spark.sql.codegen.wholeStage", "false")
        .set("spark.driver.extraJavaOptions", log4j2_option())
    )
    if SparkContext._active_spark_context is None:
        SparkContext(conf=conf, gateway=quiet_gateway(conf))
    session = SparkSession.builder.config(conf=conf).getOrCreate()
    session.sparkContext.setLogLevel("FATAL")
    return session
