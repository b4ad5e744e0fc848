"""A server-rendered SVG chart of every ALP result over time with its reference band.

The band is the interval each result was judged against (it changes with age, pregnancy and
the lab), drawn as steps between results, so a child's falling limits or a trimester's
wider ones are visible. Plain SVG: readable on screen, in print and in a PDF.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html import escape

from alkphos.model.interpretation import Interpretation, ResultStatus
from alkphos.render.numbers import canonical

__all__ = ["alp_chart_svg"]

_WIDTH, _HEIGHT = 640, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 44, 16, 40
_COLOURS = {"low": "#1d4ed8", "high": "#b91c1c", "normal": "#15803d", "unknown": "#4b5563"}
_MARKS = {"low": "▼", "high": "▲", "normal": "●", "unknown": "●"}


@dataclass(frozen=True, slots=True)
class _Point:
    x: float
    value: float
    low: float | None
    high: float | None
    status: str
    label: str


def _nice_step(span: float) -> float:
    raw = span / 5 if span > 0 else 1
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return float(next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw))


def _points(results: list[ResultStatus]) -> list[_Point]:
    dated = [r for r in results if r.date is not None]
    if len(dated) == len(results) and dated:
        days = [date.fromisoformat(r.date or "").toordinal() for r in results]
    else:
        days = list(range(len(results)))
    points = []
    for day, result in zip(days, results, strict=True):
        interval = result.reference_interval
        points.append(
            _Point(
                x=float(day),
                value=result.value,
                low=interval.low if interval else None,
                high=interval.high if interval else None,
                status=result.status,
                label=result.date or f"result {result.index + 1}",
            )
        )
    return sorted(points, key=lambda p: p.x)


def alp_chart_svg(result: Interpretation) -> str | None:
    """The chart as an SVG string, or None when the case has no ALP result."""
    results = [r for r in result.results if r.analyte == "alp"]
    if not results:
        return None
    points = _points(results)
    top_value = max(max(p.value for p in points), max((p.high or 0) for p in points))
    step = _nice_step(top_value * 1.15)
    y_max = step * math.ceil(top_value * 1.15 / step)
    x_min, x_max = points[0].x, points[-1].x
    if x_max == x_min:
        x_min, x_max = x_min - 1, x_max + 1
    plot_w = _WIDTH - _LEFT - _RIGHT
    plot_h = _HEIGHT - _TOP - _BOTTOM

    def sx(x: float) -> float:
        return _LEFT + (x - x_min) / (x_max - x_min) * plot_w

    def sy(y: float) -> float:
        return _TOP + plot_h - y / y_max * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" '
        'role="img" aria-labelledby="alp-chart-title alp-chart-desc" class="alp-chart">',
        '<title id="alp-chart-title">ALP results over time with the reference band</title>',
        f'<desc id="alp-chart-desc">{len(points)} ALP result(s) in U/L; the shaded band is '
        "the reference interval each result was judged against.</desc>",
    ]
    for tick in range(int(y_max / step) + 1):
        value = tick * step
        y = sy(value)
        parts.append(
            f'<line x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#d1d5db" stroke-width="1"/>'
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#374151">{value:g}</text>'
        )
    parts.append(
        f'<text x="14" y="{_TOP + plot_h / 2:.1f}" font-size="11" fill="#374151" '
        f'transform="rotate(-90 14 {_TOP + plot_h / 2:.1f})" text-anchor="middle">ALP (U/L)</text>'
    )
    band = _band_polygon(points, sx, sy, x_max)
    if band:
        parts.append(
            f'<polygon points="{band}" fill="#86efac" fill-opacity="0.35" stroke="#15803d" '
            'stroke-width="1" stroke-dasharray="4 3"><title>Reference interval</title></polygon>'
        )
    if len(points) > 1:
        line = " ".join(f"{sx(p.x):.1f},{sy(p.value):.1f}" for p in points)
        parts.append(f'<polyline points="{line}" fill="none" stroke="#374151" stroke-width="1.5"/>')
    for point in points:
        colour = _COLOURS.get(point.status, _COLOURS["unknown"])
        parts.append(
            f'<circle cx="{sx(point.x):.1f}" cy="{sy(point.value):.1f}" r="4.5" fill="{colour}">'
            f"<title>{escape(point.label)}: {canonical(point.value, 'alp')} U/L "
            f"({point.status})</title></circle>"
        )
    for point in _axis_labels(points):
        parts.append(
            f'<text x="{sx(point.x):.1f}" y="{_HEIGHT - _BOTTOM + 16}" text-anchor="middle" '
            f'font-size="11" fill="#374151">{escape(point.label[:10])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _band_polygon(
    points: list[_Point], sx: Callable[[float], float], sy: Callable[[float], float], x_end: float
) -> str:
    usable = [(p.x, p.low, p.high) for p in points if p.low is not None and p.high is not None]
    if not usable:
        return ""
    upper: list[str] = []
    lower: list[str] = []
    for position, (start, low, high) in enumerate(usable):
        end = usable[position + 1][0] if position + 1 < len(usable) else max(x_end, start)
        for x in (start, end):
            upper.append(f"{sx(x):.1f},{sy(high):.1f}")
            lower.append(f"{sx(x):.1f},{sy(low):.1f}")
    return " ".join(upper + lower[::-1])


def _axis_labels(points: list[_Point]) -> list[_Point]:
    if len(points) <= 6:
        return points
    stride = math.ceil(len(points) / 6)
    chosen = points[::stride]
    return chosen if chosen[-1] is points[-1] else [*chosen, points[-1]]
