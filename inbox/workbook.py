"""XLSX inbox files: which sheet holds the data, and its rows as faithful text.

- Hidden sheets are never read (a stale copy of last year's catalog is often kept hidden).
- One visible sheet with content: that one. Several: the one whose first rows hold the input's
  header; if several could be the data, the file is refused listing them, and a ``sheet:`` entry
  in sources.yaml chooses. The sheet read is recorded.
- A formula whose result the file does not hold (written by a program, never calculated) is an
  error naming its cell, not an empty cell. Merged cells in the header rows are reported.
- A number cell is rendered as a machine sees it (``610105.0``), dates ISO (see ``xlsx_cell_text``).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from warehouse.errors import InputError

HEAD_ROWS = 6  # rows looked at to decide whether a sheet holds the data (header, title rows)
_FORMULA = re.compile(rb"<f[\s>/]")
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"')
CHUNK = 1 << 20


@dataclass
class Sheet:
    """One sheet's cells as text (row 1 first), and what a person should be told about the workbook."""

    name: str
    rows: list[list[str | None]]
    formulas_without_value: list[tuple[int, int, str]] = field(default_factory=list)  # (row, col, formula)
    merged_in_head: list[str] = field(default_factory=list)  # e.g. "A1:B1"
    notes: list[str] = field(default_factory=list)


def xlsx_cell_text(value: object) -> str | None:
    """A spreadsheet cell as text: numbers as a machine sees them (``610105.0``), dates ISO."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return str(float(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _open(path: Path, file: str, data_only: bool = True):
    try:
        import openpyxl  # only when an input is a workbook

        return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # a ZIP that is not a workbook, a damaged or encrypted file
        raise InputError(file, f"无法作为 XLSX 打开（{type(exc).__name__}），请用 Excel 重新另存为 .xlsx") from exc


def _scan(path: Path, member: str) -> tuple[bool, list[str]]:
    """Whether the sheet's XML has formulas, and its merged ranges within the first rows."""
    has_formula, merged, tail = False, [], b""
    with zipfile.ZipFile(path) as archive, archive.open(member) as fh:
        while chunk := fh.read(CHUNK):
            text = tail + chunk
            has_formula = has_formula or bool(_FORMULA.search(text))
            merged += [m for m in _MERGE.finditer(text) if int(m[2]) <= HEAD_ROWS and m[1] != m[3]]
            tail = text[-200:]
    return has_formula, sorted({f"{m[1].decode()}{m[2].decode()}:{m[3].decode()}{m[4].decode()}" for m in merged})


def _head(ws) -> list[list[str | None]]:
    return [[xlsx_cell_text(v) for v in row] for row in ws.iter_rows(max_row=HEAD_ROWS, values_only=True)]


def _choose(book, file: str, wanted: str | None, is_header: Callable[[list], bool]) -> tuple[object, list[str]]:
    def holds_data(head: list[list]) -> bool:  # the input's header in one of the first rows
        return any(is_header(row) for row in head)

    names = [ws.title for ws in book.worksheets]
    if wanted is not None:
        if wanted not in names:
            raise InputError(file, f"来源配置指定的工作表“{wanted}”不存在；工作簿中的工作表为：{'、'.join(names)}")
        return book[wanted], [f"按来源配置读取工作表“{wanted}”"]
    visible = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
    hidden = [ws.title for ws in book.worksheets if ws.sheet_state != "visible"]
    notes = [f"已跳过隐藏的工作表：{'、'.join(hidden)}"] if hidden else []
    filled = [ws for ws in visible if any(any(c not in (None, "") for c in r) for r in _head(ws))]
    if not filled:
        raise InputError(file, "文件为空（没有可见且有内容的工作表）" + (f"；隐藏的工作表 {'、'.join(hidden)} 不会被读取"
                                                                 if hidden else ""))
    if len(filled) == 1:
        if hidden and not holds_data(_head(filled[0])):
            raise InputError(file, f"可见的工作表“{filled[0].title}”没有本输入的表头；隐藏的工作表 {'、'.join(hidden)} "
                             "不会被读取：若数据在隐藏的工作表中，请取消隐藏并删除多余的工作表")
        return filled[0], notes
    data = [ws for ws in filled if holds_data(_head(ws))]
    if len(data) == 1:
        others = [ws.title for ws in filled if ws is not data[0]]
        return data[0], notes + [f"工作表“{data[0].title}”有本输入的表头，已读取；未读取：{'、'.join(others)}"]
    candidates = data or filled
    raise InputError(
        file, f"有 {len(candidates)} 个可见工作表都可能是数据：{'、'.join(ws.title for ws in candidates)}；"
        "请删除多余的工作表，或在收件箱的 sources.yaml 中用 sheet: 指定要读取的工作表",
    )


def read_sheet(path: Path, file: str, wanted: str | None, is_header: Callable[[list], bool],
               max_rows: int) -> Sheet:
    """The chosen sheet's rows (trailing empty rows dropped); at most ``max_rows`` + 1 data rows are read."""
    book = _open(path, file)
    try:
        ws, notes = _choose(book, file, wanted, is_header)
        name, member = ws.title, getattr(ws, "_worksheet_path", None)  # the sheet's XML in the ZIP
        rows = []
        for row in ws.iter_rows(values_only=True):
            rows.append([xlsx_cell_text(v) for v in row])
            if len(rows) > max_rows + HEAD_ROWS:
                break
    finally:
        book.close()
    while rows and not any(c is not None and str(c).strip() for c in rows[-1]):
        rows.pop()
    sheet = Sheet(name, rows, notes=notes)
    if member:
        has_formula, sheet.merged_in_head = _scan(path, member.lstrip("/"))
        if has_formula:
            sheet.formulas_without_value = _formulas_without_value(path, file, name, rows)
    return sheet


def _formulas_without_value(path: Path, file: str, name: str, rows: list[list]) -> list[tuple[int, int, str]]:
    book = _open(path, file, data_only=False)
    try:
        found = []
        for r, row in enumerate(book[name].iter_rows(max_row=len(rows), values_only=True), start=1):
            for c, value in enumerate(row):
                if isinstance(value, str) and value.startswith("=") and (
                        c >= len(rows[r - 1]) or rows[r - 1][c] is None):
                    found.append((r, c, value))
        return found
    finally:
        book.close()


def refuse_formula(formulas: list[tuple[int, int, str]], headers: list, file: str) -> None:
    row, col, formula = formulas[0]
    name = headers[col] if col < len(headers) and headers[col] else None
    more = f"；共 {len(formulas)} 个这样的单元格" if len(formulas) > 1 else ""
    raise InputError(
        file, f"单元格是公式“{formula}”，但文件没有保存它的计算结果（可能由程序生成、从未在 Excel 中计算），"
        f"不能当作空值{more}；请用 Excel 打开后保存，或把公式复制粘贴为数值", row=row,
        column=f"{_letter(col)} 列" + (f"（{name}）" if name else ""),
    )


def _letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based column index (0 → A, 26 → AA)."""
    text = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        text = chr(65 + rem) + text
    return text
