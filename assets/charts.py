"""Small pictures and previews for the Dagster UI: markdown tables and inline SVG bar charts."""

from __future__ import annotations

import base64
import math
from html import escape

import polars as pl

from scoring.palette import NEUTRAL, WARNING_COLORS

PALETTE = {level: colors[0] for level, colors in WARNING_COLORS.items()}
DEFAULT_COLOR = NEUTRAL


def preview_md(frame: pl.DataFrame, rows: int = 8, width: int = 40) -> str:
    """The first rows of a frame as a markdown table (internal columns hidden, long cells cut)."""
    head = frame.head(rows).select([c for c in frame.columns if not c.startswith("_")])
    if head.is_empty():
        return "_（无数据）_"
    lines = ["| " + " | ".join(head.columns) + " |", "|" + "---|" * head.width]
    for row in head.iter_rows():
        cells = ["" if v is None else str(v).replace("|", "\\|").replace("\n", " ")[:width] for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _shown(value: float | None) -> str:
    """A bar's number, or 无数据 (a backtest over a missing year has no MASE: never drawn as 0)."""
    return f"{value:g}" if _finite(value) else "无数据"


def bar_chart_md(title: str, counts: dict[str, float], colors: dict[str, str] | None = None) -> str:
    """A horizontal bar chart as an inline SVG image, with the numbers also written as text."""
    colors = colors or {}
    items = list(counts.items())
    bar_h, gap, label_w, chart_w = 18, 6, 120, 260
    height = 28 + len(items) * (bar_h + gap)
    top = max((v for _, v in items if _finite(v)), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + chart_w + 60}" height="{height}" '
        'font-family="Noto Sans CJK SC, sans-serif" font-size="12">',
        f'<text x="4" y="16" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(items):
        y = 26 + i * (bar_h + gap)
        w = max(1, int(chart_w * value / top)) if _finite(value) and value else 0  # no value: no bar, never 0
        color = colors.get(label, DEFAULT_COLOR)
        parts += [
            f'<text x="4" y="{y + 13}">{escape(str(label))}</text>',
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="{color}"/>',
            f'<text x="{label_w + w + 4}" y="{y + 13}">{_shown(value)}</text>',
        ]
    parts.append("</svg>")
    data = base64.b64encode("".join(parts).encode("utf-8")).decode("ascii")
    listing = " · ".join(f"{k} {_shown(v)}" for k, v in items)
    return f"![{escape(title)}](data:image/svg+xml;base64,{data})\n\n{listing}"


def histogram_md(title: str, values: list[float], lo: float = 0, hi: float = 100, bins: int = 10) -> str:
    """The distribution of scores as a bar chart of equal-width bins."""
    step = (hi - lo) / bins
    counts = {f"{lo + i * step:g}–{lo + (i + 1) * step:g}": 0 for i in range(bins)}
    keys = list(counts)
    for v in values:
        if v is None:
            continue
        idx = min(bins - 1, max(0, int((v - lo) // step)))
        counts[keys[idx]] += 1
    return bar_chart_md(title, counts)


def value_counts(frame: pl.DataFrame, column: str, order: list[str] | None = None) -> dict[str, int]:
    if frame.is_empty() or column not in frame.columns:
        return {}
    found = dict(frame.group_by(column).len().iter_rows())
    keys = [k for k in (order or []) if k in found] + sorted(k for k in found if k not in (order or []) and k)
    return {k: int(found[k]) for k in keys}
