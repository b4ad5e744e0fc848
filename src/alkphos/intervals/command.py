"""The body of ``alkphos intervals estimate``: read each file, estimate, format."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alkphos.intervals.result import Estimate, SampleError

__all__ = ["estimate_files", "format_estimates"]


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
