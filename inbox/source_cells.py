"""The cell functions a source configuration (sources.yaml) may name, by the name it uses.

Scraped files publish cells in their own formats (``['大专']``, ``1-1.5万/月``, ``09-12发布``). These
functions rewrite them into what the input contract expects. All are pure: one cell in, one cell out
(text or null). ``TRANSFORMS`` rewrite a cell in place; ``DERIVE`` make a new column from a cell, its
row number and the configuration's parameters; ``place_by_kind`` puts shifted cells back by shape.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

_SIMPLE_LIST = re.compile(r"^\['([^'\"\\]*)'\]$")


def unwrap_list(value: str | None) -> str | None:
    """A Python-list literal as a scraper wrote it (``['大专']``) → its text; ``[]`` → null.
    Several elements are joined with ``；``; a cell that is not a list literal is kept as it is."""
    if value is None or not value.startswith("[") or not value.endswith("]"):
        return value
    if value == "[]":
        return None
    if simple := _SIMPLE_LIST.match(value):  # fast path: one element, no quotes or escapes inside
        return simple[1].strip() or None
    try:
        items = ast.literal_eval(value)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return value
    if not isinstance(items, list):
        return value
    texts = [str(x).strip() for x in items if x is not None and str(x).strip()]
    return "；".join(texts) if texts else None


def strip(value: str | None) -> str | None:
    """Surrounding whitespace removed; an all-blank cell becomes null."""
    return (value.strip() or None) if value is not None else None


TRANSFORMS = {"unwrap_list": unwrap_list, "strip": strip}

_SALARY = re.compile(
    r"^(?P<lo>\d+(?:\.\d+)?)(?P<lo_unit>千|万|元)?(?:-(?P<hi>\d+(?:\.\d+)?))?(?P<unit>千|万|元)"
    r"(?P<bound>以上|以下)?/(?P<per>月|年|天|小时)$"
)
_UNIT = {"元": 1.0, "千": 1_000.0, "万": 10_000.0}


def _number_text(value: float) -> str:
    value = round(value, 2)
    return str(int(value)) if value == int(value) else str(value)


def salary_monthly(text: str | None, params: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """``1-1.5万/月``, ``8千-1万/月``, ``15-25万/年``, ``150元/天``, ``2万以上/年`` → (min, max) in yuan
    per month, as text; (null, null) when the text has another shape."""
    m = _SALARY.match(text.replace(" ", "")) if text else None
    if m is None:
        return None, None
    per = {"月": 1.0, "年": 1 / 12, "天": float(params.get("days_per_month", 21.75))}
    per["小时"] = per["天"] * float(params.get("hours_per_day", 8))
    factor = per[m["per"]]
    hi = float(m["hi"] or m["lo"]) * _UNIT[m["unit"]] * factor
    lo = float(m["lo"]) * _UNIT[m["lo_unit"] or m["unit"]] * factor
    if m["bound"] == "以上":
        return _number_text(lo), None
    if m["bound"] == "以下":
        return None, _number_text(hi)
    return _number_text(lo), _number_text(hi)


_OPENINGS = re.compile(r"^招?(\d+|若干)人$")
_FULL_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SHORT_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})(?:发布)?$")


def openings(text: str | None, row: int, params: Mapping[str, Any]) -> str | None:
    """``招2人`` / ``2人`` → ``2``; ``若干人`` → null (not stated); another shape is kept for the contract."""
    m = _OPENINGS.match(text) if text else None
    if m is None:
        return text
    return None if m[1] == "若干" else m[1]


def posted_date(text: str | None, row: int, params: Mapping[str, Any]) -> str | None:
    """``2019-09-13`` or ``09-12发布`` (year from the configuration) → ISO date; another shape or an
    impossible date is kept as it is so the contract rejects it."""
    if not text:
        return None
    if m := _FULL_DATE.match(text):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    elif (m := _SHORT_DATE.match(text)) and params.get("year"):
        y, mo, d = int(params["year"]), int(m[1]), int(m[2])
    else:
        return text
    try:
        return dt.date(y, mo, d).isoformat()
    except ValueError:
        return text


def row_id(text: str | None, row: int, params: Mapping[str, Any]) -> str | None:
    """A stable id from the row number in the file: prefix + row (``51job-2``)."""
    return f"{params.get('prefix', '')}{row}"


def last_segment(text: str | None, row: int, params: Mapping[str, Any]) -> str | None:
    """The last non-empty ``separator``-separated part (``民营公司| 50-150人| 计算机软件`` → ``计算机软件``),
    null when that part matches ``skip_pattern`` (e.g. it is a company size, not an industry)."""
    if not text:
        return None
    parts = [p.strip() for p in text.split(str(params.get("separator", "|"))) if p.strip()]
    if not parts:
        return None
    skip = params.get("skip_pattern")
    return None if skip and re.match(skip, parts[-1]) else parts[-1]


DERIVE = {
    "salary_min_monthly": lambda text, row, params: salary_monthly(text, params)[0],
    "salary_max_monthly": lambda text, row, params: salary_monthly(text, params)[1],
    "openings": openings,
    "posted_date": posted_date,
    "row_id": row_id,
    "last_segment": last_segment,
}


def place_by_kind(
    values: tuple[str | None, ...], slots: list[str], kinds: tuple[tuple[str, re.Pattern[str]], ...]
) -> tuple[dict[str, str | None], str | None]:
    """Sort one row's slot values into the columns their shapes belong to: (placement, problem)."""
    placed: dict[str, str | None] = {}
    origin: dict[str, str] = {}
    for slot, value in zip(slots, values, strict=True):
        if value is None:
            continue
        column = next((col for col, pattern in kinds if pattern.match(value)), None)
        if column is None:
            return {}, f"“{slot}”列的值“{value}”无法识别，无法校正错位的列"
        if column in placed:
            return {}, f"“{origin[column]}”与“{slot}”两列的值都属于“{column}”，无法校正错位的列"
        placed[column], origin[column] = value, slot
    return placed, None
