"""The bodies of ``alkphos intervals estimate`` (read each file, estimate, format) and
``alkphos intervals verify`` (read the values, group them by stratum, judge)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alkphos.errors import InputError
from alkphos.intervals.result import Estimate, SampleError

if TYPE_CHECKING:
    from alkphos.intervals.verify import Verdict
    from alkphos.knowledge.loader import Knowledge
    from alkphos.rules.intervals import Interval

__all__ = ["estimate_files", "format_estimates", "verify_files"]


def estimate_files(
    paths: Sequence[Path], *, method: str = "indirect", bootstrap: int = 50
) -> list[tuple[Path, Estimate]]:
    """One estimate per file, in order; ``SampleError`` (naming the file) on the first bad one."""
    from alkphos.intervals.direct import estimate_direct
    from alkphos.intervals.files import read_values
    from alkphos.intervals.indirect import estimate_indirect

    estimates = []
    for path in paths:
        values = read_values(path)
        try:
            if method == "direct":
                estimate = estimate_direct(values)
            else:
                estimate = estimate_indirect(values, bootstrap=bootstrap)
        except SampleError as exc:
            raise SampleError(exc.problem, str(path)) from None
        estimates.append((path, estimate))
    return estimates


def _record(path: Path, estimate: Estimate) -> dict[str, Any]:
    return {"file": str(path), **estimate.as_dict()}


def _text(path: Path, estimate: Estimate) -> str:
    lines = [
        f"{path}: reference interval {estimate.lower:g} to {estimate.upper:g} "
        f"(n = {estimate.n}, {estimate.method})",
        f"  lower limit 90% CI {estimate.lower_ci[0]:g} to {estimate.lower_ci[1]:g}; "
        f"upper limit 90% CI {estimate.upper_ci[0]:g} to {estimate.upper_ci[1]:g}",
    ]
    model = estimate.model
    if model is not None:
        lines.append(
            f"  model: Box-Cox lambda {model.lambda_:g}, shift {model.shift:g}, "
            f"mu {model.mu:.4g}, sigma {model.sigma:.4g}; "
            f"{model.share_nonpathological:.0%} of values judged non-pathological"
        )
        lines.append(
            f"  fit: deviance per bin {model.deviance_per_bin:g} over {model.bins} bins "
            f"(about 1 is a good fit), fitted where non-pathological values dominate: "
            f"{model.fitted_from:g} to {model.fitted_to:g}; {model.bootstrap} bootstrap resamples"
        )
    return "\n".join(lines)


def format_estimates(estimates: Sequence[tuple[Path, Estimate]], output_format: str) -> str:
    """The estimates as text (for people), JSON (a list) or JSON lines (one per file)."""
    if output_format == "jsonl":
        return "\n".join(json.dumps(_record(p, e)) for p, e in estimates)
    if output_format == "json":
        return json.dumps([_record(p, e) for p, e in estimates], indent=2)
    return "\n".join(_text(p, e) for p, e in estimates)


def verify_files(
    kb: Knowledge,
    *,
    analyte: str,
    reference: Path | None,
    routine: Path | None,
    sex: str | None,
    age: float | None,
    factor: float = 1.0,
    bootstrap: int = 50,
) -> list[Verdict]:
    """The verdicts of ``alkphos intervals verify``.

    With ``sex`` and ``age`` the files are one-column (one stratum: the interval in use for
    that person); without, CSVs with the columns value, sex and age (a stratum per interval
    in use). Values are multiplied by ``factor`` into the analyte's unit.

    Raises:
        SampleError: a file that cannot be read, or (one stratum) too few values.
        InputError: no interval in use for the person.
    """
    from alkphos.intervals.files import has_columns, read_rows, read_values
    from alkphos.intervals.verify import Stratum, group_rows, interval_for, verify

    def scaled(values: Sequence[float]) -> list[float]:
        return [v * factor for v in values] if factor != 1.0 else list(values)

    if sex is not None and age is not None:
        interval = interval_for(kb, analyte, sex, age)
        if interval is None:
            raise InputError("--age", f"no interval in use for {sex}, {age:g} years")
        stratum = Stratum(
            label=f"{_label(interval)} ({sex}, {age:g} years)",
            interval=interval,
            routine=scaled(read_values(routine)) if routine else (),
            reference=scaled(read_values(reference)) if reference else (),
        )
        return verify(kb, [stratum], bootstrap=bootstrap, strict=True)
    grouped: dict[str, dict[Interval, list[float]]] = {}
    for name, path in (("routine", routine), ("reference", reference)):
        if path is None:
            continue
        if not has_columns(path):
            raise SampleError(
                "one column: give --sex and --age for its stratum, or columns value, sex and age",
                str(path),
            )
        rows = [(v * factor, s, a) for v, s, a in read_rows(path)]
        grouped[name] = group_rows(kb, analyte, rows, str(path))
    intervals = list(dict.fromkeys([*grouped.get("routine", {}), *grouped.get("reference", {})]))
    strata = [
        Stratum(
            label=_label(interval),
            interval=interval,
            routine=grouped.get("routine", {}).get(interval, []),
            reference=grouped.get("reference", {}).get(interval, []),
        )
        for interval in intervals
    ]
    return verify(kb, strata, bootstrap=bootstrap)


def _label(interval: Interval) -> str:
    """The population an interval describes, in words (its basis up to the source)."""
    return interval.basis.split(" (")[0].split(";")[0]
