"""The indirect estimator against RIbench, the field's benchmark of indirect methods.

RIbench (Ammer et al., Clin Chem 2022) is 5,760 simulated sets of routine values: ten
analytes, four sample sizes, pathological fractions 0-60% on either side with low,
medium or high overlap, a uniform background, rounding. This script rebuilds the sets
in Python from the specification table that ships with the shared data (GPL-3 data of
the R package: read here at run time, never copied into the project), runs
``estimate_indirect`` on each (point estimate; no bootstrap, as in the published
benchmark) and scores it as RIbench does: the mean absolute z-score deviation of the
estimated from the true limits on the true distribution's z scale, errors above 5
counted as implausible and left out of the mean, sets without an estimate as failures.

Goal (issue 11): overall < 0.30 (refineR about 0.31, kosmic 0.49, TMC 0.50, TML 0.69),
no failures, at most 1% implausible, median time per set < 0.1 s.

    .venv/bin/python benchmarks/ribench.py                 # all 5,760 sets
    .venv/bin/python benchmarks/ribench.py --sample 40     # 40 sets per analyte
    .venv/bin/python benchmarks/ribench.py --spec PATH     # another copy of the table
    .venv/bin/python benchmarks/ribench.py --jobs 2        # two worker processes

The random draws are numpy's (seeded per set from the table's seed and index), not R's,
so the sets are equal in distribution, not value for value, to the R package's.
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from alkphos.errors import InputError
from alkphos.intervals import estimate_indirect

ROOT = Path(__file__).resolve().parent.parent
SPEC_CANDIDATES = (
    ROOT.parent / "shared" / "data" / "ribench" / "SpecificationTestSets.csv",
    Path("/work/shared/data/ribench/SpecificationTestSets.csv"),
)
IMPLAUSIBLE = 5.0
PUBLISHED = {"refineR": 0.31, "kosmic": 0.49, "TMC": 0.50, "TML": 0.69, "Hoffmann": 1.18}


@dataclass(frozen=True)
class TestSet:
    """One row of the specification table, the fields the simulation and score need."""

    index: int
    analyte: str
    seed: int
    distribution: str
    n: int
    fraction: float
    lam: float
    mu: float
    sigma: float
    shift: float
    bg_min: float
    bg_max: float
    bg_fraction: float
    left_mu: float
    left_sigma: float
    right_mu: float
    right_sigma: float
    left_ratio: float
    right_ratio: float
    decimals: int
    true_lower: float | None
    true_upper: float


def _number(text: str) -> float:
    return float("nan") if text in ("NA", "") else float(text)


def read_spec(path: Path) -> list[TestSet]:
    """The specification table's rows."""
    sets = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            lower = _number(row["GT_LRL"])
            ratio_sum = _number(row["ratio_sum"])
            sets.append(
                TestSet(
                    index=int(row["Index"]),
                    analyte=row["Analyte"],
                    seed=int(row["startSeed"]),
                    distribution=row["Distribution"],
                    n=int(float(row["N"])),
                    fraction=_number(row["fractionPathol"]),
                    lam=_number(row["nonp_lambda"]),
                    mu=_number(row["nonp_mu"]),
                    sigma=_number(row["nonp_sigma"]),
                    shift=_number(row["nonp_shift"]),
                    bg_min=_number(row["bg_min"]),
                    bg_max=_number(row["bg_max"]),
                    bg_fraction=_number(row["bg_fraction"]),
                    left_mu=_number(row["left_mu"]),
                    left_sigma=_number(row["left_sigma"]),
                    right_mu=_number(row["right_mu"]),
                    right_sigma=_number(row["right_sigma"]),
                    left_ratio=_number(row["left_ratio"]) / ratio_sum,
                    right_ratio=_number(row["right_ratio"]) / ratio_sum,
                    decimals=int(float(row["decimals"])),
                    true_lower=None if math.isnan(lower) else lower,
                    true_upper=_number(row["GT_URL"]),
                )
            )
    return sets


def _inverse_boxcox(y: np.ndarray, lam: float) -> np.ndarray:
    if lam == 0:
        return np.exp(y)
    with np.errstate(invalid="ignore"):
        return np.power(lam * y + 1.0, 1.0 / lam)


def _boxcox(x: np.ndarray, lam: float) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        if lam == 0:
            return np.log(x)
        return (np.power(x, lam) - 1.0) / lam


def _draw(rng: np.random.Generator, count: int, draw: Callable[[int], np.ndarray]) -> np.ndarray:
    """``count`` draws kept where finite and >= 0 (drawing again for the ones dropped)."""
    kept = np.empty(0)
    while kept.size < count:
        more = draw(max(2 * (count - kept.size), 16))
        kept = np.concatenate((kept, more[np.isfinite(more) & (more >= 0)]))
    return kept[:count]


def simulate(spec: TestSet) -> np.ndarray:
    """The set's values: non-pathological, pathological both sides, background, rounded."""
    rng = np.random.default_rng([spec.seed, spec.index])
    n_left = round(spec.n * spec.fraction * spec.left_ratio)
    n_right = round(spec.n * spec.fraction * spec.right_ratio)
    n_background = round(spec.n * spec.bg_fraction)
    n_nonp = spec.n - n_left - n_right - n_background
    parts = [
        _draw(
            rng,
            n_nonp,
            lambda k: _inverse_boxcox(rng.normal(spec.mu, spec.sigma, k), spec.lam) + spec.shift,
        )
    ]
    if n_left and spec.left_sigma > 0:
        parts.append(_draw(rng, n_left, lambda k: rng.normal(spec.left_mu, spec.left_sigma, k)))
    if n_right:
        parts.append(_draw(rng, n_right, lambda k: rng.normal(spec.right_mu, spec.right_sigma, k)))
    parts.append(rng.uniform(spec.bg_min, spec.bg_max, n_background))
    values = np.concatenate(parts)
    rng.shuffle(values)
    return np.round(values, spec.decimals)


def z_score(spec: TestSet, value: float) -> float:
    """``value`` on the z scale of the set's true non-pathological distribution."""
    transformed = _boxcox(np.array([value - spec.shift]), spec.lam)[0]
    if not np.isfinite(transformed):
        return -math.inf
    return float((transformed - spec.mu) / spec.sigma)


def score(spec: TestSet, lower: float, upper: float) -> float:
    """The set's error: mean |z(true) - z(estimate)| over its limits (CRP: the upper only)."""
    errors = [abs(z_score(spec, spec.true_upper) - z_score(spec, upper))]
    if spec.true_lower is not None:
        errors.append(abs(z_score(spec, spec.true_lower) - z_score(spec, lower)))
    return sum(errors) / len(errors)


@dataclass
class Outcome:
    """What happened on one set."""

    spec: TestSet
    error: float | None  # None: failure (no estimate)
    seconds: float  # wall-clock time of the estimate
    cpu_seconds: float  # CPU time of the estimate (what it costs on an idle machine)


def _group(spec: TestSet) -> tuple[str, str, str]:
    return (
        spec.distribution,
        "pathol <= 0.2" if spec.fraction <= 0.2 else "pathol > 0.2",
        "N <= 5,000" if spec.n <= 5000 else "N > 5,000",
    )


def _summary(outcomes: list[Outcome]) -> tuple[float, float, float, int]:
    errors = [o.error for o in outcomes if o.error is not None]
    plausible = [e for e in errors if e <= IMPLAUSIBLE]
    failures = len(outcomes) - len(errors)
    implausible = len(errors) - len(plausible)
    mean = statistics.fmean(plausible) if plausible else math.nan
    return mean, failures / len(outcomes), implausible / len(outcomes), len(outcomes)


def _estimate(spec: TestSet) -> Outcome:
    """Simulate one set, estimate it (timed: the estimate only, CPU and wall) and score it."""
    values = simulate(spec)
    start, cpu = time.perf_counter(), time.process_time()
    try:
        estimate = estimate_indirect(values, bootstrap=0)
    except InputError as exc:
        print(f"  failure: set {spec.index} ({spec.analyte}, N={spec.n}): {exc}", file=sys.stderr)
        return Outcome(spec, None, time.perf_counter() - start, time.process_time() - cpu)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    return Outcome(spec, score(spec, estimate.lower, estimate.upper), seconds, cpu_seconds)


def run(sets: list[TestSet], progress: bool, jobs: int = 1) -> list[Outcome]:
    """Estimate every set and score it (``jobs`` worker processes)."""
    outcomes: list[Outcome] = []
    if jobs > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for i, outcome in enumerate(pool.map(_estimate, sets, chunksize=8), 1):
                outcomes.append(outcome)
                if progress and i % 100 == 0:
                    print(f"  {i}/{len(sets)} sets", file=sys.stderr)
        return outcomes
    for i, spec in enumerate(sets, 1):
        outcomes.append(_estimate(spec))
        if progress and i % 100 == 0:
            print(f"  {i}/{len(sets)} sets", file=sys.stderr)
    return outcomes


def report(outcomes: list[Outcome]) -> None:
    """Print the overall figures, the table per stratum and the published ones."""
    mean, failures, implausible, count = _summary(outcomes)
    times = sorted(o.seconds for o in outcomes)
    cpu = sorted(o.cpu_seconds for o in outcomes)
    print(f"RIbench, {count} sets, alkphos.intervals.estimate_indirect (point estimate)")
    print(f"  overall score (mean absolute z deviation): {mean:.3f}   goal < 0.30")
    print(f"  failures: {failures:.2%}   implausible (error > 5): {implausible:.2%}")
    print(
        f"  time per set: median {statistics.median(times):.3f} s, "
        f"90th percentile {times[int(0.9 * (len(times) - 1))]:.3f} s, max {times[-1]:.3f} s"
        "   goal: median < 0.1 s"
    )
    print(
        f"  CPU time per set: median {statistics.median(cpu):.3f} s, "
        f"90th percentile {cpu[int(0.9 * (len(cpu) - 1))]:.3f} s, max {cpu[-1]:.3f} s "
        "(wall time exceeds it when other processes share the cores)"
    )
    print(
        "  published (all 5,760 sets): " + ", ".join(f"{k} {v:.2f}" for k, v in PUBLISHED.items())
    )
    groups: dict[tuple[str, str, str], list[Outcome]] = defaultdict(list)
    by_analyte: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        groups[_group(outcome.spec)].append(outcome)
        by_analyte[outcome.spec.analyte].append(outcome)
    print()
    header = ("distribution", "pathological", "size", "sets", "score", "fail", "impl")
    print("  {:<15}{:<15}{:<13}{:>6}{:>8}{:>7}{:>7}".format(*header))
    for key in sorted(groups):
        g_mean, g_fail, g_impl, g_count = _summary(groups[key])
        cells = f"{g_count:>6}{g_mean:>8.3f}{g_fail:>7.1%}{g_impl:>7.1%}"
        print(f"  {key[0]:<15}{key[1]:<15}{key[2]:<13}{cells}")
    print()
    print("  per analyte: " + ", ".join(f"{a} {_summary(o)[0]:.3f}" for a, o in by_analyte.items()))


def main() -> None:
    """Parse the options, build and score the sets."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sample", type=int, default=0, help="sets per analyte (default: all)")
    parser.add_argument("--seed", type=int, default=11, help="seed of the --sample choice")
    parser.add_argument("--spec", type=Path, default=None, help="the specification table")
    parser.add_argument("--analyte", action="append", default=None, help="only these analytes")
    parser.add_argument("--max-n", type=int, default=0, help="only sets of at most this size")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    args = parser.parse_args()
    spec_path = args.spec or next((p for p in SPEC_CANDIDATES if p.exists()), None)
    if spec_path is None or not spec_path.exists():
        parser.error("the RIbench specification table was not found; give it with --spec")
    sets = read_spec(spec_path)
    if args.analyte:
        sets = [s for s in sets if s.analyte in args.analyte]
    if args.max_n:
        sets = [s for s in sets if s.n <= args.max_n]
    if args.sample:
        rng = np.random.default_rng(args.seed)
        chosen: list[TestSet] = []
        by_analyte: dict[str, list[TestSet]] = defaultdict(list)
        for spec in sets:
            by_analyte[spec.analyte].append(spec)
        for group in by_analyte.values():
            picks = rng.choice(len(group), size=min(args.sample, len(group)), replace=False)
            chosen.extend(group[i] for i in sorted(picks))
        sets = chosen
    report(run(sets, progress=not args.quiet, jobs=args.jobs))


if __name__ == "__main__":
    main()
