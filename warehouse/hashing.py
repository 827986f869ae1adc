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


def rows_hash(df: pl.DataFrame) -> str:
    """SHA-256 over the rows as canonical JSON, sorted: equal for the same rows in any order or column order."""
    digest = hashlib.sha256()
    for line in row_json(df).sort().to_list():
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


@dataclass(frozen=True)
class TableDigest:
    """An order-independent hash of a table's rows computed where the rows are (warehouse.table), and their count."""

    sha256: str
    rows: int
