"""A server-rendered SVG chart of every ALP result over time with its reference band.

The band is the interval each result was judged against (it changes with age, pregnancy and
the lab), drawn as steps between results, so a child's falling limits or a trimester's
wider ones are visible. Each point's value is printed beside it and the latest limits are
labelled with their values.

The SVG has no viewBox: horizontal positions are percentages of its width and everything
else is in pixels, so it fills the width of a desktop page while its text stays 12 px at
every width (a scaled drawing shrinks its text on a phone). Plain SVG: readable on screen,
in print and in a PDF.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html import escape
from itertools import pairwise

from alkphos.model.interpretation import Interpretation, ResultStatus
from alkphos.render.numbers import canonical

__all__ = ["FONT_PX", "HEIGHT_PX", "alp_chart_svg"]

FONT_PX = 12
HEIGHT_PX = 240
_TOP, _BOTTOM = 24, 36  # pixels above the plot (a value label) and below it (dates)
_LEFT, _RIGHT = 11.0, 78.0  # the plot's horizontal extent, in percent of the width
_LABEL_X = 80.0  # where the limit labels start (percent)
_COLOURS = {"low": "#1d4ed8", "high": "#b91c1c", "normal": "#15803d", "unknown": "#4b5563"}
_INK = "#374151"
_MAX_DATES = 4


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
    if len(dated) == len(results):
        days = [date.fromisoformat(r.date or "").toordinal() for r in results]
    else:
        days = list(range(len(results)))
    points = []
    for day, result in zip(days, results, strict=True):
        interval = result.reference_interval
        alone = "undated" if len(results) == 1 else f"result {result.index + 1}"
        label = result.date or alone
        points.append(
            _Point(
                x=float(day),
                value=result.value,
                low=interval.low if interval else None,
                high=interval.high if interval else None,
                status=result.status,
                label=label,
            )
        )
    return sorted(points, key=lambda p: p.x)


def _text(x: float, y: float, body: str, anchor: str = "middle", extra: str = "") -> str:
    return (
        f'<text x="{x:.2f}%" y="{y:.1f}" text-anchor="{anchor}" font-size="{FONT_PX}" '
        f'fill="{_INK}"{extra}>{escape(body)}</text>'
    )


def alp_chart_svg(result: Interpretation, height: int = HEIGHT_PX) -> str | None:
    """The chart as an SVG string ``height`` pixels tall, or None when the case has no ALP
    result."""
    results = [r for r in result.results if r.analyte == "alp"]
    if not results:
        return None
    points = _points(results)
    top_value = max(max(p.value for p in points), max((p.high or 0) for p in points))
    step = _nice_step(top_value * 1.15)
    y_max = step * math.ceil(top_value * 1.15 / step)
    plot_h = height - _TOP - _BOTTOM
    x_min, x_max = points[0].x, points[-1].x

    def sx(x: float) -> float:
        if x_max == x_min:  # one result (or one day): in the middle of the plot
            return (_LEFT + _RIGHT) / 2
        return _LEFT + (x - x_min) / (x_max - x_min) * (_RIGHT - _LEFT)

    def sy(y: float) -> float:
        return _TOP + plot_h - y / y_max * plot_h

    described = ", ".join(
        f"{p.label}: {canonical(p.value, 'alp')} U/L ({p.status})" for p in points
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="{height}" role="img" '
        f'class="alp-chart" aria-label="ALP results in U/L with the reference band: '
        f'{escape(described)}">',
    ]
    for tick in range(round(y_max / step) + 1):
        value = tick * step
        y = sy(value)
        parts.append(
            f'<line x1="{_LEFT - 1:.2f}%" x2="{_RIGHT + 1:.2f}%" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#d1d5db" stroke-width="1"/>' + _text(_LEFT - 2, y + 4, f"{value:g}", "end")
        )
    parts.append(_text(0.5, 12, "ALP, U/L", "start"))
    parts.extend(_band(points, sx, sy))
    for before, after in pairwise(points):
        parts.append(
            f'<line x1="{sx(before.x):.2f}%" y1="{sy(before.value):.1f}" '
            f'x2="{sx(after.x):.2f}%" y2="{sy(after.value):.1f}" stroke="{_INK}" '
            'stroke-width="1.5"/>'
        )
    for point in points:
        colour = _COLOURS.get(point.status, _COLOURS["unknown"])
        x, y = sx(point.x), sy(point.value)
        shown = canonical(point.value, "alp")
        parts.append(
            f'<circle cx="{x:.2f}%" cy="{y:.1f}" r="5" fill="{colour}">'
            f"<title>{escape(point.label)}: {shown} U/L ({point.status})</title></circle>"
        )
        label_y = y - 9 if y - 9 - FONT_PX >= 0 else y + 9 + FONT_PX
        parts.append(_text(x, label_y, shown, extra=' font-weight="700" class="point-value"'))
    for point in _axis_labels(points):
        parts.append(_text(sx(point.x), height - _BOTTOM + 18, point.label[:10]))
    parts.append("</svg>")
    return "".join(parts)


def _band(
    points: list[_Point], sx: Callable[[float], float], sy: Callable[[float], float]
) -> list[str]:
    """The reference band as steps (each result's interval from it to the next result; the
    first reaches back to the plot's left edge, the last on to its right edge), and the
    latest limits labelled with their values at the right."""
    usable = [p for p in points if p.low is not None and p.high is not None]
    if not usable:
        return []
    parts: list[str] = []
    for position, point in enumerate(usable):
        start = _LEFT - 1 if position == 0 else sx(point.x)
        end = sx(usable[position + 1].x) if position + 1 < len(usable) else _RIGHT + 1
        top, bottom = sy(point.high or 0), sy(point.low or 0)
        parts.append(
            f'<rect x="{start:.2f}%" width="{max(end - start, 0):.2f}%" y="{top:.1f}" '
            f'height="{bottom - top:.1f}" fill="#86efac" fill-opacity="0.35"/>'
            f'<line x1="{start:.2f}%" x2="{end:.2f}%" y1="{top:.1f}" y2="{top:.1f}" '
            'stroke="#15803d" stroke-dasharray="4 3"/>'
            f'<line x1="{start:.2f}%" x2="{end:.2f}%" y1="{bottom:.1f}" y2="{bottom:.1f}" '
            'stroke="#15803d" stroke-dasharray="4 3"/>'
        )
    latest = usable[-1]
    high_y, low_y = sy(latest.high or 0) + 4, sy(latest.low or 0) + 4
    if low_y - high_y < FONT_PX + 2:  # a narrow band: keep the two labels apart
        high_y, low_y = high_y - FONT_PX / 2 - 1, low_y + FONT_PX / 2 + 1
    parts.append(_text(_LABEL_X, high_y, f"upper {canonical(latest.high or 0, 'alp')}", "start"))
    parts.append(_text(_LABEL_X, low_y, f"lower {canonical(latest.low or 0, 'alp')}", "start"))
    return parts


def _axis_labels(points: list[_Point]) -> list[_Point]:
    if len(points) <= _MAX_DATES:
        return points
    stride = math.ceil((len(points) - 1) / (_MAX_DATES - 1))
    chosen = points[: len(points) - 1 : stride]
    return [*chosen, points[-1]]
