"""Read one inbox file (CSV, XLSX or Parquet) into faithful text, under the contract's column names.

The contract checks (DuckDB SQL) decide what is valid; the reader only makes sure they see the file
as a person sees it: every cell is text (``pl.String``), blank cells are null, codes are never turned
into numbers, and every row carries ``_row``, its number as a person counts it (header = row 1).
How each format is decoded into text is in formats.py (an XLSX's sheet is chosen in workbook.py, title
rows above the header are skipped by the rule in header_row.py); this module finds the inbox file of a
contract, checks the limits (limits.py), names the columns by their headers (the source's renames, then
the contract's aliases), applies a sources.yaml entry and checks that every required column is there.
Cells are stripped of surrounding whitespace (counted, so the run can say so); all-blank cells become
null and all-blank rows are dropped (their row numbers are skipped, not reused).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from data_contracts.normalize import strip_note, visible
from inbox.formats import (
    FORMATS,
    _check_kind,
    _read_csv,
    _read_parquet,
    _read_xlsx,
    decode_csv,
    sniff,
    xlsx_cell_text,
)
from inbox.header_row import header_test, locate_header
from inbox.limits import check_file_size, check_rows, check_zip
from inbox.raw_store import sha256_of
from inbox.sources import PROBLEM, ROW, SourceConfig, apply_source, detect_source, load_sources
from inbox.sources import normalize_header as norm
from inbox.workbook import _letter, refuse_formula
from warehouse.errors import InputError

# FORMATS, sniff, decode_csv and xlsx_cell_text are re-exported: callers import them from here.
__all__ = ["FORMATS", "ReadResult", "decode_csv", "find_input", "read_input", "sniff", "xlsx_cell_text"]


@dataclass
class ReadResult:
    """One file as read: the frame (contract columns where a header maps, extra columns under their own
    header, all pl.String, plus ``_row`` pl.Int64) and what is known about the file itself."""

    frame: pl.DataFrame
    file: str
    format: str  # 'csv' | 'xlsx' | 'parquet'
    encoding: str | None  # 'utf-8' | 'utf-8-sig' | 'gb18030' for CSV; None otherwise
    header_map: dict[str, str]  # original header → contract column
    unmapped: list[str]  # original headers kept as extra columns
    sha256: str
    bytes: int
    source: str | None = None  # the sources.yaml entry applied, if any
    realigned: int = 0  # rows whose shifted cells the source's realign step put back
    warnings: list[str] = field(default_factory=list)  # Chinese notes a person should see
    sheet: str | None = None  # the worksheet read, for XLSX


def refuse_link(path: Path, inbox: Path) -> None:
    """An input is a plain file of the inbox itself: a link (to /etc/shadow, to another folder, even to a
    file beside it) or a path that resolves outside the inbox is refused, naming the file and never
    opening what it points to."""
    path = Path(path)
    if path.is_symlink():
        raise InputError(path.name, "是一个符号链接（快捷方式），不是收件箱中的普通文件，未读取也未保存；"
                         "请把文件本身（而不是链接）放进收件箱")
    if not path.resolve().is_relative_to(Path(inbox).resolve()):
        raise InputError(path.name, "指向收件箱以外的位置，未读取也未保存；请把文件本身放进收件箱")
    if not path.is_file():
        raise InputError(path.name, "不是普通文件（可能是设备、管道或文件夹），未读取；请放入普通的数据文件")


def find_input(inbox: Path, contract) -> Path | None:
    """The inbox file of ``contract`` by its English or Chinese stem (case and width ignored), or None.
    Two matching files, or only a file in an unsupported format (e.g. ``.xls``), is an InputError."""
    stems = {norm(s) for s in contract.stems}
    matches = sorted(
        p
        for p in Path(inbox).iterdir()
        if (p.is_symlink() or not p.is_dir()) and not p.name.startswith((".", "~$")) and norm(p.stem) in stems
    )
    for p in matches:
        refuse_link(p, inbox)
    supported = [p for p in matches if p.suffix.lower() in FORMATS]
    if len(supported) > 1:
        names = "、".join(p.name for p in supported)
        raise InputError(supported[0].name, f"输入「{contract.title}」有多个文件：{names}；请只保留一个")
    if not supported and matches:
        raise InputError(
            matches[0].name, f"不支持的文件格式 {matches[0].suffix}，请另存为 .csv、.xlsx 或 .parquet"
        )
    return supported[0] if supported else None


def _clean(headers: list, body: pl.DataFrame, file: str, merged: list[str] = ()) -> tuple[pl.DataFrame, int]:
    """Name the columns by their headers; strip cells, blank → null; drop blank rows and unnamed empty
    columns. A column with data but no header, or a header written twice, is an InputError.
    Returns the frame and how many non-blank cells lost surrounding whitespace."""
    cells = [c for c in body.columns if c != ROW]
    trimmed = body.select(pl.col(c).str.strip_chars() for c in cells)
    stripped = trimmed.select(
        ((pl.col(c).str.len_bytes() != body.get_column(c).str.len_bytes()) & (pl.col(c) != "")).sum() for c in cells
    ).row(0) if cells and body.height else ()
    body = body.with_columns(trimmed.get_column(c).replace("", None) for c in cells)
    body = body.filter(~pl.all_horizontal(pl.col(c).is_null() for c in cells)) if cells else body
    names = header_names(cells, headers, lambda col: body.get_column(col).null_count() < body.height, file, merged)
    return body.select(*(pl.col(c).alias(h) for c, h in names.items()), ROW), int(sum(stripped))


def header_names(cells: list[str], headers: list, has_data: Callable[[str], bool], file: str,
                 merged: list[str] = ()) -> dict[str, str]:
    """{positional column → its header}, unnamed empty columns left out. A column with data but no
    header (``has_data``), a reserved name or a header written twice is an InputError."""
    names: dict[str, str] = {}
    seen: dict[str, tuple[str, int]] = {}
    for i, (col, raw) in enumerate(zip(cells, headers, strict=True)):
        header = (raw or "").replace("\ufeff", "").strip()
        if not header:
            if has_data(col):
                hint = f"（表头有合并单元格 {'、'.join(merged)}，请拆分后为每列写上名称）" if merged else ""
                raise InputError(
                    file, f"第 {i + 1} 列（{_letter(i)} 列）有数据但没有表头{hint}，请补上表头或删除该列"
                )
            continue
        if header in (ROW, PROBLEM):
            raise InputError(file, f"表头“{header}”是系统保留的列名，请改名", column=header)
        if norm(header) in seen:
            first, j = seen[norm(header)]
            raise InputError(
                file,
                f"表头重复：第 {j + 1} 列“{first}”和第 {i + 1} 列“{header}”，请删除或改名其中一列",
                column=header,
            )
        seen[norm(header)] = (header, i)
        names[col] = header
    return names


def _label(contract, column: str) -> str:
    spec = contract.columns.get(column)
    return f"{spec.aliases[0]}（{column}）" if spec is not None and spec.aliases else column


def _plan(
    headers: list[str], contract, source: SourceConfig | None, file: str
) -> tuple[dict[str, str], list[str]]:
    """{original header → contract column} (the source's renames first, then the contract's aliases) and
    the headers kept as extra columns. Two headers meaning one column is an InputError."""
    aliases = {norm(k): v for k, v in contract.aliases().items()}
    renames = {norm(k): v for k, v in source.columns.items()} if source else {}
    header_map: dict[str, str] = {}
    by_target: dict[str, str] = {}
    for header in headers:
        target = renames.get(norm(header)) or aliases.get(norm(header))
        if target is None:
            continue
        if target in by_target:
            raise InputError(
                file,
                f"表头“{by_target[target]}”和“{header}”都对应“{_label(contract, target)}”，请删除其中一列",
                column=header,
            )
        by_target[target] = header
        header_map[header] = target
    unmapped = [h for h in headers if h not in header_map]
    for target in source.derive if source else ():
        if target in by_target or norm(target) in {norm(h) for h in unmapped}:
            raise InputError(
                file, f"文件已有列“{target}”，与来源配置“{source.name}”生成的列重名", column=target
            )
    return header_map, unmapped


def _sheet_wanted(contract, source: SourceConfig | None, pool: dict[str, SourceConfig]) -> str | None:
    if source is not None:
        return source.sheet
    chosen = sorted((s for s in pool.values() if s.input == contract.name and s.sheet), key=lambda s: s.name)
    return chosen[0].sheet if chosen else None


def _load(
    path: Path, fmt: str, file: str, encoding: str | None, contract, pool: dict[str, SourceConfig],
    source: SourceConfig | None,
) -> tuple[pl.DataFrame, str | None, list[str], str | None]:
    """The frame under its own headers, the encoding, notes for a person and the sheet read."""
    is_header = header_test(contract, pool if source is None else {source.name: source, **pool})
    sheet, notes, found, merged = None, [], None, []
    if fmt == "csv":
        headers, body, found, notes = _read_csv(path.read_bytes(), file, encoding)
    elif fmt == "xlsx":
        check_zip(path, contract.limits, file)
        headers, body, book = _read_xlsx(path, file, _sheet_wanted(contract, source, pool), is_header,
                                         contract.limits.rows)
        sheet, notes, merged = book.name, list(book.notes), book.merged_in_head
    else:
        headers, body = _read_parquet(path, file)
    headers, body, title = locate_header(headers, body, is_header, file, merged)
    if fmt == "xlsx" and book.formulas_without_value:
        refuse_formula(book.formulas_without_value, headers, file)
    frame, stripped = _clean(headers, body, file, merged)
    check_rows(frame.height, contract.limits, file)
    return frame, found, notes + title + strip_note(stripped), sheet


def read_input(
    path: Path,
    contract,
    source: SourceConfig | None = None,
    *,
    sources: dict[str, SourceConfig] | None = None,
    name: str | None = None,
    known_digest: tuple[str, int] | None = None,
) -> ReadResult:
    """Read an inbox file for ``contract``. ``source`` applies a sources.yaml entry; when it is None, the
    one entry of this input whose headers are all in the file is applied (``sources={}`` disables that).
    ``name`` is the file name shown in messages (e.g. the inbox name when reading the raw-store copy);
    ``known_digest`` (sha256, bytes) skips hashing a file the raw store has just hashed.
    Raises InputError for anything a person must fix in the file itself, and for a file beyond the
    contract's limits (size, unpacked size, rows)."""
    path = Path(path)
    file = name or path.name
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(file, f"不支持的文件格式 {path.suffix}，请另存为 .csv、.xlsx 或 .parquet")
    if source is not None and source.input != contract.name:
        raise ValueError(f"source {source.name} feeds {source.input}, not {contract.name}")
    check_file_size(path, contract.limits, file)
    with open(path, "rb") as fh:
        _check_kind(file, path.suffix, fmt, fh.read(8192))
    sha, size = known_digest or sha256_of(path)
    pool = load_sources() if sources is None else sources
    frame, encoding, warnings, sheet = _load(path, fmt, file, source.encoding if source else None, contract,
                                             pool, source)
    if source is None:
        source = detect_source([c for c in frame.columns if c != ROW], contract.name, pool)
        if source is not None and fmt == "csv" and source.encoding and source.encoding != encoding:
            frame, encoding, warnings, sheet = _load(path, fmt, file, source.encoding, contract, pool, source)
    headers = [c for c in frame.columns if c != ROW]
    header_map, unmapped = _plan(headers, contract, source, file)
    realigned = 0
    if source is not None:
        frame, _, realigned = apply_source(frame, source)
    frame = frame.rename({h: t for h, t in header_map.items() if h in frame.columns and h != t})
    require_columns(contract, frame.columns, headers, file)
    return ReadResult(
        frame=frame.select(column_order(contract, frame.columns)),
        file=file,
        format=fmt,
        encoding=encoding,
        header_map=header_map,
        unmapped=unmapped,
        sha256=sha,
        bytes=size,
        source=source.name if source else None,
        realigned=realigned,
        warnings=warnings,
        sheet=sheet,
    )


def require_columns(contract, columns: list[str], headers: list[str], file: str) -> None:
    """An InputError naming the file and the first missing required column, with the headers found."""
    missing = [c for c in contract.required_columns if c not in columns]
    if missing:
        wanted = "、".join(_label(contract, c) for c in missing)
        raise InputError(
            file,
            f"缺少必填列：{wanted}。文件中的表头为：{'、'.join(visible(h) for h in headers) or '（无）'}",
            column=_label(contract, missing[0]),
        )


def column_order(contract, columns: list[str]) -> list[str]:
    """Contract columns first (in the contract's order), then extra columns, ``_problem`` and ``_row``."""
    first = [c for c in contract.columns if c in columns]
    rest = [c for c in columns if c not in first and c not in (PROBLEM, ROW)]
    return first + rest + ([PROBLEM] if PROBLEM in columns else []) + [ROW]
