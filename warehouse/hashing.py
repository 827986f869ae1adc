"""One order-independent hash of a frame's rows, used for published tables and model training data alike."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import polars as pl


def row_json(df: pl.DataFrame) -> pl.Series:
    """Each row as canonical JSON (columns in name order)."""
    if not df.columns:
        return pl.Series("row", [], dtype=pl.String)
    return df.select(pl.struct(sorted(df.columns)).struct.json_encode().alias("row")).to_series()


def rows_hash(df: pl.DataFrame, chunk: int = 20_000) -> str:
    """SHA-256 over the rows as canonical JSON, sorted: equal for the same rows in any order or column order.

    The lines are fed to the digest a chunk at a time in sorted order, joined by polars: never a Python string
    per row (a national school_major_scores has a million rows of about a kilobyte), nor a sorted copy of all
    the lines beside them (only the order is sorted; equal lines are the same bytes, so ties need no rule)."""
    digest = hashlib.sha256()
    lines = row_json(df)
    order = lines.arg_sort()
    for start in range(0, lines.len(), chunk):
        digest.update((lines.gather(order.slice(start, chunk)) + "\n").str.join("").item().encode("utf-8"))
    return digest.hexdigest()

@dataclass(frozen=True)
class TableDigest:
    """An order-independent hash of a table's rows computed where the rows are (warehouse.table), and their count."""

    sha256: str
    rows: int
