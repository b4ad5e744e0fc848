"""``report.html`` of ``intervals derive``: one self-contained page (inline CSS and SVG).

For each stratum: the histogram of its results, the fitted non-pathological density, the
estimated limits with their 90% confidence intervals, and the knowledge base's interval
beside them, marked where a knowledge-base limit lies outside the confidence interval.
Strata with too few results (or no identifiable peak) are listed with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from alkphos._version import __version__
from alkphos.intervals.compare import Comparison, compare
from alkphos.intervals.result import IndirectModel
from alkphos.knowledge.loader import Knowledge

if TYPE_CHECKING:
    from alkphos.intervals.derive import Derived, StratumFit

__all__ = ["render_report", "write_report"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:960px;color:#1f2937;line-height:1.45;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;
border-bottom:1px solid #e5e7eb;padding-bottom:.2rem}h3{font-size:1rem;margin-top:1.5rem}
table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0}
td,th{border:1px solid #e5e7eb;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f9fafb}td.n{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#6b7280;font-size:.85rem}.ok{color:#15803d}.bad{color:#b91c1c;font-weight:600}
svg text{font-family:inherit;font-size:11px;fill:#374151}
"""
_BARS, _DENSITY, _OURS, _KB = "#cbd5e1", "#1d4ed8", "#b45309", "#6b7280"
_WIDTH, _HEIGHT, _LEFT, _BOTTOM = 760, 220, 50, 30
_DISPLAY_BINS = 60


def write_report(path: Path, kb: Knowledge, derived: Derived) -> None:
    """Write ``report.html`` for a run."""
    path.write_text(render_report(kb, derived), encoding="utf-8")


def render_report(kb: Knowledge, derived: Derived) -> str:
    """The report as one HTML string."""
    from alkphos.intervals.derive import ANALYTE

    unit = kb.analytes[ANALYTE].unit
    fitted = [fit for fit in derived.fits if fit.estimate is not None]
    not_fitted = [fit for fit in derived.fits if fit.estimate is None]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<title>alkphos: reference intervals derived from routine results</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>ALP reference intervals derived from routine results</h1>",
        f"<p class='muted'>Input {escape(derived.origin)} · engine {escape(derived.engine)} · "
        f"adult bands {escape(derived.partition)} · alkphos {escape(__version__)} · "
        f"knowledge {escape(kb.version)}</p>",
        "<p>Indirect method: in each sex and age band the non-pathological results are "
        "modelled as a Box-Cox power-normal distribution fitted where they dominate the "
        "histogram; the interval is its 2.5th to 97.5th percentile, with bootstrap 90% "
        "confidence intervals. No health exclusions are applied: that is the method's point. "
        "A knowledge-base limit outside the estimate's confidence interval is marked "
        "<span class='bad'>outside</span>: the data disagree with it beyond the estimate's "
        "uncertainty. The knowledge base changes only with a cited source.</p>",
        "<h2>Rows</h2>",
        _rows_table(derived),
        "<h2>Estimated intervals beside the knowledge base's</h2>",
        _comparison_table(kb, fitted, unit) if fitted else "<p>No stratum could be fitted.</p>",
        "<h2>Strata not fitted</h2>",
        _not_fitted_table(not_fitted) if not_fitted else "<p>Every stratum was fitted.</p>",
        "<h2>Each stratum</h2>",
        "<p class='muted'>Bars: the results (counts per bin); blue curve: the fitted "
        "non-pathological part; orange lines: the estimated limits, shaded over their 90% "
        "confidence intervals; grey dashes: the knowledge base's limits.</p>",
        *(_stratum_section(kb, fit, unit) for fit in fitted),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _rows_table(derived: Derived) -> str:
    rows = derived.rows
    alp = rows["by_analyte"].get("alp", {"used": 0, "rejected": 0})
    reasons = ", ".join(f"{n:,} {reason}" for reason, n in rows["rejected_by_reason"].items() if n)
    balance = (
        "<span class='ok'>balanced</span>"
        if rows["balanced"]
        else "<span class='bad'>NOT balanced</span>"
    )
    return (
        "<table><tr><th>Measurement rows in</th><th>used (all screening analytes)</th>"
        "<th>rejected</th><th>other analytes</th><th>check</th></tr>"
        f"<tr><td class='n'>{rows['in']:,}</td><td class='n'>{rows['used']:,}</td>"
        f"<td class='n'>{rows['rejected']:,}</td><td class='n'>{rows['other_analytes']:,}</td>"
        f"<td>{balance}</td></tr></table>"
        f"<p>ALP results used: {alp['used']:,} (one per person, date and value: copies are "
        f"rejected as duplicates); sex or age unknown, so in no stratum: "
        f"{derived.unstratified:,}. Rejected rows by reason: {escape(reasons or 'none')} "
        "(each row in rejects.parquet).</p>"
    )


def _limit(value: float | None, outside: bool) -> str:
    if value is None:
        return "<td class='n'>none</td>"
    mark = " <span class='bad'>outside</span>" if outside else ""
    return f"<td class='n'>{value:g}{mark}</td>"


def _comparison_table(kb: Knowledge, fitted: Sequence[StratumFit], unit: str) -> str:
    from alkphos.intervals.derive import ANALYTE

    head = (
        f"<table><tr><th>Stratum</th><th>n</th><th>Lower ({escape(unit)}) [90% CI]</th>"
        f"<th>Upper [90% CI]</th><th>Knowledge base interval</th><th>KB lower</th>"
        "<th>KB upper</th></tr>"
    )
    body = []
    for fit in fitted:
        estimate = fit.estimate
        assert estimate is not None
        found: list[Comparison | None] = [*compare(kb, ANALYTE, fit.stratum, estimate)] or [None]
        for index, comparison in enumerate(found):
            first = index == 0
            span = f" rowspan='{len(found)}'" if first and len(found) > 1 else ""
            cells = (
                f"<td{span}>{escape(fit.stratum.label)}</td><td class='n'{span}>{fit.n:,}</td>"
                f"<td class='n'{span}>{estimate.lower:g} [{estimate.lower_ci[0]:g}, "
                f"{estimate.lower_ci[1]:g}]</td>"
                f"<td class='n'{span}>{estimate.upper:g} [{estimate.upper_ci[0]:g}, "
                f"{estimate.upper_ci[1]:g}]</td>"
                if first
                else ""
            )
            body.append(f"<tr>{cells}{_kb_cells(comparison)}</tr>")
    return head + "".join(body) + "</table>"


def _kb_cells(comparison: Comparison | None) -> str:
    if comparison is None:
        return "<td colspan='3'>none for these ages</td>"
    return (
        f"<td>{escape(comparison.interval_id)}</td>"
        + _limit(comparison.low, comparison.low_outside)
        + _limit(comparison.high, comparison.high_outside)
    )


def _not_fitted_table(not_fitted: Sequence[StratumFit]) -> str:
    body = "".join(
        f"<tr><td>{escape(fit.stratum.label)}</td><td class='n'>{fit.n:,}</td>"
        f"<td>{escape(fit.problem or '')}</td></tr>"
        for fit in not_fitted
    )
    return f"<table><tr><th>Stratum</th><th>n</th><th>Why not</th></tr>{body}</table>"


def _stratum_section(kb: Knowledge, fit: StratumFit, unit: str) -> str:
    from alkphos.intervals.derive import ANALYTE

    estimate = fit.estimate
    assert estimate is not None
    model = estimate.model
    comparisons = compare(kb, ANALYTE, fit.stratum, estimate)
    lines = [
        f"<h3>{escape(fit.stratum.label[0].upper() + fit.stratum.label[1:])}</h3>",
        _histogram_svg(fit, comparisons, unit),
        f"<p class='muted'>n = {fit.n:,}; dates {fit.first or 'unknown'} to "
        f"{fit.last or 'unknown'}; interval {estimate.lower:g} to {estimate.upper:g} "
        f"{escape(unit)}.",
    ]
    if model is not None:
        lines.append(
            f" Model: Box-Cox lambda {model.lambda_:g}, shift {model.shift:g}, mu "
            f"{model.mu:.4g}, sigma {model.sigma:.4g}; {model.share_nonpathological:.0%} of "
            f"results judged non-pathological; deviance per bin {model.deviance_per_bin:g} "
            "(about 1 is a good fit)."
        )
    lines.append("</p>")
    return "".join(lines)


def _display_bins(fit: StratumFit, right: float) -> tuple[float, list[float]]:
    """Counts in equal display bins from 0 to ``right`` (the last also takes what is above)."""
    width = _nice(right / _DISPLAY_BINS)
    bins = [0.0] * (math.ceil(right / width) or 1)
    for value, count in zip(fit.values, fit.counts, strict=True):
        index = min(max(int(value // width), 0), len(bins) - 1)
        bins[index] += count
    return width, bins


def _right_edge(fit: StratumFit, comparisons: Sequence[Comparison]) -> float:
    """Where the plot ends: past the 99th percentile, the upper CI and the KB limits."""
    total = fit.n
    running = 0
    p99 = fit.values[-1]
    for value, count in zip(fit.values, fit.counts, strict=True):
        running += count
        if running >= 0.99 * total:
            p99 = value
            break
    highs = [c.high for c in comparisons if c.high is not None]
    upper = fit.estimate.upper_ci[1] if fit.estimate is not None else 0.0
    return max(p99, upper, *highs) * 1.15


def _model_mass(model: IndirectModel, n: int, a: float, b: float) -> float:
    """Expected non-pathological results between a and b under the fitted model."""

    def cdf(x: float) -> float:
        base = x - model.shift
        if base <= 0:
            return 0.0
        t = math.log(base) if model.lambda_ == 0 else (base**model.lambda_ - 1) / model.lambda_
        return 0.5 * (1 + math.erf((t - model.mu) / (model.sigma * math.sqrt(2))))

    return model.share_nonpathological * n * (cdf(b) - cdf(a))


def _histogram_svg(fit: StratumFit, comparisons: Sequence[Comparison], unit: str) -> str:
    estimate = fit.estimate
    assert estimate is not None
    right = _right_edge(fit, comparisons)
    width, bins = _display_bins(fit, right)
    right = width * len(bins)
    model = estimate.model
    curve = [
        _model_mass(model, fit.n, i * width, (i + 1) * width) if model else 0.0
        for i in range(len(bins))
    ]
    top = _nice(max([*bins, *curve, 1.0]))
    plot_w, plot_h = _WIDTH - _LEFT - 10, _HEIGHT - _BOTTOM - 10

    def x(value: float) -> float:
        return _LEFT + plot_w * value / right

    def y(count: float) -> float:
        return 10 + plot_h * (1 - count / top)

    title = f"Histogram of {fit.stratum.label} with the fitted density and the limits"
    out = [
        f"<svg width='{_WIDTH}' height='{_HEIGHT}' viewBox='0 0 {_WIDTH} {_HEIGHT}' "
        f"role='img'><title>{escape(title)}</title>"
    ]
    for lo_ci, hi_ci in (estimate.lower_ci, estimate.upper_ci):
        out.append(
            f"<rect x='{x(lo_ci):.1f}' y='10' width='{max(x(hi_ci) - x(lo_ci), 1.0):.1f}' "
            f"height='{plot_h}' fill='{_OURS}' opacity='0.18'/>"
        )
    for index, count in enumerate(bins):
        if count:
            out.append(
                f"<rect x='{x(index * width):.1f}' y='{y(count):.1f}' "
                f"width='{max(x(width) - x(0) - 0.5, 0.5):.1f}' "
                f"height='{y(0) - y(count):.1f}' fill='{_BARS}'/>"
            )
    if model is not None:
        points = " ".join(
            f"{x((i + 0.5) * width):.1f},{y(mass):.1f}" for i, mass in enumerate(curve)
        )
        out.append(
            f"<polyline points='{points}' fill='none' stroke='{_DENSITY}' stroke-width='2'/>"
        )
    for limit in (estimate.lower, estimate.upper):
        out.append(
            f"<line x1='{x(limit):.1f}' x2='{x(limit):.1f}' y1='10' y2='{y(0):.1f}' "
            f"stroke='{_OURS}' stroke-width='2'/>"
        )
    for comparison in comparisons:
        for kb_limit in (comparison.low, comparison.high):
            if kb_limit is not None and kb_limit <= right:
                out.append(
                    f"<line x1='{x(kb_limit):.1f}' x2='{x(kb_limit):.1f}' y1='10' "
                    f"y2='{y(0):.1f}' "
                    f"stroke='{_KB}' stroke-width='1.5' stroke-dasharray='5,4'/>"
                )
    out.append(
        f"<line x1='{_LEFT}' x2='{_LEFT + plot_w}' y1='{y(0):.1f}' y2='{y(0):.1f}' "
        "stroke='#9ca3af'/>"
    )
    for tick in range(6):
        value = right * tick / 5
        out.append(
            f"<text x='{x(value):.1f}' y='{_HEIGHT - 12}' text-anchor='middle'>{value:g}</text>"
        )
    out.append(
        f"<text x='{_LEFT + plot_w}' y='{_HEIGHT - 1}' text-anchor='end'>{escape(unit)}</text>"
        f"<text x='{_LEFT - 6}' y='{y(top) + 4:.1f}' text-anchor='end'>{top:g}</text>"
        f"<text x='{_LEFT - 6}' y='{y(0) + 4:.1f}' text-anchor='end'>0</text></svg>"
    )
    return "".join(out)


def _nice(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    return float(next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= value - 1e-12))
