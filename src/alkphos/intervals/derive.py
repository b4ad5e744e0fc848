"""The body of ``alkphos intervals derive``: a laboratory's intervals from its own results.

One pass over the same inputs as ``alkphos screen`` (flat tables or OMOP, DuckDB or
Spark) checks every row as screening does and counts per-stratum histograms in the
engine; each stratum with enough values is then fitted by the indirect method. Written
into ``--out`` (through a staging folder, moved into place at the end):
``intervals.yaml`` (the laboratory intervals file), ``report.html`` and
``rejects.parquet`` (every row not used, with its reason).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alkphos.errors import InputError
from alkphos.intervals.labfile import Basis, LabInterval, LabIntervalFile
from alkphos.intervals.result import Estimate, SampleError
from alkphos.intervals.strata import Stratum, parse_partition, strata
from alkphos.knowledge.loader import Knowledge

__all__ = [
    "ANALYTE",
    "OUTPUTS",
    "DeriveOptions",
    "Derived",
    "NothingFitted",
    "StratumFit",
    "run_derive",
]

ANALYTE = "alp"
OUTPUTS = ("intervals.yaml", "report.html", "rejects.parquet")
STEPS = (
    "checking every row",
    "writing the rejects",
    "counting the rows",
    "counting the histograms",
    "fitting the strata",
    "writing the results",
)


@dataclass(frozen=True)
class DeriveOptions:
    """The options of ``alkphos intervals derive``, as given."""

    measurements: Path | None
    persons: Path | None
    omop: Path | None
    out: Path | None
    engine: str = "duckdb"
    spark_master: str | None = None
    partition: str = "10y"
    bootstrap: int = 50
    quiet: bool = False
    origin: str | None = None  # the data's origin in words (default: the input's name)


@dataclass(frozen=True)
class StratumFit:
    """One stratum with results: its histogram and its estimate, or why there is none."""

    stratum: Stratum
    values: tuple[float, ...]
    counts: tuple[int, ...]
    first: dt.date | None
    last: dt.date | None
    estimate: Estimate | None
    problem: str | None

    @property
    def n(self) -> int:
        """Results in the stratum."""
        return sum(self.counts)


@dataclass(frozen=True)
class Derived:
    """What a run produced."""

    out: Path
    origin: str
    engine: str
    partition: str
    rows: dict[str, Any]
    fits: tuple[StratumFit, ...]
    unstratified: int
    intervals: LabIntervalFile | None


class NothingFitted(InputError):
    """No stratum has enough values (or an identifiable peak); the report says why."""

    def __init__(self, fits: tuple[StratumFit, ...]) -> None:
        largest = max((fit.n for fit in fits), default=0)
        super().__init__(
            "intervals derive",
            f"no stratum could be fitted ({len(fits)} with results, the largest with "
            f"{largest:,}); report.html lists each and why",
            "more results per stratum, or wider adult bands (--partition 20y or cut points)",
        )


def _check(options: DeriveOptions) -> None:
    from alkphos.screening.command import check_sources

    check_sources(
        "intervals derive",
        out=options.out,
        measurements=options.measurements,
        omop=options.omop,
        engine=options.engine,
        spark_master=options.spark_master,
        persons=options.persons,
    )
    if options.bootstrap < 0:
        raise InputError("--bootstrap", f"{options.bootstrap} resamples", "0 or more")


Step = Callable[[str], None]


def _progress(quiet: bool) -> Step:
    """One plain line per step on standard error (nothing with ``quiet``)."""

    def line(step: str) -> None:
        if quiet:
            return
        if step in STEPS:
            sys.stderr.write(f"deriving {STEPS.index(step) + 1}/{len(STEPS)}: {step}\n")
        else:
            sys.stderr.write(f"  {step}\n")
        sys.stderr.flush()

    return line


@contextmanager
def _engine_errors() -> Iterator[None]:
    """The engine refusing the input becomes one ``InputError`` line, as in ``screen``."""
    from alkphos.screening.command import _from_engine, _input_problem
    from alkphos.screening.files import ragged_row

    try:
        yield
    except InputError:
        raise
    except Exception as exc:
        ragged = ragged_row(str(exc)) if _from_engine(exc) else None
        if ragged is not None:
            raise ragged from exc
        problem = _input_problem(exc)
        if problem is None and _from_engine(exc):
            text = str(exc).strip()
            problem = f"the engine cannot read it ({text.splitlines()[0] if text else exc})"
        if problem is None:
            raise
        raise InputError("input", problem, "check the files and their columns") from exc


def fit_strata(
    histogram: Any, all_strata: list[Stratum], bootstrap: int, step: Step
) -> tuple[tuple[StratumFit, ...], int]:
    """Fit each stratum of the histogram table (Arrow); also the unstratified count."""
    from alkphos.intervals.histograms import UNSTRATIFIED
    from alkphos.intervals.indirect import MIN_VALUES, estimate_indirect
    from alkphos.intervals.sample import Compact

    by_stratum: dict[int, list[dict[str, Any]]] = {}
    for row in histogram.to_pylist():
        by_stratum.setdefault(row["stratum"], []).append(row)
    unstratified = sum(row["n"] for row in by_stratum.pop(UNSTRATIFIED, []))
    fits = []
    present = [s for s in all_strata if s.index in by_stratum]
    for number, stratum in enumerate(present, 1):
        bins = by_stratum[stratum.index]
        n = sum(row["n"] for row in bins)
        estimate = None
        problem = None
        if n < MIN_VALUES:
            problem = f"too few results: {n:,} (the indirect method needs at least {MIN_VALUES:,})"
        else:
            step(f"fitting {number}/{len(present)}: {stratum.label} (n = {n:,})")
            sample = Compact.from_pairs((row["value"], row["n"]) for row in bins)
            try:
                estimate = estimate_indirect(sample.expanded(), bootstrap=bootstrap)
            except SampleError as exc:
                problem = exc.problem
        fits.append(
            StratumFit(
                stratum=stratum,
                values=tuple(float(row["value"]) for row in bins),
                counts=tuple(int(row["n"]) for row in bins),
                first=min((row["first"] for row in bins if row["first"]), default=None),
                last=max((row["last"] for row in bins if row["last"]), default=None),
                estimate=estimate,
                problem=problem,
            )
        )
    return tuple(fits), unstratified


def intervals_file(
    kb: Knowledge, fits: tuple[StratumFit, ...], origin: str, created: dt.date
) -> LabIntervalFile | None:
    """The laboratory intervals file of the fitted strata (None when none was fitted)."""
    unit = kb.analytes[ANALYTE].unit
    entries = []
    for fit in fits:
        estimate = fit.estimate
        if estimate is None:
            continue
        s = fit.stratum
        entries.append(
            LabInterval(
                id=f"{ANALYTE}.{s.id}",
                analyte=ANALYTE,
                sex=s.sex,
                age_from=s.age_from,
                age_to=s.age_to,
                low=estimate.lower,
                high=estimate.upper,
                unit=unit,
                population=f"{s.label[0].upper()}{s.label[1:]}: routine results, no health "
                "exclusions (indirect method)",
                basis=Basis(
                    method="indirect",
                    estimator=estimate.method,
                    n=estimate.n,
                    lower_ci=estimate.lower_ci,
                    upper_ci=estimate.upper_ci,
                    date_from=fit.first,
                    date_to=fit.last,
                    origin=origin,
                ),
            )
        )
    if not entries:
        return None
    return LabIntervalFile(created=created, intervals=entries)


def run_derive(options: DeriveOptions, created: dt.date | None = None) -> Derived:
    """Run ``alkphos intervals derive``.

    Raises:
        InputError: bad options, unreadable input, no usable result, or no stratum with
            enough results (the CLI prints it on one line; the report is still written).
    """
    _check(options)
    partition = parse_partition(options.partition)
    from alkphos.engine import knowledge
    from alkphos.intervals.derive_report import write_report
    from alkphos.intervals.histograms import count_histograms
    from alkphos.intervals.labfile import dump_file
    from alkphos.screening.engines import connect
    from alkphos.screening.inputs import read_flat, read_omop
    from alkphos.screening.run import NoUsableRows
    from alkphos.screening.staging import check_out, staged

    assert options.out is not None  # checked above
    check_out(options.out)
    kb = knowledge()
    all_strata = strata(kb, ANALYTE, partition)
    step = _progress(options.quiet)
    with staged(options.out, (NoUsableRows, NothingFitted), OUTPUTS) as staging:
        engine = connect(
            "spark" if options.engine == "spark" else "duckdb", spark_master=options.spark_master
        )
        try:
            with _engine_errors():
                if options.omop is not None:
                    sources = read_omop(engine, options.omop)
                else:
                    assert options.measurements is not None
                    assert options.persons is not None
                    sources = read_flat(engine, options.measurements, options.persons)
                counted = count_histograms(sources, engine, kb, ANALYTE, all_strata, staging, step)
        finally:
            engine.close()
        if counted.rows["by_analyte"].get(ANALYTE, {}).get("used", 0) == 0:
            raise NoUsableRows(sources.description, counted.rows)
        step(STEPS[4])
        fits, unstratified = fit_strata(counted.histogram, all_strata, options.bootstrap, step)
        origin = options.origin or sources.description
        made = intervals_file(kb, fits, origin, created or dt.date.today())
        step(STEPS[5])
        derived = Derived(
            out=options.out,
            origin=origin,
            engine=options.engine,
            partition=partition.text,
            rows=counted.rows,
            fits=fits,
            unstratified=unstratified,
            intervals=made,
        )
        write_report(staging / "report.html", kb, derived)
        if made is None:
            raise NothingFitted(fits)
        (staging / "intervals.yaml").write_text(dump_file(made), encoding="utf-8")
    if not options.quiet:
        fitted = sum(fit.estimate is not None for fit in fits)
        sys.stdout.write(
            f"{fitted} interval(s) estimated of {len(fits)} strata with results "
            f"({len(fits) - fitted} not fitted; {counted.rows['rejected']:,} rows rejected); "
            f"results in {options.out}\n"
        )
    return derived
