"""Large inputs staged by DuckDB straight from the file: their rows never pass through Python.

A Parquet or CSV file above the contract's ``stream_bytes`` (limits in contracts.yaml) is read by DuckDB
into a temporary staging table (dropped once the contract has run) with the treatment the polars readers give (readers.py, normalize.py), in SQL:
every cell as text, ``_row`` as a person counts rows (header = row 1), cells stripped of surrounding
whitespace (counted), blanks as NULL, all-blank rows dropped, headers named by the contract's aliases, a
missing required column refused with the same Chinese error, full-width characters in codes, numbers and
dates made half-width, closed-list values rewritten where their meaning is certain.

What only the Python readers do sends a file their way instead (``None`` is returned, nothing is staged):
a sources.yaml configuration (renames, realignment), a header that is not row 1 (title rows), a CSV that
is not UTF-8, that has blank lines (polars counts them as rows, DuckDB skips them) or that DuckDB cannot
parse (the Python reader then names the exact row and byte), a Parquet column that is not text, an
integer or a date (their text form could differ), and a file beyond the reader's reach (a DuckDB error).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from data_contracts.normalize import (
    _FULL_WIDTH,
    NARROW,
    WIDE_TYPES,
    allowed_mapping,
    allowed_note,
    strip_note,
    wide_note,
)
from inbox.formats import UTF8_BOM, _check_kind, _maybe_gbk, _separator
from inbox.header_row import header_test
from inbox.limits import check_rows
from inbox.readers import ReadResult, _plan, column_order, header_names, require_columns
from inbox.sources import ROW, detect_source
from warehouse.db import ident, quote_any

# what polars' strip_chars() strips (Unicode White_Space), so both paths strip the same cells
WHITESPACE = "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
WIDE_FROM = "".join(map(chr, NARROW))
WIDE_TO = "".join(map(chr, NARROW.values()))
PLAIN_TYPES = ("VARCHAR", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER",
               "USMALLINT", "UTINYINT", "DATE")
CHUNK = 1 << 24
SEP = "\x01"  # joins a row's cells for the one regex per row that flags the rows needing more
_WS_CLASS = "[" + WHITESPACE + "]"
EDGE = f"(^|{SEP}){_WS_CLASS}|{_WS_CLASS}({SEP}|$)"  # whitespace at the edge of some cell
CLEAN = "CASE WHEN _ws THEN NULLIF(trim({p}, ?), '') ELSE NULLIF({p}, '') END"


@dataclass
class Streamed:
    """A file staged by DuckDB: what the reader would have said about it, and the rows staged."""

    result: ReadResult  # its frame is empty (the schema only): the rows are in the staging table
    rows: int
    normalised: list[str]


@dataclass
class _Source:
    """Where the file's cells are, as SQL: positional text cells and the row number."""

    sql: str  # FROM clause
    params: list
    cells: list[str]  # expression of each positional cell (text)
    row: str  # expression of ``_row``
    headers: list
    encoding: str | None
    notes: list[str]


def _parquet(con, path: Path) -> _Source | None:
    described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
    if not described or any(t not in PLAIN_TYPES for _, t, *_ in described):
        return None
    cells = [f"CAST({quote_any(name)} AS VARCHAR)" for name, *_ in described]
    return _Source("read_parquet(?, file_row_number = true)", [str(path)], cells, "file_row_number + 2",
                   [name for name, *_ in described], None, [])


def _lines(path: Path) -> tuple[int, bytes]:
    """Lines of the file (a last line without newline counts) and its first bytes, read in chunks."""
    lines, last, head = 0, b"\n", b""
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            head = head or chunk[:65536]
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n"), head


def _csv(con, path: Path, raw: str) -> _Source | None:
    lines, head = _lines(path)
    bom = head.startswith(UTF8_BOM)
    body = head[len(UTF8_BOM):] if bom else head
    sep = _separator(body)
    first = body.split(b"\n", 1)[0].decode("utf-8", "replace")
    width = len(next(csv.reader([first], delimiter=sep)))  # DuckDB refuses wider rows (strict mode)
    columns = {f"c{i}": "VARCHAR" for i in range(width)}
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {ident(raw)} AS SELECT * FROM read_csv(?, header = false, delim = ?, "  # noqa: S608
        "quote = '\"', escape = '\"', null_padding = true, columns = ?, auto_detect = false, strict_mode = true)",
        [str(path), sep, columns])
    if con.execute(f"SELECT count(*) FROM {ident(raw)}").fetchone()[0] != lines:  # noqa: S608
        return None  # blank lines (or quoted line breaks): the Python reader numbers those rows
    headers = list(con.execute(f"SELECT * FROM {ident(raw)} WHERE rowid = 0").fetchone())  # noqa: S608
    notes = _maybe_gbk(body)
    return _Source(f"(SELECT *, rowid AS _rid FROM {ident(raw)} WHERE rowid > 0)", [], list(columns),  # noqa: S608
                   "_rid + 1", headers, "utf-8-sig" if bom else "utf-8", notes)


def stream_stage(con, path: Path, contract, stg: str, *, file: str, fmt: str, pool: dict,
                 digest: tuple[str, int]) -> Streamed | None:
    """Stage ``path`` into table ``stg`` with DuckDB alone; None when the Python readers must read it."""
    with open(path, "rb") as fh:
        _check_kind(file, path.suffix, fmt, fh.read(8192))
    raw = f"{stg}__raw"
    try:
        return _stage(con, path, contract, stg, raw, file, fmt, pool, digest)
    except duckdb.Error:
        return None
    finally:
        con.execute(f"DROP TABLE IF EXISTS {ident(raw)}")


def _stage(con, path: Path, contract, stg: str, raw: str, file: str, fmt: str, pool: dict,
           digest: tuple[str, int]) -> Streamed | None:
    src = _parquet(con, path) if fmt == "parquet" else _csv(con, path, raw)
    if src is None or not header_test(contract, pool)(src.headers):
        return None
    positions = [f"p{i}" for i in range(len(src.cells))]
    base = (f"SELECT {', '.join(f'{c} AS {p}' for c, p in zip(src.cells, positions, strict=True))}, "  # noqa: S608
            f"{src.row} AS _row FROM {src.sql}")

    def has_data(p: str) -> bool:
        sql = f"SELECT count(NULLIF(trim({ident(p)}, ?), '')) > 0 FROM ({base})"  # noqa: S608
        return con.execute(sql, [WHITESPACE, *src.params]).fetchone()[0]

    names = header_names(positions, src.headers, has_data, file)
    headers = list(names.values())
    if detect_source(headers, contract.name, pool) is not None:
        return None  # a sources.yaml configuration applies: renames and realignment are done in polars
    header_map, unmapped = _plan(headers, contract, None, file)
    target = {p: header_map.get(h, h) for p, h in names.items()}
    require_columns(contract, list(target.values()), headers, file)
    wide_cols = [p for p in names if (col := contract.columns.get(target[p])) is not None and col.type in WIDE_TYPES]
    # one regex per row finds the few rows with a cell to strip (_ws) or a full-width character (_wide);
    # only their cells are stripped and counted exactly (trim with a character list is slow on every cell)
    flag_wide = f"regexp_matches(concat_ws(?, {', '.join(wide_cols)}), ?)" if wide_cols else "false"
    flagged = f"SELECT *, regexp_matches(concat_ws(?, {', '.join(positions)}), ?) AS _ws, {flag_wide} AS _wide FROM ({base})"  # noqa: S608
    flagged_params = [SEP, EDGE] + ([SEP, _FULL_WIDTH.pattern] if wide_cols else []) + src.params
    cleaned = (f"SELECT {', '.join(f'{CLEAN.format(p=p)} AS {p}' for p in positions)}, _row, _ws, _wide "  # noqa: S608
               f"FROM ({flagged})")
    by_name = {t: p for p, t in target.items()}
    wide_names = {target[p] for p in wide_cols}
    exprs, params = [], []
    for name in column_order(contract, [*target.values(), ROW]):
        p = "_row" if name == ROW else by_name[name]
        if name in wide_names:  # only cells holding a full-width character are rewritten
            exprs.append(f"CASE WHEN _wide AND regexp_matches({p}, ?) THEN trim(translate({p}, ?, ?), ?) ELSE {p} END "
                         f"AS {quote_any(name)}")
            params += [_FULL_WIDTH.pattern, WIDE_FROM, WIDE_TO, WHITESPACE]
        else:
            exprs.append(f"{p} AS {quote_any(name)}")
    # a temporary table: it lives until the contract has run (spilling to var/tmp/duckdb beyond the memory
    # cap); writing it into the warehouse file took three times as long as reading the whole file. It keeps
    # each row's flags until the cells of the flagged rows are counted: the regular expressions run once.
    con.execute(f"DROP TABLE IF EXISTS main.{ident(stg)}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {ident(stg)} AS SELECT {', '.join(exprs)}, _ws, _wide "  # noqa: S608
                f"FROM ({cleaned})", params + [WHITESPACE] * len(positions) + flagged_params)
    # all-blank rows are dropped from the stored cells: a WHERE on the query above had DuckDB inline every
    # cleaned cell, each with the row's whitespace regex, into the filter (the regex then ran twice per row:
    # 1.8 s against 1.1 s for 2 million postings)
    stored = [quote_any(target[p]) for p in positions]
    con.execute(f"DELETE FROM {ident(stg)} WHERE coalesce({', '.join(stored)}, NULL) IS NULL")  # noqa: S608
    # the flagged rows' cells as read (an all-blank row is not staged, and has no cell to count either)
    flagged_rows = (f"SELECT b.*, f._ws, f._wide FROM ({base}) b JOIN (SELECT _row, _ws, _wide FROM {ident(stg)} "  # noqa: S608
                    "WHERE _ws OR _wide) f ON b._row = f._row")
    stripped, wide = _counts(con, flagged_rows, src.params, positions, wide_cols, target)
    con.execute(f"ALTER TABLE {ident(stg)} DROP COLUMN _ws")
    con.execute(f"ALTER TABLE {ident(stg)} DROP COLUMN _wide")
    rows = con.execute(f"SELECT count(*) FROM {ident(stg)}").fetchone()[0]  # noqa: S608
    check_rows(rows, contract.limits, file)
    normalised = [wide_note(contract.columns[n], count, example) for n, (count, example) in wide.items()]
    normalised += _allowed(con, contract, stg, set(target.values()))
    columns = column_order(contract, [*target.values(), ROW])
    schema = {c: (pl.Int64 if c == ROW else pl.String) for c in columns}
    return Streamed(ReadResult(
        frame=pl.DataFrame(schema=schema), file=file, format=fmt, encoding=src.encoding, header_map=header_map,
        unmapped=unmapped, sha256=digest[0], bytes=digest[1], warnings=src.notes + strip_note(stripped),
    ), rows, normalised)


def _counts(con, flagged: str, params: list, positions: list[str], wide_cols: list[str],
            target: dict[str, str]) -> tuple[int, dict]:
    """Cells that lost surrounding whitespace, and {column: (cells with full-width characters, first one)},
    counted on the flagged rows only."""
    aggs, head = ["0"], []
    for p in positions:
        aggs.append(f"count(*) FILTER (WHERE {p} <> trim({p}, ?) AND trim({p}, ?) <> '')")
        head += [WHITESPACE, WHITESPACE]
    for p in wide_cols:
        cell = CLEAN.format(p=p)
        aggs += [f"count(*) FILTER (WHERE regexp_matches({cell}, ?))",
                 f"arg_min({cell}, _row) FILTER (WHERE regexp_matches({cell}, ?))"]
        head += [WHITESPACE, _FULL_WIDTH.pattern, WHITESPACE, WHITESPACE, _FULL_WIDTH.pattern]
    found = con.execute(f"SELECT {', '.join(aggs)} FROM ({flagged}) WHERE _ws OR _wide",  # noqa: S608
                        head + params).fetchone()
    stripped = sum(x or 0 for x in found[1:1 + len(positions)])
    rest = found[1 + len(positions):]
    wide = {target[p]: (rest[2 * i], rest[2 * i + 1]) for i, p in enumerate(wide_cols) if rest[2 * i]}
    return stripped, wide


def _allowed(con, contract, stg: str, present: set[str]) -> list[str]:
    """Closed-list cells rewritten where their meaning is certain (normalize.py's rule), with notes."""
    notes = []
    for col in contract.columns.values():
        if not col.allowed or col.name not in present:
            continue
        c = ident(col.name)
        counts = con.execute(f"SELECT {c}, count(*) AS n FROM {ident(stg)} WHERE {c} IS NOT NULL AND "  # noqa: S608
                             f"NOT list_contains(?, {c}) GROUP BY {c} ORDER BY n DESC, {c}",
                             [sorted(col.allowed)]).fetchall()
        mapping = allowed_mapping(col, [v for v, _ in counts])
        if not mapping:
            continue
        whens = " ".join("WHEN ? THEN ?" for _ in mapping)
        con.execute(f"UPDATE {ident(stg)} SET {c} = CASE {c} {whens} END WHERE list_contains(?, {c})",  # noqa: S608
                    [x for item in mapping.items() for x in item] + [list(mapping)])
        notes.append(allowed_note(col, mapping, [(v, n) for v, n in counts if v in mapping]))
    return notes
