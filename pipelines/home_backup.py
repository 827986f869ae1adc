"""Back a home up into a folder with a SHA-256 manifest, and restore it into a new place after checking it.

What a backup holds: every file of the home (warehouse, raw store, editions, models, caches, tokens, review
exports, Dagster's storage) except ``tmp/`` and ``run.lock``. SQLite files (the review store, Dagster's run
history) are copied through SQLite's online backup API, so a reader in another process (the portal) never
leaves a torn copy; a review store or Dagster storage on PostgreSQL is dumped with ``pg_dump`` into
``postgres/<name>.dump`` (custom format). The backup holds the home's run lock, so no run writes the warehouse
meanwhile. ``SHA256SUMS`` lists every file in ``sha256sum`` format (``sha256sum -c SHA256SUMS`` checks it by
hand); ``backup.json`` says where the stores were.

Restore checks every file against the manifest first and refuses, writing nothing, on any difference.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from warehouse.files import file_sha256
from warehouse.home import Home

MANIFEST = "SHA256SUMS"
META = "backup.json"
SKIP = {"tmp", "run.lock"}
SQLITE_SUFFIXES = (".db", ".sqlite")
SQLITE_SIDECARS = ("-wal", "-shm", "-journal")


def sha256_file(path: Path) -> str:
    return file_sha256(path)[1]


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message is Chinese and names the file."""


def _libpq(url: str) -> str:
    """A SQLAlchemy URL (postgresql+psycopg://…) as libpq reads it (postgresql://…)."""
    scheme, rest = url.split("://", 1)
    return scheme.split("+", 1)[0] + "://" + rest


def _pg_dump(url: str, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(out), _libpq(url)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_dump 导出数据库失败：{done.stderr.strip()}")


def _pg_restore(dump: Path, url: str) -> None:
    done = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", _libpq(url), str(dump)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_restore 恢复 {dump.name} 失败（目标须为空数据库）：{done.stderr.strip()}")


def _copy_sqlite(src: Path, dst: Path) -> None:
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _files(root: Path) -> list[Path]:
    out = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] in SKIP or not path.is_file() or path.name.endswith(SQLITE_SIDECARS):
            continue
        out.append(rel)
    return out


def _stores(home: Home) -> dict[str, str | None]:
    """The PostgreSQL URLs of the stores kept outside the home (None: the store is a file in the home)."""
    from pipelines.instance import PG_URL_ENV
    from review.db import URL_ENV

    review = os.environ.get(URL_ENV)
    return {"review": review if review and review.startswith("postgresql") else None,
            "dagster": os.environ.get(PG_URL_ENV) or None}


def backup(home: Home, out: Path) -> list[str]:
    """Copy `home` into the new folder `out` with its manifest; returns the manifest's file names."""
    from pipelines.home_lock import exclusive_run

    if out.exists() and any(out.iterdir()):
        raise BackupError(f"备份目录 {out} 已存在且不为空：请指定一个新的目录")
    out.mkdir(parents=True, exist_ok=True)
    stores = _stores(home)
    # the run lock keeps runs out while files are copied; a backup copies the home as it is and repairs nothing
    # (a warehouse the next run would set aside as damaged is backed up too, for whoever looks at it)
    with exclusive_run(home, inbox="（备份）", edition=None, recover=False):
        for rel in _files(home.root):
            src, dst = home.root / rel, out / "home" / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.suffix in SQLITE_SUFFIXES:
                _copy_sqlite(src, dst)
            else:
                shutil.copy2(src, dst)
        for name, url in stores.items():
            if url:
                _pg_dump(url, out / "postgres" / f"{name}.dump")
    meta = {"created": datetime.now(UTC).isoformat(timespec="seconds"), "home": str(home.root),
            "postgres": sorted(name for name, url in stores.items() if url)}
    (out / META).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    names = [rel.as_posix() for rel in _files(out) if rel.as_posix() != MANIFEST]
    lines = [f"{sha256_file(out / name)}  {name}\n" for name in names]
    (out / MANIFEST).write_text("".join(lines), encoding="utf-8")
    return names


def verify(folder: Path) -> dict[str, str]:
    """The manifest of a backup folder, after checking every file against it (BackupError on a difference)."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        raise BackupError(f"{folder} 不是备份目录：缺少校验清单 {MANIFEST}")
    expected = {}
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            raise BackupError(f"校验清单 {MANIFEST} 第 {number} 行格式不对：{line!r}")
        expected[name] = digest
    present = {rel.as_posix() for rel in _files(folder)} - {MANIFEST}
    for name in sorted(set(expected) - present):
        raise BackupError(f"备份不完整：清单中的文件 {name} 不存在，拒绝恢复")
    for name in sorted(present - set(expected)):
        raise BackupError(f"备份中有清单之外的文件 {name}，拒绝恢复")
    for name, digest in expected.items():
        if sha256_file(folder / name) != digest:
            raise BackupError(f"文件 {name} 的 SHA-256 与校验清单不符（备份已损坏或被改动），拒绝恢复")
    return expected


def restore(folder: Path, target: Path) -> Home:
    """Check the backup at `folder`, then rebuild the home at the new place `target` (stores on PostgreSQL
    go into the empty databases that MAJORWATCH_REVIEW_URL / MAJORWATCH_DAGSTER_PG_URL name)."""
    from pipelines.instance import prepare_home
    from review.db import open_store

    expected = verify(folder)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"恢复目标 {target} 已存在且不为空：请指定一个新的目录")
    meta = json.loads((folder / META).read_text(encoding="utf-8"))
    stores = _stores(Home(target))
    for name in meta["postgres"]:
        if not stores[name]:
            variable = "MAJORWATCH_REVIEW_URL" if name == "review" else "MAJORWATCH_DAGSTER_PG_URL"
            raise BackupError(f"备份中的{'复核库' if name == 'review' else ' Dagster 存储'}在 PostgreSQL 上："
                              f"请设置 {variable} 指向一个空数据库后再恢复")
    for name, url in stores.items():
        if url and name not in meta["postgres"]:
            variable = "MAJORWATCH_REVIEW_URL" if name == "review" else "MAJORWATCH_DAGSTER_PG_URL"
            raise BackupError(f"备份中的{'复核库' if name == 'review' else ' Dagster 存储'}是主目录里的 SQLite 文件，"
                              f"但当前设置了 {variable}（恢复后会读一个空数据库）：请取消该设置后再恢复")
    shutil.copytree(folder / "home", target, dirs_exist_ok=True)
    for name, digest in expected.items():  # the copy, checked again in its new place
        if name.startswith("home/") and sha256_file(target / name.removeprefix("home/")) != digest:
            raise BackupError(f"恢复后的文件 {name} 与校验清单不符（磁盘或复制出错）")
    for name in meta["postgres"]:
        _pg_restore(folder / "postgres" / f"{name}.dump", stores[name])
    home = prepare_home(target)
    open_store(home.root)  # the review store migrated to this release's schema
    return home
