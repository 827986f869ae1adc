"""A lazy handle on one warehouse table: read only the columns and rows a step needs, never the whole table.

Business meaning: a national inbox holds tens of millions of job postings; a step that loaded them whole
(every column, every row) needed 16 GB. An asset that annotates an input as ``WarehouseTable`` gets this
handle from the IO manager instead of a frame (the input stays declared, so the asset graph stays the one
truth about what reads what), and reads through it: a few columns, a deterministic sample, batches of
rows, or an order-independent digest of the rows computed by DuckDB. Filters are fixed SQL text written
by the caller (column names and operators, never values): values go in ``params``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from warehouse.db import connect, ident, table_exists
from warehouse.hashing import TableDigest

BATCH_ROWS = 250_000


@dataclass(frozen=True)
class WarehouseTable:
    """The table ``name`` in the DuckDB file at ``path`` (opened per call; a cursor while the run holds it)."""

    path: Path
    name: str

    def _sql(self, columns: Sequence[str] | None, where: str | None) -> str:
        cols = ", ".join(ident(c) for c in columns) if columns else "*"
        return f"SELECT {cols} FROM {ident(self.name)}" + (f" WHERE {where}" if where else "")  # noqa: S608

    def exists(self) -> bool:
        with closing(connect(self.path)) as con:
            return table_exists(con, self.name)

    @property
    def columns(self) -> list[str]:
        """The table's column names (empty when the table is absent)."""
        if not self.exists():
            return []
        return self.read(where="false").columns

    def count(self, where: str | None = None, params: list | None = None) -> int:
        if not self.exists():
            return 0
        with closing(connect(self.path)) as con:
            sql = f"SELECT count(*) FROM {ident(self.name)}" + (f" WHERE {where}" if where else "")  # noqa: S608
            return int(con.execute(sql, params or []).fetchone()[0])

    def read(self, columns: Sequence[str] | None = None, where: str | None = None,
             params: list | None = None) -> pl.DataFrame:
        """The rows matching ``where`` (all by default), only ``columns``, in table order."""
        if not self.exists():
            return pl.DataFrame()
        with closing(connect(self.path)) as con:
            return _frame(con, self._sql(columns, where), params)

    def batches(self, columns: Sequence[str] | None = None, where: str | None = None, params: list | None = None,
                size: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
        """The same rows as ``read``, in table order, as frames of at most ``size`` rows each (streamed)."""
        if not self.exists():
            return
        with closing(connect(self.path)) as con:
            # a relation's reader streams; execute()'s would hold the whole result first (measured: 5 M rows
            # of 100 characters, +770 MB against +150 MB)
            reader = con.sql(self._sql(columns, where), params=params or None).to_arrow_reader(size)
            pending: list = []
            rows = 0
            for batch in reader:  # DuckDB's record batches may be smaller than asked: gather up to `size`
                pending.append(batch)
                rows += batch.num_rows
                if rows >= size:
                    yield from _split(pl.from_arrow(_table(pending)), size)
                    pending, rows = [], 0
            if rows:
                yield pl.from_arrow(_table(pending))

    def groups(self, key: str, columns: Sequence[str] | None = None, size: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
        """The whole table as frames that each hold every row of some ``key`` values (never one value split
        over two frames), in ascending ``key`` order, about ``size`` rows each (more when one value has more).
        A step whose figures are per key (per school) works a frame at a time with the same result."""
        if not self.exists():
            return
        with closing(connect(self.path)) as con:
            counts = _frame(con, f"SELECT {ident(key)} AS k, count(*) AS n FROM {ident(self.name)} "  # noqa: S608
                                 f"WHERE {ident(key)} IS NOT NULL GROUP BY k ORDER BY k", None)
            nulls = int(con.execute(f"SELECT count(*) FROM {ident(self.name)} "  # noqa: S608
                                    f"WHERE {ident(key)} IS NULL").fetchone()[0])
        between = f"{ident(key)} BETWEEN ? AND ?"
        for low, high in _ranges(counts, size):
            yield self.read(columns, where=between, params=[low, high])
        if nulls:
            yield self.read(columns, where=f"{ident(key)} IS NULL")

    def sample(self, n: int, key: str, columns: Sequence[str] | None = None, where: str | None = None,
               params: list | None = None) -> pl.DataFrame:
        """At most ``n`` rows: those whose MD5 of ``key`` is smallest (ties by table order), in table order.

        The choice depends on the key's values alone, not on the order of the file the rows came from,
        so the same rows give the same sample on every run; below ``n`` rows it is simply ``read``."""
        if not self.exists():
            return pl.DataFrame()
        cols = ", ".join(ident(c) for c in columns) if columns else "* EXCLUDE (_row, _key)"
        inner = (f"SELECT *, rowid AS _row, md5(CAST({ident(key)} AS VARCHAR)) AS _key FROM {ident(self.name)}"  # noqa: S608
                 + (f" WHERE {where}" if where else ""))
        sql = (f"SELECT {cols} FROM (SELECT * FROM ({inner}) ORDER BY _key NULLS LAST, _row LIMIT ?) "  # noqa: S608
               "ORDER BY _row")
        with closing(connect(self.path)) as con:
            return _frame(con, sql, [*(params or []), n])

    def digest(self, columns: Sequence[str], where: str | None = None, params: list | None = None) -> TableDigest:
        """An order-independent SHA-256 of the rows' ``columns`` computed in DuckDB (no row leaves it):
        the sums of each row's 128-bit MD5 over its values (NULL kept apart from the empty text), and the count."""
        if not self.exists():
            return TableDigest(hashlib.sha256(b"").hexdigest(), 0)
        fields = ", ".join(f"coalesce('v' || CAST({ident(c)} AS VARCHAR), 'n')" for c in sorted(columns))
        # chr(31), the unit separator, never occurs in a value of ours; NULL ('n') differs from '' ('v')
        rows = (f"SELECT md5_number(concat_ws(chr(31), {fields})) AS h FROM {ident(self.name)}"  # noqa: S608
                + (f" WHERE {where}" if where else ""))
        sql = (f"WITH r AS ({rows}) SELECT count(*), sum(CAST(h >> 64 AS HUGEINT)), "  # noqa: S608
               "sum(CAST(h & CAST(18446744073709551615 AS UHUGEINT) AS HUGEINT)) FROM r")
        with closing(connect(self.path)) as con:
            count, high, low = con.execute(sql, params or []).fetchone()
        text = f"{','.join(sorted(columns))}|{count}|{high or 0}|{low or 0}"
        return TableDigest(hashlib.sha256(text.encode()).hexdigest(), int(count))


def _frame(con, sql: str, params: list | None) -> pl.DataFrame:
    """The rows streamed out of DuckDB as Arrow batches: unlike ``execute()`` (warehouse.db.query_frame),
    DuckDB does not hold a materialised copy of the whole result meanwhile (measured: school_majors at
    scale 100, 84 MB as a frame, peaked 100 MB lower; a 39-column table 240 MB lower). ``con`` is this
    handle's own cursor, so no other result or transaction is open on it. The frame is one chunk (DuckDB's
    batches joined while the result is dropped), so a table published as read is written the same way whatever
    the batches were (Parquet row groups follow chunks)."""
    return pl.from_arrow(con.sql(sql, params=params or None).arrow().read_all()).rechunk()


def _table(batches: list):
    import pyarrow as pa

    return pa.Table.from_batches(batches)


def _split(frame: pl.DataFrame, size: int) -> Iterator[pl.DataFrame]:
    for start in range(0, frame.height, size):
        yield frame.slice(start, size)


def _ranges(counts: pl.DataFrame, size: int) -> list[tuple]:
    """(first, last) key of consecutive runs of sorted keys ``k`` whose row counts ``n`` add up to about ``size``."""
    if counts.height == 0:
        return []
    chunk = (counts["n"].cum_sum() - counts["n"]) // max(size, 1)  # the rows before each key decide its batch
    bounds = counts.with_columns(chunk=chunk).group_by("chunk", maintain_order=True).agg(
        pl.col("k").first().alias("low"), pl.col("k").last().alias("high"))
    return list(bounds.select("low", "high").iter_rows())
