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
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MIN_WIDTH, MAX_WIDTH = 6, 60
PRINT_MAX_WIDTH = 50  # a printed document wraps longer text in columns this wide
LINE_HEIGHT = 15  # points per line of 11-point text
# points per printed line of 11-point text: Chinese faces (Noto Sans CJK, 等线, 宋体) are taller than Latin ones; at
# 15 points LibreOffice set a one-line row's text on its lower border
PRINT_LINE_HEIGHT, ROW_PADDING = 16.5, 3.5
# The width between a landscape A4 page's margins (0.4 in each side) in column-width units: 10.89 in at 96 dpi is
# 1,045 pixels; a column of width w takes 7 w + 5 pixels. 3% is kept back for LibreOffice's rounding.
PAGE_PIXELS, UNIT_PIXELS, COLUMN_PADDING = 1045 * 0.97, 7, 5


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


_WIDE = frozenset(("W", "F"))


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK (wide/full-width) characters count double."""
    if text.isascii():
        return len(text)
    return len(text) + sum(map(_WIDE.__contains__, map(unicodedata.east_asian_width, text)))


def column_widths(df: pl.DataFrame, titles: Iterable[str], printed: bool = False) -> list[int]:
    """Width per column from its longest cell (header included), padded and capped. A printed
    document lets its header wrap over two lines and wraps long text at PRINT_MAX_WIDTH."""
    widths = []
    for column, title in zip(df.columns, titles, strict=True):
        longest = max((display_width(format_cell(v, column)) for v in df.get_column(column)), default=0)
        head = -(-display_width(title) // 2) if printed else display_width(title)
        widths.append(min(max(longest, head) + 2, PRINT_MAX_WIDTH if printed else MAX_WIDTH))
    return [max(w, MIN_WIDTH) for w in widths]


def lines_needed(text: str, width: float, points: float = 11) -> int:
    """Lines a wrapped text in a ``points``-size font takes in a column ``width`` characters wide
    (digits and Latin letters print narrower than their width, so the estimate is shaded by 5%)."""
    return max(1, math.ceil(display_width(text) * 0.95 * points / 11 / max(width - 1, 1)))


def fill_page(widths: Sequence[float]) -> list[float]:
    """A printed table narrower than the landscape A4 page widened, each column in proportion, to span it (as a
    table spans the type area of a printed official document): its title and subtitle then keep to their lines
    instead of wrapping inside a table that covers half the page."""
    room = (PAGE_PIXELS - COLUMN_PADDING * len(widths)) / UNIT_PIXELS
    total = sum(widths)
    return [round(w * room / total, 2) for w in widths] if 0 < total < room else list(widths)


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: a frame in its final order, its Chinese headers and how numbers read.

    ``percent`` columns show as 12.3%; ``missing`` gives the words written where a number is absent
    (a document never leaves a figure blank without saying why; None keeps the cell empty)."""

    name: str
    df: pl.DataFrame
    headers: Mapping[str, str]
    percent: Collection[str] = ()
    missing: Mapping[str, str] | str | None = None
    decimals: Mapping[str, int] | None = None
    fills: Mapping[str, Mapping[str, tuple[str, str]]] | None = None  # column → value → (background, text)
    widths: Mapping[str, int] | None = None  # narrower columns for print (their text wraps)
    # columns a printed document keeps in the sheet but folds away (hidden, grouped under a "+" to open them): the
    # page then shows the columns a reader needs at a readable size instead of every column shrunk to fit
    folded: Collection[str] = ()
    # a printed sheet's own title (表一　全市及各区匹配度), under the document's title and in every page's header
    caption: str | None = None
    one_page: bool = False  # printed on a single page (a legend), shrunk to fit if need be


@dataclass(frozen=True)
class Heading:
    """What makes a sheet a document: a title row, a line naming issuer, edition and date, a footer."""

    title: str
    subtitle: str


def write_xlsx(
    path: Path, df: pl.DataFrame, headers: Mapping[str, str], sheet_name: str, created: datetime
) -> None:
    """One plain sheet: bold frozen Chinese header, autofilter, widths by content, codes as text cells.

    The document's created time is fixed to ``created`` so equal rows give byte-identical files.
    """
    write_workbook(path, [Sheet(sheet_name, df, headers)], created)


def write_workbook(path: Path, sheets: Sequence[Sheet], created: datetime, heading: Heading | None = None) -> None:
    """A workbook of sheets. With a ``heading`` every sheet is a printable document: title and subtitle
    rows above the header, landscape A4 fitted to the page width, the header row repeated on every
    page, borders, wrapped long text, page numbers and the title in the footer."""
    options = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(str(path), options)
    try:
        workbook.set_properties({"created": created.replace(tzinfo=None),
                                 "title": heading.title if heading else sheets[0].name})
        for sheet in sheets:
            _write_sheet(workbook, sheet, heading)
    finally:
        workbook.close()


def _write_sheet(workbook: xlsxwriter.Workbook, spec: Sheet, heading: Heading | None) -> None:
    df = spec.df
    titles = _check_headers(df, spec.headers)
    natural = column_widths(df, titles, printed=heading is not None)
    widths = [min(w, (spec.widths or {}).get(c, w)) for w, c in zip(natural, df.columns, strict=True)]
    folded = [heading is not None and c in spec.folded for c in df.columns]
    if heading:  # the printed columns span the page; folded ones keep their own width
        shown = iter(fill_page([w for w, f in zip(widths, folded, strict=True) if not f]))
        widths = [w if f else next(shown) for w, f in zip(widths, folded, strict=True)]
    wraps = [heading is not None and (w >= PRINT_MAX_WIDTH or w < n) for w, n in zip(widths, natural, strict=True)]
    caption = spec.caption if heading else None
    top = (3 if caption else 2) if heading else 0  # the header row
    base = {"border": 1, "valign": "top"} if heading else {}
    fmt = _Formats(workbook, base)
    sheet = workbook.add_worksheet(spec.name)
    last = max(len(titles) - 1, 0)
    if heading:
        span = sum(w for w, f in zip(widths, folded, strict=True) if not f)  # a longer title wraps inside the table
        title_fmt = workbook.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter",
                                         "text_wrap": True})
        sub_fmt = workbook.add_format({"align": "center", "valign": "vcenter", "text_wrap": True})
        cap_fmt = workbook.add_format({"bold": True, "font_size": 12, "align": "left", "valign": "vcenter",
                                       "text_wrap": True})
        rows = [(0, heading.title, title_fmt, 16), (1, heading.subtitle, sub_fmt, 11)]
        for row, text, style, size in rows + ([(2, caption, cap_fmt, 12)] if caption else []):
            if last:
                sheet.merge_range(row, 0, row, last, text, style)
            else:
                sheet.write(row, 0, text, style)
            sheet.set_row(row, (size + 7) * lines_needed(text, span, size) + ROW_PADDING)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 1 if spec.one_page else 0)  # one page wide, as many pages tall as needed
        sheet.repeat_rows(top)
        sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        # every printed page names its document (and its table): the title rows print on a sheet's first page only
        sheet.set_header(f"&L&8{_footer_text(heading.title)}&R&8{_footer_text(caption or '')}", {"margin": 0.25})
        sheet.set_footer(f"&L&8{_footer_text(heading.title)}&R&8第 &P 页，共 &N 页")
    header_fmt = fmt.get(bold=True, bg_color="#eeeeee", text_wrap=True, **({"align": "center"} if heading else {}))
    for col, title in enumerate(titles):
        sheet.write_string(top, col, safe_text(title), header_fmt)
    if heading:  # row heights set here: LibreOffice does not fit wrapped rows itself
        sheet.set_row(top, PRINT_LINE_HEIGHT * max(lines_needed(t + "一", w) for t, w, f
                                                   in zip(titles, widths, folded, strict=True) if not f) + ROW_PADDING)
    missing = spec.missing if isinstance(spec.missing, Mapping) else {}
    fills = spec.fills or {}
    words = [missing.get(c) or (spec.missing if isinstance(spec.missing, str) else None) for c in df.columns]
    numeric = [df.schema[c].is_numeric() for c in df.columns]
    cell_formats: dict[tuple, Any] = {}  # each cell kind's format, made on its first use (the workbook's order)

    def cell_format(key: tuple, **props: Any):
        found = cell_formats.get(key)
        if found is None:
            found = cell_formats[key] = fmt.get(**props)
        return found

    any_folded = any(folded)
    for r, row in enumerate(df.iter_rows(), start=top + 1):
        texts = [None if v is None or not wraps[c] else _text_of(v) for c, v in enumerate(row)]
        tall = max((lines_needed(t, widths[c]) for c, t in enumerate(texts) if t is not None and not folded[c]),
                   default=1)
        if heading:  # every printed row as tall as its text (a default row is too low for a Chinese face)
            sheet.set_row(r, PRINT_LINE_HEIGHT * tall + ROW_PADDING)
        elif tall > 1:
            sheet.set_row(r, LINE_HEIGHT * tall + 4)
        elif any_folded:  # else LibreOffice fits the row to the folded columns' wrapped text as well
            sheet.set_row(r, LINE_HEIGHT)
        for col, (value, column) in enumerate(zip(row, df.columns, strict=True)):
            if value is None or (isinstance(value, float) and not math.isfinite(value)):
                if words[col] and numeric[col]:
                    sheet.write_string(r, col, words[col], cell_format(("missing",), font_color="#555555"))
                elif heading:
                    sheet.write_blank(r, col, None, cell_format(("plain",)))
            elif isinstance(value, float) or (_is_number(value) and column in spec.percent):
                sheet.write_number(r, col, value,
                                   cell_format(("number", column), num_format=_number_format(column, spec)))
            elif _is_number(value):
                sheet.write_number(r, col, value, cell_format(("plain",)))
            else:
                fill = fills.get(column, {}).get(value) if isinstance(value, str) else None
                colours = {"bg_color": fill[0], "font_color": fill[1], "bold": True} if fill else {}
                text = texts[col] if texts[col] is not None else _text_of(value)
                sheet.write_string(r, col, safe_text(text), cell_format(("text", wraps[col], fill), num_format="@",
                                                                         text_wrap=wraps[col], **colours))
    for col, width in enumerate(widths):
        if folded[col]:
            sheet.set_column(col, col, width, None, {"hidden": True, "level": 1})
        else:  # the column after a folded run carries its "+"
            sheet.set_column(col, col, width, None, {"collapsed": col > 0 and folded[col - 1]})
    if folded and folded[-1]:
        sheet.set_column(len(widths), len(widths), None, None, {"collapsed": True})
    sheet.freeze_panes(top + 1, 0)
    sheet.autofilter(top, 0, top + df.height, last)


def _number_format(column: str, spec: Sheet) -> str:
    if column in spec.percent:
        return "0.0%"
    places = (spec.decimals or {}).get(column, decimals_for(column))
    return "0." + "0" * places if places else "0"


def _footer_text(title: str) -> str:
    """Footer text as Excel reads it: '&' starts a code, so a literal one is doubled."""
    return title.replace("&", "&&")


class _Formats:
    """One xlsxwriter format per distinct set of properties (a workbook has a limited number)."""

    def __init__(self, workbook: xlsxwriter.Workbook, base: Mapping[str, Any]) -> None:
        self._workbook, self._base, self._cache = workbook, dict(base), {}

    def get(self, **props: Any):
        merged = {**self._base, **{k: v for k, v in props.items() if v is not False}}
        key = tuple(sorted(merged.items()))
        if key not in self._cache:
            self._cache[key] = self._workbook.add_format(merged)
        return self._cache[key]
