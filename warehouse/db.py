"""Every DuckDB connection of majorwatch goes through here: one writer at a time, readers read files."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

WRITER_POOL = "duckdb_writer"
DUCKDB_MEMORY = "1536MB"
"""The writer's memory cap: beyond it DuckDB spills to var/tmp/duckdb (out-of-core sorts, joins, windows)."""
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS input_files (
    input VARCHAR PRIMARY KEY, file VARCHAR, sha256 VARCHAR, bytes BIGINT, encoding VARCHAR,
    format VARCHAR, rows BIGINT, raw_path VARCHAR, source VARCHAR, run_id VARCHAR, loaded_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS rejected_rows (
    input VARCHAR, file VARCHAR, "row" BIGINT, "column" VARCHAR, "value" VARCHAR, rule VARCHAR,
    reason VARCHAR, run_id VARCHAR, loaded_at TIMESTAMP, input_sha256 VARCHAR
);
-- rejected rows are kept per run (run_id, input_sha256); homes made before that get the column
ALTER TABLE rejected_rows ADD COLUMN IF NOT EXISTS input_sha256 VARCHAR;
CREATE TABLE IF NOT EXISTS contract_results (
    input VARCHAR PRIMARY KEY, run_id VARCHAR, passed BOOLEAN, severity VARCHAR, rows_in BIGINT,
    rows_clean BIGINT, rows_rejected BIGINT, summary VARCHAR, checked_at TIMESTAMP
);
"""


def ident(name: str) -> str:
    """Quote a table or column name that majorwatch itself chose; refuse anything else."""
    if not _IDENT.match(name):
        raise ValueError(f"not a safe SQL identifier: {name!r}")
    return f'"{name}"'


def quote_any(name: str) -> str:
    """Quote a column name that came from an input file's header (kept as an extra column)."""
    if not name or "\x00" in name:
        raise ValueError("empty column name")
    return '"' + name.replace('"', '""') + '"'


# Warehouses held open by this process (path → connection, holders). Opening a DuckDB file loads its
# catalog and closing the last connection checkpoints it (≈0.1 s each); a run opens the warehouse for every
# input an asset loads, so the run's resources hold it open and every connect() in between is a cursor.
_HELD: dict[str, tuple[duckdb.DuckDBPyConnection, int]] = {}


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse file (created with its bookkeeping tables when new). Close it after use."""
    held = _HELD.get(str(Path(path).resolve()))
    if held is not None:  # this process has it open (for writing): a reader gets a cursor of that
        return held[0].cursor()
    if read_only:
        return _open(path, read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path)
    bound_memory(con, path.parent / "tmp" / "duckdb")
    con.execute(SCHEMA_SQL)
    return con


class WarehouseDamaged(RuntimeError):
    """The warehouse file cannot be read (truncated, overwritten, not a DuckDB file). It is a cache of the raw
    store and the inbox: ``majorwatch home check --repair`` sets it aside and the next run rebuilds it."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path, self.detail = Path(path), detail
        super().__init__(
            f"仓库文件 {path} 已损坏或不完整，无法读取（{detail}）。仓库只是收件箱与原始存储的缓存：请运行 "
            f"majorwatch home check --repair --home {Path(path).parent}（把它改名保留并清除依赖它的缓存），"
            "然后重新运行 majorwatch run，仓库会从收件箱重建；已发布的版本不受影响")


# DuckDB's words for a file that is not (or no longer) a whole database; a lock held by another process is not one
DAMAGED_SIGNS = ("not a valid DuckDB database file", "Could not read enough bytes", "checksum", "Corrupt",
                 "corrupt", "Serialization", "truncated", "bad magic")


def damage_of(exc: BaseException) -> str | None:
    """The reason a DuckDB error says the file is damaged, or None (busy, full disk, anything else)."""
    text = str(exc)
    if not isinstance(exc, duckdb.Error) or "Could not set lock" in text:
        return None
    return text.splitlines()[0][:200] if any(sign in text for sign in DAMAGED_SIGNS) else None


def _open(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        detail = damage_of(exc)
        if detail is None:
            raise
        raise WarehouseDamaged(path, detail) from exc


def bound_memory(con: duckdb.DuckDBPyConnection, spill: Path) -> None:
    """Cap DuckDB's memory (default 80 % of RAM) so that staging tens of millions of postings spills to
    `spill` (under the home) instead of growing the process; MAJORWATCH_DUCKDB_MEMORY overrides the cap."""
    con.execute("SET memory_limit = ?", [_memory_limit()])
    spill.mkdir(parents=True, exist_ok=True)  # DuckDB creates the last level only
    con.execute("SET temp_directory = ?", [str(spill)])


def _memory_limit() -> str:
    return os.environ.get("MAJORWATCH_DUCKDB_MEMORY", DUCKDB_MEMORY)


def release_buffers(con: duckdb.DuckDBPyConnection) -> None:
    """Let DuckDB drop the table blocks it keeps cached (up to its memory cap) and the process return freed memory.

    A held warehouse kept what the ingest step had touched: 330 MB at scale 100, though duckdb_memory()
    reported 120 MB in use. DuckDB has no call for it; lowering the cap evicts every unpinned block, and the
    cap is set back at once (blocks still pinned by an open result make the lower cap fail: then nothing moves)."""
    try:
        con.execute("SET memory_limit = '32MB'")
    except duckdb.Error:
        pass
    finally:
        con.execute("SET memory_limit = ?", [_memory_limit()])
    return_free_memory()


@contextmanager
def held_open(path: Path) -> Iterator[None]:
    """Keep the warehouse open in this process until the block ends (a run's or a step's resources).

    Only for the process that holds the writer pool slot: DuckDB lets one process open a file for writing.
    Nested holds of the same file share one connection; the last one out closes it (and checkpoints).
    """
    key = str(Path(path).resolve())
    if key in _HELD:
        con, holders = _HELD[key]
        _HELD[key] = (con, holders + 1)
    else:
        _HELD[key] = (connect(path), 1)
    try:
        yield
    finally:
        con, holders = _HELD[key]
        if holders > 1:
            _HELD[key] = (con, holders - 1)
        else:
            del _HELD[key]
            con.close()


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    rows = con.execute(  # fetchall: a fetchone() leaves the result open, and DuckDB 2 then refuses register()
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ?",
        [table],
    ).fetchall()
    return bool(rows and rows[0][0])


def read_frame(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    """A whole warehouse table as a polars frame (empty frame if the table is absent)."""
    if not table_exists(con, table):
        return pl.DataFrame()
    return query_frame(con, f"SELECT * FROM {ident(table)}")  # noqa: S608 - identifier checked


def query_frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    """Run a parameterised query and return its rows as a polars frame."""
    # DuckDB 2 refuses con.sql() while an execute() result is open; execute() always works.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Arrow output on a DB-API result")
        return pl.from_arrow(con.execute(sql, params or []).to_arrow_table())


def sort_unless_ordered(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    """Rewrite ``table`` sorted by ``column`` unless its rows already are in that order (one pass over one
    column, instead of sorting every row of a table that is in order). True when it had to sort."""
    t, c = ident(table), ident(column)
    inversions = con.execute(f"SELECT count(*) FILTER (WHERE {c} <= prev) FROM "  # noqa: S608
                             f"(SELECT {c}, lag({c}) OVER () AS prev FROM {t})").fetchone()[0]
    if inversions:
        con.execute(f"CREATE OR REPLACE TABLE {t} AS SELECT * FROM {t} ORDER BY {c}")  # noqa: S608
    return bool(inversions)


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Replace a table's rows with `frame` in one transaction; returns the row count.

    The frame goes to DuckDB in polars' own string layout (Arrow string views, which DuckDB reads): the
    default ``to_arrow()`` copies every text column into classic Arrow strings first. Measured with the
    scale-500 school_major_scores (800,000 rows, 1 GB, two thirds of it the long 详细依据 text): the write
    peaked 1.9 GB above the frame before, 0.9 GB after, with the same rows and column types."""
    con.complete()  # a caller's half-read result (a fetchone()) would make DuckDB 2 refuse register()
    con.register("_incoming", frame.to_arrow(compat_level=pl.CompatLevel.newest()))
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute(f"CREATE OR REPLACE TABLE {ident(table)} AS SELECT * FROM _incoming")  # noqa: S608
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("_incoming")
    return frame.height


@cache
def _libc_trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to trim
        return None


def return_free_memory() -> None:
    """Give the heap memory freed by the last table read or write back to the system.

    glibc keeps freed memory for reuse, so a run's resident size ratcheted up to its largest step and stayed
    there (measured: 350 MB kept after reading three scale-100 tables and dropping them). Called between steps
    by the IO manager, so each step starts from what is really in use."""
    trim = _libc_trim()
    if trim is not None:
        trim(0)
