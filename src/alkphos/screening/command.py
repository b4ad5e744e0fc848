"""The body of ``alkphos screen``: check the options, show progress, run, summarise.

Kept here so the CLI module stays a thin Typer wrapper that imports nothing heavy.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from alkphos.errors import InputError
from alkphos.screening.files import ragged_row
from alkphos.screening.persistence import Criteria
from alkphos.screening.run import STEPS, Progress, Screen

__all__ = ["ScreenOptions", "check_sources", "run_screen"]


@dataclass(frozen=True)
class ScreenOptions:
    """The options of ``alkphos screen``, as given."""

    measurements: Path | None
    persons: Path | None
    medications: Path | None
    conditions: Path | None
    omop: Path | None
    out: Path | None
    engine: str
    spark_master: str | None
    criteria: str
    as_of: date | None
    explain: bool
    quiet: bool
    intervals: Path | None = None
    """A laboratory's intervals file, used in place of the knowledge base's intervals."""


_OMOP_TABLES = {
    "persons": "PERSON",
    "medications": "DRUG_EXPOSURE",
    "conditions": "CONDITION_OCCURRENCE",
}


def check_sources(
    command: str,
    *,
    out: Path | None,
    measurements: Path | None,
    omop: Path | None,
    engine: str,
    spark_master: str | None,
    **flat: Path | None,
) -> None:
    """The inputs a screening-style command (``screen``, ``intervals derive``) is given fit
    together: an output folder, a flat measurements table with its persons table or an OMOP
    database (never both, and no flat side tables with OMOP), a known engine."""
    if out is None:
        raise InputError("--out", "no output folder given", "--out DIR")
    if (measurements is None) == (omop is None):
        raise InputError(
            "INPUT",
            "give a measurements table or --omop PATH (exactly one)",
            f"alkphos {command} measurements.parquet --persons persons.parquet --out DIR",
        )
    if measurements is not None and flat.get("persons") is None:
        raise InputError(
            "--persons",
            "a measurements table needs a persons table",
            "person_id, birth_date or year_of_birth, sex",
        )
    given = [name for name, path in flat.items() if path is not None]
    if omop is not None and given:
        options = " and ".join(", ".join(f"--{name}" for name in given).rsplit(", ", 1))
        tables = " and ".join(", ".join(_OMOP_TABLES[name] for name in given).rsplit(", ", 1))
        verb = "is" if len(given) == 1 else "are"
        raise InputError(
            "--omop",
            f"{options} {verb} for flat tables",
            f"an OMOP database brings its own {tables}",
        )
    if spark_master is not None and engine != "spark":
        raise InputError("--spark-master", "needs --engine spark", "--engine spark")
    if engine not in ("duckdb", "spark"):
        raise InputError("--engine", f"unknown engine '{engine}'", "duckdb or spark")


def _check(options: ScreenOptions) -> None:
    check_sources(
        "screen",
        out=options.out,
        measurements=options.measurements,
        omop=options.omop,
        engine=options.engine,
        spark_master=options.spark_master,
        persons=options.persons,
        medications=options.medications,
        conditions=options.conditions,
    )
    if options.criteria not in {c.value for c in Criteria}:
        raise InputError(
            "--criteria",
            f"unknown criteria '{options.criteria}'",
            ", ".join(c.value for c in Criteria),
        )


@contextmanager
def _progress(quiet: bool) -> Iterator[Progress]:
    if quiet:
        yield lambda _: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        # A log, not a screen: one plain line per step.
        def line(step: str) -> None:
            if step in STEPS:
                sys.stderr.write(f"screening {STEPS.index(step) + 1}/{len(STEPS)}: {step}\n")

        yield line
        return
    display = Progress(
        TextColumn("[bold]screening[/bold] {task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = display.add_task("starting", total=len(STEPS))
    with display:

        def advance(step: str) -> None:
            done = STEPS.index(step) if step in STEPS else 0
            display.update(task, description=step, completed=done)

        yield advance
        display.update(task, completed=len(STEPS))


def run_screen(options: ScreenOptions) -> Screen:
    """Run ``alkphos screen``.

    Raises:
        InputError: bad options or unreadable input (the CLI prints it on one line).
    """
    _check(options)
    from alkphos.engine import knowledge
    from alkphos.screening.engines import connect
    from alkphos.screening.inputs import read_flat, read_omop
    from alkphos.screening.run import NoUsableRows, screen
    from alkphos.screening.staging import check_out, staged

    assert options.out is not None  # checked above
    check_out(options.out)
    kb = knowledge()
    if options.intervals is not None:
        from alkphos.intervals.use import resolve

        try:
            kb = resolve(options.intervals, kb)
        except InputError as exc:
            raise InputError("--intervals", str(exc)) from None
    with _progress(options.quiet) as step, staged(options.out, (NoUsableRows,)) as staging:
        step("starting")
        engine = connect(
            "spark" if options.engine == "spark" else "duckdb", spark_master=options.spark_master
        )
        try:
            try:
                if options.omop is not None:
                    sources = read_omop(engine, options.omop)
                else:
                    assert options.measurements is not None
                    assert options.persons is not None
                    sources = read_flat(
                        engine,
                        options.measurements,
                        options.persons,
                        options.medications,
                        options.conditions,
                    )
            except InputError:
                raise
            except Exception as exc:
                if not _from_engine(exc):
                    raise
                raise InputError(
                    "input", _first_line(exc), "a readable CSV or Parquet file"
                ) from exc
            result = screen(
                sources,
                engine,
                kb,
                staging,
                criteria=Criteria(options.criteria),
                as_of=options.as_of,
                explain=options.explain,
                progress=step,
            )
        except InputError:
            raise
        except Exception as exc:
            ragged = ragged_row(str(exc)) if _from_engine(exc) else None
            if ragged is not None:
                raise ragged from exc
            problem = _input_problem(exc)
            if problem is None:
                raise
            raise InputError("input", problem, "check the files and their columns") from exc
        finally:
            engine.close()
    result = replace(result, out=options.out)
    if not options.quiet:
        persons = result.funnel["persons"]
        rows = result.funnel["rows"]
        sys.stdout.write(
            f"{persons['worklist']:,} on the worklist ({persons['persistent']:,} persistently "
            f"low of {persons['tested_for_alp']:,} tested; {rows['rejected']:,} rows rejected); "
            f"results in {result.out}\n"
        )
    return result


def _from_engine(exc: Exception) -> bool:
    """Whether ``exc`` comes from DuckDB, Spark or Arrow (reading a file)."""
    module = type(exc).__module__
    return module.startswith(("duckdb", "_duckdb", "pyspark", "py4j", "pyarrow"))


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return f"the engine cannot read it ({first})"


def _input_problem(exc: Exception) -> str | None:
    """A one-line description when ``exc`` is the engine refusing the input, else None."""
    kind = type(exc).__name__
    module = type(exc).__module__
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else kind
    if module.startswith(("duckdb", "_duckdb")) and kind in (
        "IOException",
        "InvalidInputException",
        "ConversionException",
        "BinderException",
        "CatalogException",
    ):
        return f"the engine cannot read it ({text})"
    if kind in ("AnalysisException", "ArrowInvalid", "ArrowTypeError"):
        return f"the engine cannot read it ({text})"
    return None
