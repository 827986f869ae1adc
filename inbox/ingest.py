"""From inbox to staging: find an input's file (or fetch its URL), keep the raw bytes, read them."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import polars as pl

from data_contracts.engine import ContractOutcome, run_contract
from data_contracts.ge_runner import GE_MAX_ROWS
from data_contracts.normalize import normalise
from inbox.http_source import fetch
from inbox.limits import check_file_size
from inbox.raw_store import RawRecord, TooLarge, store_raw
from inbox.readers import FORMATS, ReadResult, find_input, read_input, refuse_link
from inbox.sources import SourceConfig, load_sources
from inbox.stream import Streamed, stream_stage
from warehouse.db import ident, query_frame, replace_table
from warehouse.errors import InputError

INBOX_SOURCES = "sources.yaml"


@dataclass
class LoadedInput:
    """An input as read from the raw store: the staging frame and where its bytes came from. A large file
    staged by DuckDB (``streamed``) has an empty frame (the schema only): its rows are in the staging table."""

    result: ReadResult
    raw: RawRecord
    origin: str  # the inbox file name or the URL
    rows: int = -1  # data rows (the frame's height unless streamed)
    streamed: Streamed | None = None

    def __post_init__(self) -> None:
        if self.rows < 0:
            self.rows = self.result.frame.height

    @property
    def frame(self) -> pl.DataFrame:
        return self.result.frame

    @property
    def file(self) -> str:
        return self.result.file

    def metadata(self) -> dict:
        return {
            "provided": True, "sha256": self.raw.sha256, "bytes": self.raw.bytes, "format": self.result.format,
            "encoding": self.result.encoding, "raw_path": str(self.raw.path), "source": self.result.source,
            "origin": self.origin, "realigned": self.result.realigned, "sheet": self.result.sheet,
            "notes": list(self.result.warnings),
        }


def inbox_sources(folder: Path) -> dict[str, SourceConfig]:
    """The shipped source configurations, plus the inbox's own sources.yaml (which wins by name)."""
    sources = load_sources()
    own = Path(folder) / INBOX_SOURCES
    if own.is_symlink() or own.exists():
        refuse_link(own, folder)
        sources.update(load_sources(own))
    return sources


CHANGED = "请等文件写完（或复制完）后再运行；本次运行已停止，当前发布的版本不变"


def file_state(path: Path) -> tuple[int, int, int, int]:
    """What changes when a file is written: its size, modification and change times and inode."""
    st = os.stat(path, follow_symlinks=False)
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def _store(raw_dir: Path, contract, path: Path, name: str) -> RawRecord:
    try:
        return store_raw(raw_dir, contract.name, path, file_name=name, max_bytes=contract.limits.file_bytes)
    except TooLarge as exc:  # the file grew after its size was checked
        raise InputError(name, f"文件在读取时增大到 {exc.size} 字节以上，超过上限 {contract.limits.file_bytes} 字节，"
                         "未保存；请等文件写完后再运行") from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # became a link after it was found: never follow it
            raise InputError(name, "在读取时变成了符号链接，未读取也未保存；请把文件本身放进收件箱") from exc
        raise


@dataclass
class Located:
    """An input found (in the inbox or at its URL) and its bytes kept in the raw store, not yet read."""

    raw: RawRecord
    origin: str  # the inbox file name or the URL
    name: str  # the file name the readers go by
    sources: dict[str, SourceConfig]
    path: Path | None = None  # the inbox file (None for a URL)
    seen: tuple[int, int, int, int] | None = None  # its file_state when it was found

    def check_unchanged(self, when: str) -> None:
        """The inbox file is still what was found and copied (its SHA-256 is the raw copy's): a file written
        to meanwhile would be half ingested, so it is refused."""
        if self.path is None:
            return
        try:
            now = file_state(self.path)
        except OSError:
            now = None
        if now != self.seen or self.raw.bytes != self.seen[0]:
            raise InputError(self.name, f"文件在{when}被修改（大小或修改时间与发现时不同："
                             f"发现时 {self.seen[0]} 字节，现在 {now[0] if now else '已不存在'}"
                             f"{' 字节' if now else ''}），内容可能只读到一半，未使用；{CHANGED}")


def locate_input(folder: Path, contract, raw_dir: Path) -> Located | None:
    """Find `contract`'s input in the inbox (or fetch its configured URL) and store its bytes in the raw
    store; None when it is not provided."""
    folder = Path(folder)
    sources = inbox_sources(folder)
    path = find_input(folder, contract) if folder.is_dir() else None
    if path is not None:
        seen = file_state(path)  # the file as found: it must not change while it is read
        check_file_size(path, contract.limits, path.name)  # before a byte is copied into raw/
        located = Located(_store(raw_dir, contract, path, path.name), path.name, path.name, sources, path, seen)
        located.check_unchanged("复制到原始存储期间")
        return located
    remote = sorted((s for s in sources.values() if s.input == contract.name and s.url), key=lambda s: s.name)
    if not remote:
        return None
    url = remote[0].url
    name = Path(urlparse(url).path).name or f"{contract.name}.csv"
    if Path(name).suffix.lower() not in FORMATS:
        name = f"{contract.name}.csv"
    fetched = fetch(url, raw_dir / "_http" / contract.name)
    check_file_size(fetched.path, contract.limits, name)
    return Located(_store(raw_dir, contract, fetched.path, name), url, name, sources)


def load_input(folder: Path, contract, raw_dir: Path, con=None, stream_bytes: int | None = None,
               located: Located | None = None) -> LoadedInput | None:
    """Read `contract`'s input from the inbox (or its configured URL); None when it is not provided.

    The bytes are stored in the raw store first, and the stored copy is what gets parsed, so the
    rows in the warehouse always come from bytes that are kept with their SHA-256. With a connection
    `con`, a Parquet or CSV file larger than `stream_bytes` (default: the contract's limit) is staged by
    DuckDB into ``stg_<input>`` directly (inbox/stream.py) unless it needs the Python readers.
    """
    located = located or locate_input(folder, contract, raw_dir)
    if located is None:
        return None
    raw, origin, name, sources = located.raw, located.origin, located.name, located.sources
    fmt = FORMATS.get(Path(name).suffix.lower())
    threshold = contract.limits.stream_bytes if stream_bytes is None else stream_bytes
    if con is not None and fmt in ("parquet", "csv") and raw.bytes > threshold:
        streamed = stream_stage(con, raw.path, contract, f"stg_{contract.name}", file=name, fmt=fmt,
                                pool=sources, digest=(raw.sha256, raw.bytes))
        if streamed is not None:
            return LoadedInput(streamed.result, raw, origin, rows=streamed.rows, streamed=streamed)
    result = read_input(raw.path, contract, sources=sources, name=name, known_digest=(raw.sha256, raw.bytes))
    return LoadedInput(result=result, raw=raw, origin=origin)


def empty_stage(contract) -> pl.DataFrame:
    """A zero-row staging frame for an optional input that was not provided."""
    schema = {name: pl.String for name in contract.columns} | {"_row": pl.Int64}
    return pl.DataFrame(schema=schema)


@dataclass
class Ingested:
    """One input after ingest: the staging frame, the contract's outcome and the file's provenance.
    ``file_meta`` says what a run summary and datapackage.json should say about the file: status
    ('provided' | 'absent' | 'empty'), sheet read, encoding, notes (title rows skipped, cells normalised)."""

    stage: pl.DataFrame  # empty (the schema only) for a large input staged by DuckDB: see ``rows``
    outcome: ContractOutcome
    file: str
    file_meta: dict
    rows: int = -1  # rows staged

    def __post_init__(self) -> None:
        if self.rows < 0:
            self.rows = self.stage.height


def _check_row_count(con, contract, loaded: LoadedInput, folder: Path) -> None:
    """A required input with no rows, or with far fewer than the previous run's, blocks the run."""
    rows = loaded.rows
    if rows == 0:
        raise InputError(loaded.file, f"只有表头，没有数据行；「{contract.title}」是必需的输入，不能为空，"
                         "本次运行已停止（当前发布的版本不变）")
    share = contract.limits.min_share_of_previous
    accepted = any(s.input == contract.name and s.accept_fewer_rows for s in inbox_sources(folder).values())
    found = con.execute("SELECT rows, file FROM input_files WHERE input = ?", [contract.name]).fetchall()
    previous = found[0] if found else None
    if share and not accepted and previous and previous[0] and rows < share * previous[0]:
        raise InputError(
            loaded.file, f"只有 {rows} 行数据，不到上次运行（{previous[1] or '上次的文件'}，{previous[0]} 行）的 "
            f"{share:.0%}；文件可能不完整，本次运行已停止。如确属正常，请在收件箱的 sources.yaml 中为该输入写 "
            f"accept_fewer_rows: true（例：{{input: {contract.name}, accept_fewer_rows: true}}）",
        )


def ingest_input(con, folder: Path, contract, raw_dir: Path, run_id: str, *,
                 stream_bytes: int | None = None) -> Ingested:
    """Inbox → raw store → staging table → contract → clean table, rejected_rows and input_files.
    A large Parquet or CSV file is staged by DuckDB without its rows passing through Python; its
    ``Ingested.stage`` is then empty unless it is small enough for great-expectations (GE_MAX_ROWS).
    Whether an input needs ingesting at all is Dagster's to say (its file's data version, assets/ingest/sources.py)."""
    located = locate_input(folder, contract, raw_dir)
    loaded = None if located is None else load_input(folder, contract, raw_dir, con, stream_bytes, located=located)
    stg = f"stg_{contract.name}"
    if loaded is None:
        if contract.required:
            raise InputError(str(folder), f"缺少必需的输入文件「{contract.title}」（文件名为 "
                             f"{' 或 '.join(contract.stems)}，扩展名 .csv/.xlsx/.parquet）")
        stage, file_name, file_meta = empty_stage(contract), "", {"provided": False, "status": "absent"}
        notes: list[str] = []
    else:
        if contract.required:
            _check_row_count(con, contract, loaded, folder)
        if loaded.streamed is not None:  # already in the staging table, normalised in SQL
            normalised = loaded.streamed.normalised
            stage = query_frame(con, f"SELECT * FROM {ident(stg)} ORDER BY _row") if loaded.rows <= GE_MAX_ROWS \
                else loaded.frame  # noqa: S608
        else:
            stage, normalised = normalise(loaded.frame, contract)
        file_name, file_meta = loaded.file, loaded.metadata()
        notes = file_meta["notes"] + normalised
        file_meta |= {"status": "provided" if loaded.rows else "empty", "normalised": normalised,
                      "streamed": loaded.streamed is not None}
    if loaded is None or loaded.streamed is None:
        replace_table(con, stg, stage)
    rows = stage.height if loaded is None or loaded.streamed is None else loaded.rows
    meta = {k: file_meta.get(k) for k in ("sheet", "encoding", "format", "normalised") if file_meta.get(k)}
    outcome = run_contract(con, contract, stg, file_name, run_id,
                           input_sha256=file_meta.get("sha256"), status=file_meta["status"], warnings=notes,
                           meta=meta, stripped=loaded is not None and loaded.streamed is not None)
    # its rows are in the clean table now: no staging table outlives the step (none is an asset)
    con.execute(f"DROP TABLE IF EXISTS {'temp' if loaded is not None and loaded.streamed is not None else 'main'}"
                f".{ident(stg)}")
    if located is not None:
        located.check_unchanged("入库期间")
    con.execute(
        "INSERT OR REPLACE INTO input_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
        [contract.name, file_name, file_meta.get("sha256"), file_meta.get("bytes"), file_meta.get("encoding"),
         file_meta.get("format"), rows, file_meta.get("raw_path"), file_meta.get("source"), run_id],
    )
    return Ingested(stage, outcome, file_name, file_meta, rows)
