"""One order-independent hash of a frame's rows, used for published tables and model training data alike."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl


def row_json(df: pl.DataFrame) -> pl.Series:
    """Each row as canonical JSON (columns in name order)."""
    if not df.columns:
        return pl.Series("row", [], dtype=pl.String)
    return df.select(pl.struct(sorted(df.columns)).struct.json_encode().alias("row")).to_series()


IN_MEMORY_BYTES = 256 * 2**20
"""Frames estimated above this are hashed with their lines sorted out of core (a national school_major_scores
is about a gigabyte, its JSON lines half as much again): scratch files hold the lines, not the memory."""
SPILL_ROWS, SAMPLE_ROWS, BUCKETS = 100_000, 20_000, 16


def rows_hash(df: pl.DataFrame, chunk: int = 20_000, in_memory_bytes: int = IN_MEMORY_BYTES) -> str:
    """SHA-256 over the rows as canonical JSON, sorted: equal for the same rows in any order or column order.

    The sorted lines are fed to the digest a chunk at a time, joined by polars: never a Python string per row.
    A frame estimated above ``in_memory_bytes`` has its lines encoded a slice at a time into scratch files by
    range, then sorted a range at a time: a slice and a range in memory, never every line."""
    digest = hashlib.sha256()
    lines = _sorted_lines if df.estimated_size() <= in_memory_bytes else _sorted_lines_out_of_core
    for part in lines(df, chunk):
        # joined by polars and taken as UTF-8 bytes: no Python str of the lines (decoding them cost more than
        # hashing them)
        digest.update((part + "\n").str.join("").cast(pl.Binary).item())
    return digest.hexdigest()


def _sorted_lines(df: pl.DataFrame, chunk: int, encoded: bool = False) -> Iterator[pl.Series]:
    lines = df["line"] if encoded else row_json(df)
    order = lines.arg_sort()  # only the order is sorted: no sorted copy of every line beside them
    for start in range(0, lines.len(), chunk):
        yield lines.gather(order.slice(start, chunk))


def _sorted_lines_out_of_core(df: pl.DataFrame, chunk: int) -> Iterator[pl.Series]:
    """The same lines in the same order, through scratch files: each slice's lines go to the bucket of their
    range (ranges cut at quantiles of a sample of lines), then each bucket is sorted in turn."""
    sample = row_json(df.gather_every(max(1, df.height // SAMPLE_ROWS))).sort()
    bounds = sample.gather([sample.len() * i // BUCKETS for i in range(1, BUCKETS)] if sample.len() else []
                           ).unique().sort()
    with tempfile.TemporaryDirectory(prefix="rows-hash-") as scratch:
        for start in range(0, df.height, SPILL_ROWS):
            lines = row_json(df.slice(start, SPILL_ROWS))
            # bucket b holds bounds[b-1] <= line < bounds[b]: buckets in order are lines in order
            parts = pl.DataFrame({"line": lines, "bucket": bounds.search_sorted(lines, side="right")})
            for (bucket,), part in parts.partition_by("bucket", as_dict=True).items():
                part.select("line").write_parquet(Path(scratch) / f"{bucket:04d}-{start:012d}.parquet")
        for bucket in range(bounds.len() + 1):
            files = sorted(Path(scratch).glob(f"{bucket:04d}-*.parquet"))
            if files:
                yield from _sorted_lines(pl.read_parquet(files), chunk, encoded=True)


@dataclass(frozen=True)
class TableDigest:
    """An order-independent hash of a table's rows computed where the rows are (warehouse.table), and their count."""

    sha256: str
    rows: int
