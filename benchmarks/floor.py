"""The floor of a run: DuckDB reading every input once and writing the published files once.

Nothing a run does can be cheaper than moving its bytes in and out once, so the benchmarks report every
stage as a multiple of this. Inputs: CSV and Parquet through DuckDB's own readers (all text, as the
staging does), Excel through polars/calamine into DuckDB (DuckDB reads .xlsx only with an extension that
is not installed here). Outputs: every published table written once as Parquet and as CSV with DuckDB's
COPY (the Excel copies are not counted: DuckDB does not write .xlsx).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import polars as pl

from warehouse.db import ident

READERS = {".csv": "SELECT * FROM read_csv(?, all_varchar = true, header = true)",
           ".parquet": "SELECT * FROM read_parquet(?)"}


def _read_inputs(con: duckdb.DuckDBPyConnection, inbox: Path) -> int:
    rows = 0
    for i, path in enumerate(sorted(p for p in inbox.iterdir() if p.is_file())):
        table = ident(f"in_{i}")
        if path.suffix in READERS:
            try:
                con.execute(f"CREATE TABLE {table} AS {READERS[path.suffix]}", [str(path)])  # noqa: S608
            except duckdb.InvalidInputException:  # a GB18030 CSV: DuckDB reads UTF-8/16 and Latin-1 only
                fd, name = tempfile.mkstemp(suffix=".csv")
                os.close(fd)
                utf8 = Path(name)
                utf8.write_text(path.read_bytes().decode("gb18030"), encoding="utf-8")
                con.execute(f"CREATE TABLE {table} AS {READERS['.csv']}", [str(utf8)])  # noqa: S608
                utf8.unlink()
        elif path.suffix == ".xlsx":
            frame = pl.read_excel(path, infer_schema_length=0)  # noqa: F841 - read by the replacement scan
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM frame")  # noqa: S608
        else:
            continue
        rows += con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    return rows


def _write_outputs(con: duckdb.DuckDBPyConnection, edition: Path, out: Path) -> int:
    rows = 0
    for path in sorted(edition.glob("*.parquet")):
        table = ident(f"out_{path.stem}")
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_parquet(?)", [str(path)])  # noqa: S608
        started = time.perf_counter()
        con.execute(f"COPY {table} TO '{out / (path.stem + '.parquet')}' (FORMAT parquet)")  # noqa: S608
        con.execute(f"COPY {table} TO '{out / (path.stem + '.csv')}' (FORMAT csv, HEADER)")  # noqa: S608
        _write_outputs.seconds += time.perf_counter() - started  # type: ignore[attr-defined]
        rows += con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    return rows


def floor_seconds(inbox: Path, edition: Path, repeat: int = 3) -> dict:
    """Median over ``repeat`` tries of (reading every input into DuckDB + writing each published table once)."""
    reads, writes, rows_in, rows_out = [], [], 0, 0
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="majorwatch-floor-") as tmp:
            con = duckdb.connect(str(Path(tmp) / "floor.duckdb"))
            started = time.perf_counter()
            rows_in = _read_inputs(con, inbox)
            reads.append(time.perf_counter() - started)
            _write_outputs.seconds = 0.0  # type: ignore[attr-defined]
            rows_out = _write_outputs(con, edition, Path(tmp))
            writes.append(_write_outputs.seconds)  # type: ignore[attr-defined]
            con.close()
    read, write = statistics.median(reads), statistics.median(writes)
    return {"read_inputs_s": round(read, 3), "write_published_s": round(write, 3), "floor_s": round(read + write, 3),
            "rows_in": rows_in, "rows_out": rows_out}
