"""Spreadsheet files a person opens: CSV for Excel/WPS and XLSX with Chinese headers.

Both writers take a polars frame in its final row order and a column -> Chinese header mapping.
They protect the reader: text that Excel would run as a formula (starting with = + - @, tab or CR)
is neutralised with a leading single quote; codes stay text (leading zeros kept); numbers stay
numbers, written plainly (scores to 1 decimal, ratios and shares to 4 decimals).
"""

from __future__ import annotations

import csv
import math
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MIN_WIDTH, MAX_WIDTH = 6, 60


def decimals_for(column: str) -> int:
    """Decimals a person sees: 1 for scores (0–100), 4 for ratios, shares and rates."""
    return 1 if column.endswith("score") else 4


def safe_text(text: str) -> str:
    """Neutralise formula injection: a text cell Excel would evaluate gets a leading quote."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _text_of(value: Any) -> str:
    """A non-numeric value as the text a person reads."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "；".join(_text_of(v) for v in value if v is not None)
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def format_cell(value: Any, column: str) -> str:
    """One CSV cell: numbers plainly (never scientific), text neutralised, null and NaN empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        step = Decimal(1).scaleb(-decimals_for(column))
        rounded = Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP)  # as Excel displays it
        return format(abs(rounded) if rounded == 0 else rounded, "f")
    if _is_number(value):
        return str(value)
    return safe_text(_text_of(value))


def _check_headers(df: pl.DataFrame, headers: Mapping[str, str]) -> list[str]:
    missing = [c for c in df.columns if not headers.get(c)]
    if missing:
        raise ValueError(f"以下列缺少中文表头：{', '.join(missing)}")
    return [headers[c] for c in df.columns]


def write_csv(path: Path, df: pl.DataFrame, headers: Mapping[str, str]) -> None:
    """UTF-8 with BOM, comma-separated, RFC-4180 quoting, CRLF line ends: what Excel writes."""
    titles = _check_headers(df, headers)
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(safe_text(t) for t in titles)
        for row in df.iter_rows():
            writer.writerow(format_cell(v, c) for v, c in zip(row, df.columns, strict=True))


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK (wide/full-width) characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def column_widths(df: pl.DataFrame, titles: Iterable[str]) -> list[int]:
    """Width per column from its longest cell (header included), padded and capped."""
    widths = []
    for column, title in zip(df.columns, titles, strict=True):
        longest = max((display_width(format_cell(v, column)) for v in df.get_column(column)), default=0)
        widths.append(min(max(longest, display_width(title)) + 2, MAX_WIDTH))
    return [max(w, MIN_WIDTH) for w in widths]


def write_xlsx(
    path: Path, df: pl.DataFrame, headers: Mapping[str, str], sheet_name: str, created: datetime
) -> None:
    """One sheet: bold frozen Chinese header, autofilter, widths by content, codes as text cells.

    The document's created time is fixed to ``created`` so equal rows give byte-identical files.
    """
    titles = _check_headers(df, headers)
    options = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(str(path), options)
    try:
        workbook.set_properties({"created": created.replace(tzinfo=None), "title": sheet_name})
        sheet = workbook.add_worksheet(sheet_name)
        bold = workbook.add_format({"bold": True})
        text = workbook.add_format({"num_format": "@"})
        number = {c: workbook.add_format({"num_format": "0." + "0" * decimals_for(c)}) for c in df.columns}
        for col, title in enumerate(titles):
            sheet.write_string(0, col, safe_text(title), bold)
        for r, row in enumerate(df.iter_rows(), start=1):
            for col, (value, column) in enumerate(zip(row, df.columns, strict=True)):
                if value is None or (isinstance(value, float) and not math.isfinite(value)):
                    continue
                if isinstance(value, float):
                    sheet.write_number(r, col, value, number[column])
                elif _is_number(value):
                    sheet.write_number(r, col, value)
                else:
                    sheet.write_string(r, col, safe_text(_text_of(value)), text)
        for col, width in enumerate(column_widths(df, titles)):
            sheet.set_column(col, col, width)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, df.height, max(len(titles) - 1, 0))
    finally:
        workbook.close()
