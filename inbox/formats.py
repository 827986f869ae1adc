"""Inbox file formats: recognise a file by its first bytes; turn CSV, XLSX or Parquet into header cells
and a positional body of faithful text (``c0, c1, …`` as ``pl.String``, plus ``_row``: header = row 1).

- CSV: the encoding is detected and recorded (UTF-8 BOM → ``utf-8-sig``; strict UTF-8 → ``utf-8``;
  strict GB18030, which contains GBK → ``gb18030``), never guessed: undecodable bytes are an error
  naming the row and byte offset. Comma, tab or semicolon separated (sniffed on the header line).
- XLSX: the visible data sheet (see workbook.py), cells as text. A number cell is rendered the way a
  spreadsheet number looks to a machine (``610105.0``, ``str(float)`` otherwise), so the contract's code
  patterns reject codes that a spreadsheet turned into numbers, and integer columns still accept
  ``3.0``. Date cells become ``YYYY-MM-DD``.
- Parquet: every column cast to text (ints ``610105``, floats ``610105.0``).
Content that is not what the extension says (e.g. a web page saved as ``.xlsx``) is an InputError.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import polars as pl

from inbox.sources import ROW
from inbox.workbook import HEAD_ROWS, Sheet, read_sheet, xlsx_cell_text
from warehouse.errors import InputError

__all__ = ["FORMATS", "Sheet", "decode_csv", "sniff", "xlsx_cell_text"]

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet"}
UTF8_BOM = b"\xef\xbb\xbf"
_NON_SPACE = re.compile(rb"\S")
_CJK = re.compile("[\u4e00-\u9fff]")
ZIP_MAGIC, OLE_MAGIC, PARQUET_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"PAR1"
KIND_TEXT = {
    "xlsx": "XLSX（ZIP）格式",
    "xls": "旧版 Excel（.xls）格式",
    "parquet": "Parquet 格式",
    "pdf": "PDF 文档",
    "html": "网页（HTML）",
    "utf16": "UTF-16 编码的文本（Excel 的“Unicode 文本”）",
    "binary": "无法识别的二进制数据",
    "stray_nul": "含空字符（NUL）的文本",
    "text": "文本（CSV 等）",
}
ADVICE = {
    "csv": "请另存为 CSV（UTF-8）",
    "xlsx": "请用 Excel 另存为 .xlsx",
    "parquet": "请重新导出 Parquet 文件",
}

def sniff(head: bytes) -> str:
    """What the first bytes of a file look like: xlsx (any ZIP), xls, parquet, pdf, utf16, html, binary
    or text."""
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        return "xls"
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf16"
    start = head.lstrip(UTF8_BOM).lstrip()[:15].lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return "html"
    if b"\x00" not in head[:4096]:
        return "text"
    return "stray_nul" if _stray_nul(head[:4096]) else "binary"


def _stray_nul(head: bytes) -> bool:
    """Text with a few NUL bytes in it (a damaged export), not binary data: the CSV reader names their place."""
    if head.count(b"\x00") > max(4, len(head) // 200):
        return False
    rest = head.replace(b"\x00", b"")
    for enc in ("utf-8", "gb18030"):
        try:
            rest.decode(enc)
            return True
        except UnicodeDecodeError as exc:
            if exc.start >= len(rest) - 4:  # a character cut by the end of the sample
                return True
    return False


def refuse_nul(utf8: bytes, file: str) -> None:
    """A NUL byte in a CSV's text is refused where it is: the row (header = row 1), the column and the byte."""
    offset = utf8.find(b"\x00")
    if offset < 0:
        return
    start = utf8.rfind(b"\n", 0, offset) + 1
    row = utf8.count(b"\n", 0, offset) + 1
    sep = _separator(utf8)
    header = next(csv.reader([utf8.split(b"\n", 1)[0].decode("utf-8", "replace").strip("\r")], delimiter=sep), [])
    prefix = utf8[start:offset].decode("utf-8", "replace")
    index = len(next(csv.reader([prefix], delimiter=sep), [""])) - 1 if prefix else 0
    column = header[index] if 0 <= index < len(header) else f"第 {index + 1} 列"
    raise InputError(
        file, f"含有空字符（NUL，0x00；文本中第 {offset} 字节，这一行的第 {offset - start + 1} 字节），文件可能在导出或传输中"
        "损坏；请删除该字符或重新导出后再提交", row=row, column=column)


def _check_kind(file: str, suffix: str, fmt: str, head: bytes) -> None:
    if not head:
        raise InputError(file, "文件为空（0 字节）")
    kind = sniff(head)
    if kind == fmt or (fmt == "csv" and kind in ("text", "stray_nul")):
        return
    raise InputError(file, f"文件扩展名为 {suffix}，但内容是{KIND_TEXT[kind]}，{ADVICE[fmt]}或改正扩展名")


def decode_csv(data: bytes, file: str, override: str | None = None) -> tuple[bytes, str, list[str]]:
    """The CSV as UTF-8 bytes without BOM, the encoding it was in, and notes for a person.

    A UTF-8 BOM followed by bytes that are not UTF-8 but are valid GB18030 (a "GBK with BOM" file,
    written by some tools) is read as GB18030, with a note saying so.
    """
    bom = data.startswith(UTF8_BOM)
    body = data[len(UTF8_BOM) :] if bom else data
    errors: dict[str, UnicodeDecodeError] = {}
    for enc in [override] if override else ["utf-8", "gb18030"]:
        try:
            if enc != "gb18030":
                body.decode("utf-8")  # strict: validate only
                return body, "utf-8-sig" if bom else "utf-8", _maybe_gbk(body)
            text = body.decode("gb18030").removeprefix("\ufeff")  # also GB18030's own BOM (84 31 95 33)
        except UnicodeDecodeError as exc:
            if enc == "utf-8" and not override and _CJK.search(body[: exc.start].decode("utf-8")):
                _refuse_broken_utf8(data, file, exc.start + (len(UTF8_BOM) if bom else 0))
            errors[enc] = exc
            continue
        notes = ["文件以 UTF-8 BOM 开头，但内容是 GB18030/GBK 编码，已按 GB18030 读取"] if bom else []
        return text.encode("utf-8"), "gb18030", notes
    # name the encoding that read furthest: its failure is the likely broken spot
    enc, error = max(errors.items(), key=lambda item: item[1].start)
    offset = error.start + (len(UTF8_BOM) if bom else 0)
    tried = "UTF-8 或 GB18030/GBK" if not override else override.upper()
    likely = "UTF-8" if enc != "gb18030" else "GB18030/GBK"
    raise InputError(
        file,
        f"无法按 {tried} 解码：内容大体是 {likely}，但第 {offset} 字节（0x{data[offset]:02X}）处不是有效字符，"
        "文件可能已损坏或混用了编码；请用 Excel 或 WPS 另存为“CSV UTF-8”",
        row=data.count(b"\n", 0, offset) + 1,
    )


def _refuse_broken_utf8(data: bytes, file: str, offset: int) -> None:
    """Chinese text decoded as UTF-8 up to ``offset``: the file is UTF-8 with a broken spot (often a line
    pasted from a GBK file), not a GBK file; reading it all as GB18030 would garble every other line."""
    raise InputError(
        file, f"文件是 UTF-8 编码，但第 {offset} 字节（0x{data[offset]:02X}）处不是有效的 UTF-8 字符（这一行可能"
        "来自 GBK 编码的文件，混用了编码）；请用 Excel 或 WPS 另存为“CSV UTF-8”",
        row=data.count(b"\n", 0, offset) + 1,
    )


def _maybe_gbk(body: bytes) -> list[str]:
    """A short GBK text can also be valid UTF-8 (「农业」's GBK bytes read as 「ũҵ」). When the start of
    a file that decoded as UTF-8 has non-ASCII text but no Chinese character, while GB18030 would give
    Chinese, say so instead of staying silent."""
    sample = body[:65536]
    if sample.isascii():
        return []
    if _CJK.search(sample.decode("utf-8", "ignore")) or not _CJK.search(sample.decode("gb18030", "ignore")):
        return []
    return ["文件可按 UTF-8 解码，但没有任何汉字；若内容显示为乱码，它可能是 GBK 编码，请另存为“CSV UTF-8”"]


def _separator(text: bytes) -> str:
    """Comma, tab or semicolon: whichever the header line has most of (comma when none)."""
    end = text.find(b"\n")
    line = text[: end if end >= 0 else len(text)]
    counts = {sep: line.count(sep.encode()) for sep in (",", "\t", ";")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def _positional(rows: list[list[str | None]], width: int) -> pl.DataFrame:
    """Rows of cells (padded to ``width``) as a frame with positional String columns c0, c1, …"""
    names = [f"c{i}" for i in range(width)]
    cols = [[r[i] if i < len(r) else None for r in rows] for i in range(width)]
    return pl.DataFrame({n: pl.Series(n, c, dtype=pl.String) for n, c in zip(names, cols, strict=True)})


def _csv_rows_slow(utf8: bytes, sep: str, file: str) -> list[list[str | None]]:
    """Python's csv module: slower, used only where polars refused the file, to name the exact row
    (an unclosed quote, more fields than the header) or to accept trailing empty fields."""
    rows: list[list[str | None]] = []
    reader = csv.reader(io.StringIO(utf8.decode("utf-8"), newline=""), delimiter=sep, strict=True)
    try:
        rows.extend(list(record) for record in reader)
    except csv.Error as exc:
        raise InputError(file, f"CSV 格式错误（{exc}），请检查引号是否成对", row=len(rows) + 1) from exc
    if not rows:
        raise InputError(file, "文件为空（没有表头）")
    width = _width(rows)
    for i, record in enumerate(rows[1:], start=2):
        if any(c.strip() for c in record[width:]):
            raise InputError(
                file, f"该行有 {len(record)} 个字段，多于表头的 {width} 列（可能有未加引号的逗号）", row=i
            )
    return rows


def _width(rows: list[list]) -> int:
    """The header's width; a title row (one filled cell) above the header is narrower than the table,
    so then the widest of the first rows counts (header_row.py decides what the title row is)."""
    if sum(1 for c in rows[0] if c and c.strip()) <= 1:
        return max(len(r) for r in rows[:HEAD_ROWS])
    return len(rows[0])


def _read_csv(data: bytes, file: str, override: str | None) -> tuple[list, pl.DataFrame, str, list[str]]:
    """Header cells, positional body (with ``_row``), encoding and notes of a CSV file's bytes."""
    utf8, encoding, notes = decode_csv(data, file, override)
    refuse_nul(utf8, file)
    if _NON_SPACE.search(utf8) is None:
        raise InputError(file, "文件为空（没有表头）")
    sep = _separator(utf8)
    try:
        raw = pl.read_csv(
            io.BytesIO(utf8), has_header=False, infer_schema=False, separator=sep, quote_char='"'
        )
        headers = list(raw.row(0))
        body = raw.slice(1).rename({c: f"c{i}" for i, c in enumerate(raw.columns)})
    except pl.exceptions.PolarsError:
        rows = _csv_rows_slow(utf8, sep, file)
        width = _width(rows)
        headers, body = rows[0] + [None] * (width - len(rows[0])), _positional(rows[1:], width)
    return headers, _numbered(body, first=2), encoding, notes


def _numbered(body: pl.DataFrame, first: int) -> pl.DataFrame:
    return body.with_columns(pl.int_range(first, body.height + first, dtype=pl.Int64).alias(ROW))


def _read_xlsx(
    path: Path, file: str, sheet: str | None, is_header: Callable[[list], bool], max_rows: int
) -> tuple[list, pl.DataFrame, Sheet]:
    """Header cells (row 1) and positional body of the data sheet (see workbook.py)."""
    found = read_sheet(path, file, sheet, is_header, max_rows)
    rows = found.rows
    width = max(len(r) for r in rows)
    return rows[0] + [None] * (width - len(rows[0])), _numbered(_positional(rows[1:], width), first=2), found


def _read_parquet(path: Path, file: str) -> tuple[list, pl.DataFrame]:
    """Column names and every column cast to text."""
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:
        raise InputError(file, f"无法读取 Parquet 文件（{type(exc).__name__}），请重新导出") from exc
    nested = [c for c, t in frame.schema.items() if t.is_nested() or t == pl.Binary]
    if nested:
        raise InputError(file, "列的类型不是简单值（列表、结构或二进制），无法读取", column=nested[0])
    headers = list(frame.columns)
    body = frame.select(pl.col(c).cast(pl.String).alias(f"c{i}") for i, c in enumerate(headers))
    return headers, _numbered(body, first=2)
