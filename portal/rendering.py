"""Server-side rendering: the Jinja2 environment and the inline SVG trend charts.

Charts are computed here (no chart library, no external request): a score trend becomes a polyline
on a fixed 0–100 scale so that charts of different majors are comparable at a glance.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from portal.security import INLINE_CSS, INLINE_JS

LEVEL_CLASS = {"红": "lvl-red", "黄": "lvl-yellow", "绿": "lvl-green"}


def trend_chart(trend: list[dict], width: int = 110, height: int = 28, pad: int = 4) -> dict[str, Any]:
    """Polyline points and dots for a trend ([{edition, risk_score}], oldest first) on 0–100."""
    n = len(trend)
    inner_w, inner_h = width - 2 * pad, height - 2 * pad
    dots = []
    for i, point in enumerate(trend):
        x = pad + (inner_w / 2 if n == 1 else inner_w * i / (n - 1))
        score = max(0.0, min(100.0, float(point["risk_score"])))
        y = pad + inner_h * (1 - score / 100)
        dots.append({"x": round(x, 1), "y": round(y, 1), "edition": point["edition"],
                     "score": point["risk_score"]})
    return {"width": width, "height": height, "dots": dots,
            "points": " ".join(f"{d['x']},{d['y']}" for d in dots)}


def pct(value: float | None) -> str:
    """0.8123 → '81.2%' (blank when unknown)."""
    return "—" if value is None else f"{value * 100:.1f}%"


def num(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return str(value) if isinstance(value, int) else f"{value:.{digits}f}"


def sort_key(value: float | int | None) -> str:
    """The data-sort attribute of a numeric cell (unknown sorts first)."""
    return "-1" if value is None else str(value)


templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.globals.update(inline_css=INLINE_CSS, inline_js=INLINE_JS, trend_chart=trend_chart,
                             level_class=LEVEL_CLASS)
templates.env.filters.update(pct=pct, num=num, sort_key=sort_key)


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render a page template with the signed-in principal (if any) available as ``principal``."""
    context.setdefault("principal", getattr(request.state, "principal", None))
    return templates.TemplateResponse(request, name, context, status_code=status_code)
