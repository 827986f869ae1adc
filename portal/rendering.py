"""Server-side rendering: the Jinja2 environment (filters, the charts, the palette's badge classes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from documents.edition import EditionFacts, edition_label
from documents.wording import public_rule
from portal import figures
from portal.charts import LEVEL_CLASS
from portal.security import INLINE_CSS, INLINE_JS


def pct(value: float | None) -> str:
    """0.8123 → '81.2%' ('无数据' when unknown)."""
    return "无数据" if value is None else f"{value * 100:.1f}%"


def num(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "无数据"
    return str(value) if isinstance(value, int) else f"{value:.{digits}f}"


def edition(edition_id: str | None, state: str | None = None) -> str:
    """An edition as people read it (2026年版 / 2026年版（征求意见稿）), never its id: documents' edition_label."""
    return edition_label(EditionFacts.from_id(str(edition_id or ""), state))


def sort_key(value: float | int | None) -> str:
    """The data-sort attribute of a numeric cell (unknown sorts first)."""
    return "-1" if value is None else str(value)


templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.globals.update(inline_css=INLINE_CSS, inline_js=INLINE_JS, level_class=LEVEL_CLASS, fig=figures)
templates.env.filters.update(pct=pct, num=num, sort_key=sort_key, edition=edition, public_rule=public_rule)


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render a page template with the signed-in principal (if any) available as ``principal``."""
    context.setdefault("principal", getattr(request.state, "principal", None))
    return templates.TemplateResponse(request, name, context, status_code=status_code)
