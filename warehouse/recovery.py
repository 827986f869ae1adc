"""The warehouse is a cache of the inbox and the raw store: a missing or damaged DuckDB file is set aside and
rebuilt by the next run.

Business meaning: a deleted (``rm var/warehouse.duckdb*``) or truncated warehouse used to block every run until
someone removed ``var/cache/ingest`` by hand. Now the run (and ``majorwatch home check --repair``) notices it,
keeps the damaged file under another name (nothing is deleted), and the run ingests every input again from the
inbox, publishing the same rows: an asset whose table the warehouse does not hold is stale (pipelines/stale.py). Only the process that holds the
home's run lock calls ``recover_warehouse`` (no other run can be using the file).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from warehouse.db import WarehouseDamaged, damage_of, ident
from warehouse.home import Home

WAL = ".wal"
HEADER_BYTES = 3 * 4096  # DuckDB's file header and its two database headers, before the first block


@dataclass(frozen=True)
class WarehouseState:
    status: str  # 'ok' | 'missing' | 'damaged' | 'busy' (another process holds it: nothing to do here)
    detail: str = ""


def warehouse_state(home: Home, *, full: bool = False) -> WarehouseState:
    """Whether the warehouse file opens (and with ``full``, whether every row of every table reads back)."""
    path = home.warehouse
    if not path.exists():
        return WarehouseState("missing")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        detail = damage_of(exc)
        if detail is None:  # held by another process (the UI's run), or another trouble that is not damage
            return WarehouseState("busy", str(exc).splitlines()[0][:200])
        return WarehouseState("damaged", detail)
    try:
        block_size, blocks = con.execute("SELECT block_size, total_blocks FROM pragma_database_size() "
                                         "WHERE database_name = current_database()").fetchall()[0]
        declared = HEADER_BYTES + block_size * blocks
        if path.stat().st_size < declared:  # a truncated file opens, and fails later in the middle of a run
            return WarehouseState("damaged", f"文件只有 {path.stat().st_size} 字节，它记录的数据块需要 {declared} 字节，已被截断")
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                            "WHERE table_schema = 'main' AND table_type = 'BASE TABLE'").fetchall()]
        for table in tables if full else ():
            con.execute(f"SELECT sum(hash(t)) FROM {ident(table)} AS t").fetchall()  # noqa: S608 - every column read
    except duckdb.Error as exc:
        return WarehouseState("damaged", str(exc).splitlines()[0][:200])
    except ValueError:  # a table name majorwatch never writes: not its warehouse
        return WarehouseState("damaged", "含有不是 majorwatch 写入的表")
    finally:
        con.close()
    return WarehouseState("ok")


def set_aside(home: Home) -> Path:
    """Keep the damaged file (and its write-ahead log) under a dated name beside it; nothing is deleted."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = home.warehouse.with_name(f"{home.warehouse.name}.damaged-{stamp}")
    for suffix in ("", WAL):
        source = Path(str(home.warehouse) + suffix)
        if source.exists():
            source.rename(Path(str(target) + suffix))
    return target


def recover_warehouse(home: Home, *, full: bool = False) -> list[str]:
    """Make the warehouse usable for a run; Chinese notes of what was done (none when nothing was wrong)."""
    notes: list[str] = []
    state = warehouse_state(home, full=full)
    wal = Path(str(home.warehouse) + WAL)
    if state.status == "missing" and wal.exists():  # a log without its database belongs to no database
        wal.rename(wal.with_name(f"{wal.name}.orphan-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"))
        notes.append(f"仓库文件不存在，但留有它的预写日志，已改名保留：{wal.name}.orphan-…")
    if state.status == "damaged":
        kept = set_aside(home)
        notes.append(f"仓库文件已损坏（{state.detail}），已改名保留为 {kept.name}；本次运行从收件箱重建仓库")
    elif state.status == "missing" and home.raw.is_dir() and any(home.raw.iterdir()):  # it held a run's inputs
        notes.append("仓库文件不存在：本次运行从收件箱重建仓库")
    return notes


__all__ = ["WarehouseDamaged", "WarehouseState", "recover_warehouse", "set_aside", "warehouse_state"]
