"""Where the header is: row 1, or below title rows that are skipped by rule.

Rule: the header is the first of the first rows that names every required column of the input (by
the contract's names and aliases, or by a source configuration's headers). Rows above it are skipped
when each has at most one filled cell (a title such as “2025年专业目录”), and the skip is noted. A row
above it with several filled cells is a second header row (or merged group headings): refused, since
which names belong to which column is not certain.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from inbox.sources import ROW, SourceConfig
from inbox.sources import normalize_header as norm
from inbox.workbook import HEAD_ROWS
from warehouse.errors import InputError


def header_test(contract, pool: dict[str, SourceConfig]) -> Callable[[list], bool]:
    """A test of whether a row of cells is this input's header."""
    aliases = {norm(k): v for k, v in contract.aliases().items()}
    required = set(contract.required_columns)
    sources = [s for s in pool.values() if s.input == contract.name and s.needed_headers()]

    def is_header(cells: list) -> bool:
        texts = [str(c) for c in cells if c not in (None, "")]
        named = {aliases[norm(t)] for t in texts if norm(t) in aliases}
        return (bool(texts) and required <= named) or any(s.matches(texts) for s in sources)

    return is_header


def _filled(cells: list) -> list[str]:
    return [str(c).strip() for c in cells if c is not None and str(c).strip()]


def locate_header(
    headers: list, body: pl.DataFrame, is_header: Callable[[list], bool], file: str, merged: list[str] = ()
) -> tuple[list, pl.DataFrame, list[str]]:
    """The header cells and the body below them, and a note when title rows were skipped."""
    if is_header(headers):
        return headers, body, []
    cells = [c for c in body.columns if c != ROW]
    head = [headers] + [list(r) for r in body.head(HEAD_ROWS - 1).select(cells).rows()]
    found = next((k for k in range(1, len(head)) if is_header(head[k])), None)
    if found is None:
        titled = _filled(headers)
        if len(titled) == 1 and len(cells) > 1:
            raise InputError(
                file, f"第 1 行只有一个单元格“{titled[0]}”，像是标题行，但下面几行都不是本输入的表头；"
                "请让表头（各列名称）在第 1 行，或紧接在标题行下面", row=1)
        return headers, body, []
    above = head[:found]
    wide = [i + 1 for i, row in enumerate(above) if len(_filled(row)) > 1]
    if wide:
        where = f"（合并单元格：{'、'.join(merged)}）" if merged else ""
        raise InputError(
            file, f"表头在第 {found + 1} 行，但它上面的第 {'、'.join(map(str, wide))} 行也像表头{where}：有两行表头"
            "或合并的表头单元格，无法确定每列的名称；请只保留一行表头，每列一个名称", row=wide[0])
    titles = "；".join(t for row in above for t in _filled(row)) or "空行"
    rows = "、".join(str(i + 1) for i in range(found))
    note = f"第 {rows} 行是标题行（“{titles}”），已按规则跳过；表头在第 {found + 1} 行"
    return head[found], body.slice(found), [note]
