"""Charts as inline SVG built on the server: no script, no external request, the published colours.

Every chart has axes with tick labels, a title (its accessible name) and a ``viewBox`` so it scales down
to a phone's width. Colours come from :mod:`scoring.palette` (warning levels, industry categories and the
neutral bar colour), as in the bulletin and the XLSX documents; greys are used only for axes and text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

from scoring.palette import CATEGORY_COLORS, NEUTRAL, WARNING_COLORS

AXIS, GRID, INK = "#52606d", "#d9e2ec", "#1f2933"


@dataclass(frozen=True)
class Segment:
    """One coloured piece of a bar: its label (shown in the legend and the tooltip), value and fill."""

    label: str
    value: float
    fill: str
    outline: bool = False  # drawn as an outline only (e.g. the school's own adjustment)


def level_fill(level: str | None) -> str:
    return WARNING_COLORS.get(level or "", (NEUTRAL, "#ffffff"))[0]


def category_fill(category: str) -> str:
    return CATEGORY_COLORS[category][1]


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    span = max(high - low, 1e-9)
    raw = span / count
    step = 10 ** math.floor(math.log10(raw))
    step *= next(m for m in (1, 2, 2.5, 5, 10) if raw <= step * m)
    first = math.ceil(low / step) * step
    return [round(first + i * step, 6) for i in range(int((high - first) / step + 1e-9) + 1)]


def _fmt(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.1f}"


def _svg(chart_id: str, title: str, width: int, height: int, body: list[str], links: bool = False) -> Markup:
    """The chart's frame: an image to assistive technology, or a group when it holds links (an image's
    content is presentational, so links inside it would be unreachable)."""
    role = "group" if links else "img"
    head = (f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {width} {height}" role="{role}" '
            f'aria-labelledby="{escape(chart_id)}-t" font-size="12" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{escape(chart_id)}-t">{escape(title)}</title>')
    return Markup(head + "".join(body) + "</svg>")


def _x_axis(x0: float, x1: float, y_top: float, y_axis: float, low: float, high: float, unit: str) -> list[str]:
    scale = (x1 - x0) / (high - low)
    out = [f'<line x1="{x0}" x2="{x1}" y1="{y_axis}" y2="{y_axis}" stroke="{AXIS}"/>']
    for t in _ticks(low, high):
        x = round(x0 + (t - low) * scale, 1)
        out.append(f'<line x1="{x}" x2="{x}" y1="{y_top}" y2="{y_axis}" stroke="{GRID}"/>'
                   f'<text x="{x}" y="{y_axis + 14}" text-anchor="middle" fill="{AXIS}">{_fmt(t)}</text>')
    out.append(f'<text x="{x1}" y="{y_axis + 28}" text-anchor="end" fill="{AXIS}">{escape(unit)}</text>')
    return out


def bar_chart(chart_id: str, title: str, bars: list[tuple[str, list[Segment], str | None, float | None]],
              unit: str, label_width: int = 110, width: int = 560, high: float | None = None,
              row_ids: list[str] | None = None) -> Markup:
    """Horizontal bars, one per ``(label, segments, link, total)``: segments stack left to right from 0 (a
    negative one left of 0); the end of the bar shows ``total`` (default: the sum of the segments).
    ``row_ids`` tag each bar's group with ``data-key`` (to find a bar by what it stands for)."""
    row, top = 22, 8
    highs = [sum(s.value for s in segs if s.value > 0) for _, segs, _, _ in bars]
    lows = [sum(s.value for s in segs if s.value < 0) for _, segs, _, _ in bars]
    low = min([0.0, *lows])
    high = max([high if high is not None else 1.0, *highs])
    x0, x1 = label_width, width - 44
    scale = (x1 - x0) / (high - low)
    zero = x0 + (0 - low) * scale
    y_axis = top + row * len(bars) + 4
    body = _x_axis(x0, x1, top, y_axis, low, high, unit)
    for i, (label, segs, link, total) in enumerate(bars):
        y = top + i * row
        key = f' data-key="{escape(row_ids[i])}"' if row_ids else ""
        body.append(f'<g class="bar"{key}>')
        text = f'<text x="{x0 - 6}" y="{y + 14}" text-anchor="end" fill="{INK}">{escape(label)}</text>'
        body.append(f'<a href="{escape(link)}">{text}</a>' if link else text)
        right, left = zero, zero
        for seg in segs:
            w = abs(seg.value) * scale
            if w <= 0:
                continue
            if seg.value > 0:
                x, right = right, right + w
            else:
                left -= w
                x = left
            paint = (f'fill="#ffffff" stroke="{seg.fill}" stroke-width="1.5"' if seg.outline
                     else f'fill="{seg.fill}"')
            body.append(f'<rect x="{round(x, 1)}" y="{y + 3}" width="{round(w, 1)}" height="{row - 8}" {paint}>'
                        f'<title>{escape(label)}：{escape(seg.label)} {_fmt(seg.value)}</title></rect>')
        shown = sum(s.value for s in segs) if total is None else total
        body.append(f'<text class="total" x="{round(right, 1) + 4}" y="{y + 14}" fill="{INK}">{_fmt(shown)}</text></g>')
    body.append(f'<line x1="{round(zero, 1)}" x2="{round(zero, 1)}" y1="{top}" y2="{y_axis}" stroke="{AXIS}"/>')
    return _svg(chart_id, title, width, y_axis + 34, body, links=any(link for _, _, link, _ in bars))


def legend(segments: list[Segment]) -> Markup:
    """The colour key of a chart, as HTML (wraps on a phone)."""
    items = []
    for seg in segments:
        style = "outline" if seg.outline else "solid"
        items.append('<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" '
                     + (f'fill="#ffffff" stroke="{seg.fill}" stroke-width="2"' if style == "outline"
                        else f'fill="{seg.fill}"')
                     + f'/></svg>{escape(seg.label)}</li>')
    return Markup('<ul class="legend">' + "".join(items) + "</ul>")


def line_chart(chart_id: str, title: str, points: list[tuple[str, float | None]], unit: str = "风险分值",
               low: float = 0.0, high: float = 100.0, width: int = 560, height: int = 220,
               thresholds: tuple[tuple[float, str, str], ...] = (),
               labels: dict[str, str] | None = None) -> Markup:
    """A line over editions (x, in order) on a fixed ``low``–``high`` scale, one labelled dot per edition
    that has a value; ``thresholds`` are dashed horizontal lines ``(value, label, colour)``; ``labels`` name the
    editions as people read them (the id stays in the dot's data-edition)."""
    shown = labels or {}
    x0, x1, y0, y1 = 48, width - 16, 36, height - 36
    n = len(points)

    def y_of(v: float) -> float:
        return round(y1 - (max(low, min(high, v)) - low) / (high - low) * (y1 - y0), 1)

    def x_of(i: int) -> float:
        return round(x0 + (x1 - x0) * (0.5 if n == 1 else i / (n - 1)), 1)

    body = [f'<line x1="{x0}" x2="{x0}" y1="{y0}" y2="{y1}" stroke="{AXIS}"/>',
            f'<line x1="{x0}" x2="{x1}" y1="{y1}" y2="{y1}" stroke="{AXIS}"/>',
            f'<text x="4" y="12" fill="{AXIS}" font-size="11">{escape(unit)}</text>']
    for t in _ticks(low, high):
        y = y_of(t)
        body.append(f'<line x1="{x0}" x2="{x1}" y1="{y}" y2="{y}" stroke="{GRID}"/>'
                    f'<text x="{x0 - 6}" y="{y + 4}" text-anchor="end" fill="{AXIS}">{_fmt(t)}</text>')
    for value, label, colour in thresholds:
        y = y_of(value)
        body.append(f'<line x1="{x0}" x2="{x1}" y1="{y}" y2="{y}" stroke="{colour}" stroke-dasharray="4,3"/>'
                    f'<text x="{x1}" y="{y - 3}" text-anchor="end" fill="{INK}" font-size="11">{escape(label)}</text>')
    dots = [(x_of(i), y_of(v), e, v) for i, (e, v) in enumerate(points) if v is not None]
    if len(dots) > 1:
        path = " ".join(f"{x},{y}" for x, y, _, _ in dots)
        body.append(f'<polyline points="{path}" fill="none" stroke="{NEUTRAL}" stroke-width="2"/>')
    for i, (edition, _) in enumerate(points):
        body.append(f'<text x="{x_of(i)}" y="{y1 + 16}" text-anchor="middle" fill="{AXIS}">'
                    f'{escape(shown.get(edition, edition))}</text>')
    for x, y, edition, v in dots:
        body.append(f'<circle class="point" cx="{x}" cy="{y}" r="4" fill="{NEUTRAL}" data-edition="{escape(edition)}">'
                    f'<title>{escape(shown.get(edition, edition))}：{_fmt(v)}</title></circle>'
                    f'<text x="{x}" y="{y - 8}" text-anchor="middle" fill="{INK}">{_fmt(v)}</text>')
    body.append(f'<text x="{(x0 + x1) / 2}" y="{height - 4}" text-anchor="middle" fill="{AXIS}">目录版本</text>')
    return _svg(chart_id, title, width, height, body)


LEVEL_CLASS = {"红": "lvl-red", "黄": "lvl-yellow", "绿": "lvl-green"}


def palette_css() -> str:
    """The warning badges' CSS, from the palette (background and the text colour chosen for it)."""
    return "".join(f".{css}{{background:{WARNING_COLORS[level][0]};color:{WARNING_COLORS[level][1]}}}"
                   for level, css in LEVEL_CLASS.items())
