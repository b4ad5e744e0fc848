"""``report.html``: one self-contained page (inline CSS and SVG, no external assets).

It shows the funnel as a chart, the ALP distribution by age band and sex against the usual
limits (so a population whose lab reads differently from the intervals stands out), the
published yields of low-ALP case finding beside this run's, and the top of the worklist.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import Any

from alkphos.knowledge.loader import Knowledge
from alkphos.rules.intervals import citation_label
from alkphos.screening.summary import AGE_BANDS, summarise

__all__ = ["render_report", "write_report"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:960px;color:#1f2937;line-height:1.45;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;
border-bottom:1px solid #e5e7eb;padding-bottom:.2rem}
table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0}
td,th{border:1px solid #e5e7eb;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f9fafb}td.n{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#6b7280;font-size:.85rem}.ok{color:#15803d}.bad{color:#b91c1c}
svg text{font-family:inherit;font-size:11px;fill:#374151}
"""
_FEMALE, _MALE, _OTHER, _OURS = "#be185d", "#1d4ed8", "#6b7280", "#b45309"


def write_report(
    path: Path, kb: Knowledge, funnel: dict[str, Any], distribution: Any, worklist: Any
) -> None:
    """Write ``report.html`` for a run (``distribution`` and ``worklist`` are Arrow tables)."""
    html = render_report(kb, funnel, summarise(distribution.to_pylist()), worklist.to_pylist())
    path.write_text(html, encoding="utf-8")


def render_report(
    kb: Knowledge,
    funnel: dict[str, Any],
    distribution: Sequence[dict[str, Any]],
    worklist: Sequence[dict[str, Any]],
) -> str:
    """The report as one HTML string."""
    persons = funnel["persons"]
    rows = funnel["rows"]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<title>alkphos screening report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Persistently low ALP: screening report</h1>",
        f"<p class='muted'>Input {escape(funnel['input'])} · engine {escape(funnel['engine'])}"
        f" · as of {escape(funnel['as_of'])} · alkphos {escape(funnel['alkphos_version'])}"
        f" · knowledge {escape(funnel['knowledge_version'])}</p>",
        f"<p><strong>Definition</strong>: {escape(funnel['definition'])}.</p>",
        "<h2>Funnel</h2>",
        _funnel_svg(persons),
        _rows_table(rows),
        "<h2>Secondary causes (excluded from the worklist, kept in persistent.parquet)</h2>",
        _exclusions_table(kb, funnel["excluded_by_reason"]),
        "<h2>ALP by age and sex</h2>",
        "<p class='muted'>Boxes: 25th to 75th percentile, line: median, whiskers: 2.5th to "
        "97.5th percentile of the results used (to the nearest 1 U/L); dashes: the mean "
        "lower and upper limits applied. A population whose bulk sits far from the limits "
        "measures ALP differently (method, buffer) from the intervals: prefer the lab's own "
        "limits.</p>",
        _distribution_svg(distribution),
        _distribution_table(distribution),
        "<h2>Published yields beside this run</h2>",
        _yields(kb, persons),
        "<h2>Worklist (top 50)</h2>",
        _worklist_table(worklist[:50]),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _funnel_svg(persons: dict[str, Any]) -> str:
    stages = [
        ("Tested for ALP", persons["tested_for_alp"]),
        ("At least one low ALP", persons["with_low_alp"]),
        ("Persistently low", persons["persistent"]),
        ("No secondary cause", persons["without_secondary_cause"]),
        ("Worklist", persons["worklist"]),
    ]
    top = max((n for _, n in stages), default=0)
    width, bar_left, bar_width, row = 760, 170, 480, 30
    lines = [_svg_open(width, row * len(stages) + 10, "Screening funnel, persons per stage")]
    for index, (label, n) in enumerate(stages):
        y = 5 + index * row
        share = math.log10(n + 1) / math.log10(top + 1) if top > 0 else 0.0
        length = max(share * bar_width, 1.0)
        percent = f" ({100 * n / top:.3g}%)" if top and index else ""
        lines += [
            f"<text x='{bar_left - 8}' y='{y + 17}' text-anchor='end'>{escape(label)}</text>",
            f"<rect x='{bar_left}' y='{y + 4}' width='{length:.1f}' height='{row - 10}' "
            f"fill='{_OURS}' opacity='{1 - index * 0.12:.2f}'/>",
            f"<text x='{bar_left + length + 6:.1f}' y='{y + 17}'>{n:,}{percent}</text>",
        ]
    lines.append("</svg>")
    lines.append("<p class='muted'>Bar lengths are on a logarithmic scale.</p>")
    return "\n".join(lines)


def _rows_table(rows: dict[str, Any]) -> str:
    status = (
        "<span class='ok'>balanced</span>"
        if rows["balanced"]
        else "<span class='bad'>NOT balanced</span>"
    )
    head = (
        "<table><tr><th>Measurement rows in</th><th>used</th><th>rejected</th>"
        "<th>other analytes</th><th>check</th></tr>"
        f"<tr><td class='n'>{rows['in']:,}</td><td class='n'>{rows['used']:,}</td>"
        f"<td class='n'>{rows['rejected']:,}</td><td class='n'>{rows['other_analytes']:,}</td>"
        f"<td>{status}</td></tr></table>"
    )
    reasons = "".join(
        f"<tr><td>{escape(reason)}</td><td class='n'>{n:,}</td></tr>"
        for reason, n in rows["rejected_by_reason"].items()
    )
    return head + f"<table><tr><th>Rejected because</th><th>rows</th></tr>{reasons}</table>"


def _exclusions_table(kb: Knowledge, by_reason: dict[str, int]) -> str:
    body = "".join(
        f"<tr><td>{escape(kb.screening[rule].name)}</td><td class='n'>{n:,}</td>"
        f"<td class='muted'>{escape(kb.screening[rule].says)}</td></tr>"
        for rule, n in by_reason.items()
    )
    return f"<table><tr><th>Secondary cause</th><th>persons</th><th>why</th></tr>{body}</table>"


def _band_order(label: str) -> int:
    labels = [band[0] for band in AGE_BANDS]
    return labels.index(label) if label in labels else len(labels)


def _distribution_svg(distribution: Sequence[dict[str, Any]]) -> str:
    data = sorted(
        (row for row in distribution if row["p50"] is not None),
        key=lambda row: (_band_order(row["band"]), row["sex"]),
    )
    if not data:
        return "<p>No ALP result was used.</p>"
    bands = list(dict.fromkeys(row["band"] for row in data))
    top = max(max(row["p975"] for row in data), max((row["uln"] or 0) for row in data))
    top = _nice(top)
    width, height, left, bottom, upper = 900, 300, 50, 40, 10
    plot_h = height - bottom - upper
    slot = (width - left - 10) / len(bands)

    def y(value: float) -> float:
        return upper + plot_h * (1 - min(value, top) / top)

    lines = [_svg_open(width, height, "ALP distribution by age band and sex")]
    for tick in _ticks(top):
        lines.append(
            f"<line x1='{left}' x2='{width - 10}' y1='{y(tick):.1f}' y2='{y(tick):.1f}' "
            "stroke='#e5e7eb'/>"
            f"<text x='{left - 6}' y='{y(tick) + 4:.1f}' text-anchor='end'>{tick:g}</text>"
        )
    lines.append(
        f"<text x='12' y='{upper + plot_h / 2}' text-anchor='middle' "
        f"transform='rotate(-90 12 {upper + plot_h / 2})'>ALP, U/L</text>"
    )
    colours = {"female": _FEMALE, "male": _MALE}
    for index, band in enumerate(bands):
        x0 = left + index * slot
        lines.append(
            f"<text x='{x0 + slot / 2:.1f}' y='{height - bottom + 16}' "
            f"text-anchor='middle'>{escape(band)}</text>"
        )
        members = [row for row in data if row["band"] == band]
        box_w = slot / (len(members) + 1)
        for position, row in enumerate(members):
            cx = x0 + box_w * (position + 1)
            colour = colours.get(row["sex"], _OTHER)
            lines += [
                f"<line x1='{cx:.1f}' x2='{cx:.1f}' y1='{y(row['p025']):.1f}' "
                f"y2='{y(row['p975']):.1f}' stroke='{colour}'/>",
                f"<rect x='{cx - box_w * 0.3:.1f}' y='{y(row['p75']):.1f}' "
                f"width='{box_w * 0.6:.1f}' "
                f"height='{max(y(row['p25']) - y(row['p75']), 1):.1f}' fill='{colour}' "
                "fill-opacity='0.25' stroke='" + colour + "'/>",
                f"<line x1='{cx - box_w * 0.3:.1f}' x2='{cx + box_w * 0.3:.1f}' "
                f"y1='{y(row['p50']):.1f}' y2='{y(row['p50']):.1f}' stroke='{colour}' "
                "stroke-width='2'/>",
            ]
            for limit in (row["lln"], row["uln"]):
                if limit is not None:
                    lines.append(
                        f"<line x1='{cx - box_w * 0.45:.1f}' x2='{cx + box_w * 0.45:.1f}' "
                        f"y1='{y(limit):.1f}' y2='{y(limit):.1f}' stroke='#111827' "
                        "stroke-dasharray='3 2'/>"
                    )
    legend_y = height - 8
    lines += [
        f"<rect x='{left}' y='{legend_y - 9}' width='10' height='10' fill='{_FEMALE}'/>",
        f"<text x='{left + 14}' y='{legend_y}'>female</text>",
        f"<rect x='{left + 70}' y='{legend_y - 9}' width='10' height='10' fill='{_MALE}'/>",
        f"<text x='{left + 84}' y='{legend_y}'>male</text>",
        f"<rect x='{left + 130}' y='{legend_y - 9}' width='10' height='10' fill='{_OTHER}'/>",
        f"<text x='{left + 144}' y='{legend_y}'>sex unknown</text>",
        "</svg>",
    ]
    return "\n".join(lines)


def _distribution_table(distribution: Sequence[dict[str, Any]]) -> str:
    data = sorted(distribution, key=lambda row: (_band_order(row["band"]), row["sex"]))
    body = "".join(
        f"<tr><td>{escape(row['band'])}</td><td>{escape(row['sex'])}</td>"
        f"<td class='n'>{row['n']:,}</td>"
        + "".join(
            f"<td class='n'>{_num(row[key])}</td>" for key in ("p025", "p50", "p975", "lln", "uln")
        )
        + f"<td class='n'>{_percent(row['n_below'], row['n'])}</td>"
        f"<td class='n'>{_percent(row['n_above'], row['n'])}</td></tr>"
        for row in data
    )
    return (
        "<table><tr><th>Age</th><th>Sex</th><th>results</th><th>2.5th</th><th>median</th>"
        "<th>97.5th</th><th>mean lower limit</th><th>mean upper limit</th>"
        f"<th>below lower limit</th><th>above upper limit</th></tr>{body}</table>"
    )


def _yields(kb: Knowledge, persons: dict[str, Any]) -> str:
    tested = persons["tested_for_alp"]
    eligible = persons["eligible_for_criteria"]
    ours = {
        "persistent": (persons["persistent"], eligible),
        "with_low": (persons["with_low_alp"], eligible),
    }
    sections = []
    for stage, title in (("persistent", "Persistently low"), ("with_low", "At least one low")):
        found, base = ours[stage]
        bars: list[tuple[str, float, str, bool]] = [
            (
                "This run",
                100 * found / base if base else 0.0,
                f"{found:,} of {base:,} eligible ({tested:,} tested)",
                True,
            )
        ]
        for item in kb.yields.values():
            if item.stage == stage:
                source = ", ".join(citation_label(kb.citations[c]) for c in item.citations)
                bars.append(
                    (
                        item.study,
                        item.percent,
                        f"{item.definition}; {item.screened:,} screened; {source}",
                        False,
                    )
                )
        sections.append(f"<h3>{title}</h3>" + _bars_svg(bars))
        sections.append(
            "<table><tr><th>Study</th><th>%</th><th>definition, size, source</th></tr>"
            + "".join(
                f"<tr><td>{escape(label)}</td><td class='n'>{value:.3g}</td>"
                f"<td class='muted'>{escape(note)}</td></tr>"
                for label, value, note, _ in bars
            )
            + "</table>"
        )
    return "\n".join(sections)


def _bars_svg(bars: Sequence[tuple[str, float, str, bool]]) -> str:
    top = max((value for _, value, _, _ in bars), default=0.0) or 1.0
    width, left, bar_width, row = 760, 190, 470, 26
    lines = [_svg_open(width, row * len(bars) + 10, "Share of people found, percent")]
    for index, (label, value, _, ours) in enumerate(bars):
        y = 5 + index * row
        length = max(bar_width * value / top, 1.0)
        colour = _OURS if ours else _OTHER
        lines += [
            f"<text x='{left - 8}' y='{y + 15}' text-anchor='end'>{escape(label)}</text>",
            f"<rect x='{left}' y='{y + 3}' width='{length:.1f}' height='{row - 9}' "
            f"fill='{colour}'/>",
            f"<text x='{left + length + 6:.1f}' y='{y + 15}'>{value:.3g}%</text>",
        ]
    lines.append("</svg>")
    return "\n".join(lines)


def _worklist_table(worklist: Iterable[dict[str, Any]]) -> str:
    body = "".join(
        f"<tr><td class='n'>{row['rank']}</td><td>{escape(str(row['person_id']))}</td>"
        f"<td>{escape(row['why'] or '')}</td></tr>"
        for row in worklist
    )
    if not body:
        return "<p>The worklist is empty.</p>"
    return f"<table><tr><th>Rank</th><th>Person</th><th>Why</th></tr>{body}</table>"


def _svg_open(width: int, height: int, title: str) -> str:
    return (
        f"<svg width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' role='img'><title>{escape(title)}</title>"
    )


def _nice(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    return float(
        next(m * magnitude for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if m * magnitude >= value)
    )


def _ticks(top: float) -> list[float]:
    step = top / 5
    return [round(step * i, 6) for i in range(6)]


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2g}%" if whole else ""
