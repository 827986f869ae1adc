"""Publish an edition: the yearly 专业指导性目录 and 禁限目录 as an immutable folder.

An edition is written in a temporary folder inside ``published/``, made durable (fsync), renamed into
place when complete, and only then named in ``CURRENT`` (written beside it and swapped atomically).
A failure at any step leaves ``CURRENT`` and every earlier edition exactly as they were. An edition
folder is never changed: re-publishing an id with the same rows is a no-op, with other rows an error.
The list of majors that moved since the previous edition is computed in changes.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl

from warehouse import spreadsheet
from warehouse.changes import CHANGE_HEADERS, REMOVED_REASON, compute_changes, first_edition_changes
from warehouse.current import (
    CURRENT,
    _fsync,
    _publish_lock,
    _switch_current,
    current_edition,
    list_editions,
    takes_force,
    validate_edition,
)
from warehouse.files import file_sha256
from warehouse.hashing import IN_MEMORY_BYTES, rows_hash
from warehouse.pause_points import pause_point

# The changes computation is re-exported: callers (and tests) read it from here.
__all__ = [
    "CHANGE_HEADERS", "CURRENT", "REMOVED_REASON", "TABLES", "EditionExistsError", "EditionResult",
    "Comparison", "PublishedFile", "TableSpec", "canonical", "compute_changes", "current_edition", "list_editions",
    "REQUIRED_TABLES", "publish_edition", "rows_hash", "validate_edition",
]

RESOURCE_NAME_RE = re.compile(r"[-a-z0-9._/]+")
RESERVED_KEYS = {"name", "title", "edition", "created", "previous_edition", "resources", "profile"}
MEDIATYPES = {
    "csv": "text/csv",
    "html": "text/html",
    "pdf": "application/pdf",
    "parquet": "application/vnd.apache.parquet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class TableSpec:
    """How one published table is keyed, its sheet name (None: Parquet only, not for the public), and
    whether every edition must have it (an optional table is published when the caller passes it)."""

    keys: tuple[str, ...]
    sheet: str | None
    required: bool = True


TABLES = {
    "guiding_catalog": TableSpec(("major_code",), "专业指导性目录"),
    "restriction_list": TableSpec(("major_code", "restriction", "scope"), "禁限目录"),
    "school_major_scores": TableSpec(("school_code", "major_code"), None),
    # the commission's what-if: verdicts that would move under each example policy (not for the public)
    "policy_comparisons": TableSpec(("policy", "major_code"), None, required=False),
    # issue 28: the action plan (专业调整行动清单) and the backbone candidates (骨干专业推荐名单)
    "actions": TableSpec(("school_code", "major_code", "action"), None, required=False),
    "backbone_candidates": TableSpec(("rank", "school_code", "major_code"), None, required=False),
    # issue 27: the earlier codes of the catalog's majors (published when there is one): changes.csv, the bulletin
    # and the portal's trends follow a renumbered major from the previous editions' code to its own
    "code_history": TableSpec(("new_code", "old_code"), None, required=False),
}
REQUIRED_TABLES = tuple(name for name, spec in TABLES.items() if spec.required)


# Writes an edition's documents into the temporary folder: (folder, edition id, published frames, the
# previous edition's Parquet tables by name or None) -> files written. It replaces the tables' plain XLSX.
DocumentWriter = Callable[[Path, str, dict[str, pl.DataFrame], dict[str, pl.DataFrame] | None], Iterable[Path]]


@dataclass(frozen=True)
class Comparison:
    """What an edition tells against the edition before it, computed before the publication (assets/publish/
    comparisons.py): ``tables`` (edition_changes, the rows of changes.csv, and the documents' industry_list_changes
    and edition_history) for the edition id ``edition`` against ``previous`` (None: a first edition). The
    publication uses them when it publishes that id against that previous edition, else computes them itself
    with the same functions (a revision -rN, or an edition put in force since)."""

    edition: str
    previous: str | None
    tables: dict[str, pl.DataFrame]


def previous_tables(root: Path, previous: str | None, names: Iterable[str] | None = None
                    ) -> dict[str, pl.DataFrame] | None:
    """The previous edition's Parquet tables by name (``names``, or all it has); None for a first edition."""
    if not previous:
        return None
    folder = Path(root) / previous
    files = sorted(p.name for p in folder.glob("*.parquet")) if names is None else [
        f"{n}.parquet" for n in names if (folder / f"{n}.parquet").is_file()]
    return {Path(n).stem: pl.read_parquet(folder / n) for n in files}


class EditionExistsError(RuntimeError):
    """An edition with this id is already published with different content (editions are immutable)."""


@dataclass
class PublishedFile:
    """One file of an edition as a reader can verify it."""

    name: str
    bytes: int
    sha256: str


@dataclass
class EditionResult:
    """A published edition: its folder and files, how many majors moved, and the edition it follows."""

    edition: str
    folder: Path
    files: list[PublishedFile]
    changes: int
    previous: str | None
    unchanged: bool = False  # the same content was already published under this id: nothing was written
    in_force: bool = True  # CURRENT names it (a draft published beside a final in force does not)
    adjusted: int = 0  # rows of changes.csv marked 复核调整 (a verdict the commission set after review)


def canonical(name: str, df: pl.DataFrame) -> pl.DataFrame:
    """The table in its published order: by its key columns (unique: a duplicated key is refused, so no tie
    is left to break and no row needs to be serialised for the sort)."""
    keys = TABLES[name].keys
    missing = [k for k in keys if k not in df.columns]
    if missing:
        raise ValueError(f"表 {name} 缺少关键列：{', '.join(missing)}")
    if _ascending(df, keys):  # already in published order (school scores are built sorted): no sorted copy
        return df.rechunk()  # one chunk, as a sort leaves it: Parquet row groups follow chunks
    duplicated = df.select(keys).is_duplicated()
    if duplicated.any():
        example = df.filter(duplicated).row(0)
        raise ValueError(f"表 {name} 的关键列 {', '.join(keys)} 有重复行，例如 {example}")
    return df.sort(list(keys), maintain_order=True)


def _ascending(df: pl.DataFrame, keys: tuple[str, ...]) -> bool:
    """Each row's key strictly above the one before (so sorted and unique), checked without a sort; a null key
    is never taken as in order (the sort decides where it goes)."""
    if df.height < 2:
        return not df.select(pl.any_horizontal(pl.col(keys).is_null()).any()).item() if df.height else True
    above = pl.lit(False)
    for key in reversed(keys):  # (a, b) > (a', b') ⇔ a > a' or (a = a' and b > b')
        above = (pl.col(key) > pl.col(key).shift(1)) | ((pl.col(key) == pl.col(key).shift(1)) & above)
    return bool(df.select(above.slice(1).fill_null(False).all()).item()
                and not df.select(pl.any_horizontal(pl.col(keys).is_null()).any()).item())


def publish_edition(
    published_dir: Path,
    edition: str,
    tables: dict[str, pl.DataFrame],
    headers: dict[str, dict[str, str]],
    package: dict,
    *,
    created: datetime | None = None,
    documents: DocumentWriter | None = None,
    overridden: Collection[str] = (),
    put_in_force: bool = True,
    compared: Comparison | None = None,
) -> EditionResult:
    """Write ``published_dir/<edition>`` (catalog, restriction list, school scores, changes, manifest)
    and make it the edition in force unless it is a draft and a final edition is in force
    (``current.takes_force``: package ``state``), or when ``put_in_force`` is False (finalize switches CURRENT
    itself, in one transaction with the review store). ``package`` adds the caller's provenance to datapackage.json.
    ``documents`` writes the edition's documents (print-ready XLSX, lists, bulletin, matching report)
    into the folder before datapackage.json and SHA256SUMS, so they are listed in both; ``overridden``
    (major codes whose verdict an override set) are marked in changes.csv; ``compared``: changes.csv's rows and
    the documents' comparisons as computed before, used when they compare with the edition this one follows."""
    validate_edition(edition)
    if not set(REQUIRED_TABLES) <= set(tables) <= set(TABLES):
        optional = [n for n in TABLES if n not in REQUIRED_TABLES]
        raise ValueError(f"发布需要且只接受这些表：{', '.join(REQUIRED_TABLES)}（可选：{', '.join(optional)}）；"
                         f"收到：{', '.join(tables)}")
    clash = RESERVED_KEYS & set(package)
    if clash:
        raise ValueError(f"package 不能覆盖这些字段：{', '.join(sorted(clash))}")
    frames = {name: canonical(name, tables[name]) for name in TABLES if name in tables}
    created = (created or datetime.now(UTC)).astimezone(UTC)
    root = Path(published_dir)
    root.mkdir(parents=True, exist_ok=True)
    with _publish_lock(root):
        target = root / edition
        if target.exists():
            return _existing(root, edition, frames, headers, put_in_force)
        previous = current_edition(root)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{edition}-", dir=root))
        try:
            tmp.chmod(0o755)  # mkdtemp's 0700 would hide the edition from a portal run as another user
            _write_folder(tmp, root, edition, frames, headers, package, created, previous, documents,
                          overridden, compared)
            pause_point("publication")  # test-only: a kill here leaves a complete .tmp- folder behind
            os.rename(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _fsync(root)
        if put_in_force and takes_force(root, package.get("state")):
            _switch_current(root, edition)
        return _result(root, edition)


def _write_folder(tmp: Path, root: Path, edition: str, frames: dict[str, pl.DataFrame],
                  headers: dict[str, dict[str, str]], package: dict, created: datetime,
                  previous: str | None, documents: DocumentWriter | None = None,
                  overridden: Collection[str] = (), compared: Comparison | None = None) -> None:
    if previous and not (root / previous / "datapackage.json").is_file():
        raise FileNotFoundError(f"CURRENT 指向的版次 {previous} 不存在或不完整，无法计算变化；请人工检查 {root}")
    # The tables' row hashes are polars work that leaves Python's lock free: on a thread they take the other
    # core while this one writes the documents (3 s for a city-sized school_major_scores). A table hashed out
    # of core (a national one) waits for the documents instead: both at once would add its working memory
    # to theirs.
    with ThreadPoolExecutor(1, thread_name_prefix="rows-hash") as hashing:
        hashes = {name: hashing.submit(rows_hash, df).result if df.estimated_size() <= IN_MEMORY_BYTES
                  else partial(rows_hash, df) for name, df in frames.items()}
        _write_tables_and_documents(tmp, root, edition, frames, headers, package, created, previous, documents,
                                    overridden, hashes, compared)


def _write_tables_and_documents(tmp: Path, root: Path, edition: str, frames: dict[str, pl.DataFrame],
                                headers: dict[str, dict[str, str]], package: dict, created: datetime,
                                previous: str | None, documents: DocumentWriter | None,
                                overridden: Collection[str], hashed: dict[str, Callable[[], str]],
                                compared: Comparison | None = None) -> None:
    for name, df in frames.items():
        if TABLES[name].sheet:
            spreadsheet.write_csv(tmp / f"{name}.csv", df, headers.get(name, {}))
            if documents is None:
                spreadsheet.write_xlsx(tmp / f"{name}.xlsx", df, headers.get(name, {}), TABLES[name].sheet, created)
        df.write_parquet(tmp / f"{name}.parquet")
    # what was computed before against this very edition id and previous edition (else computed here, alike)
    ready = dict(compared.tables) if compared is not None and (compared.edition, compared.previous) == (
        edition, previous) else {}
    if "edition_changes" in ready:
        changes = ready.pop("edition_changes")
    else:  # what changes.csv compares: the catalogs (not the school scores)
        changes = compute_changes(previous_tables(root, previous, ("guiding_catalog", "restriction_list")), frames,
                                  overridden)
    spreadsheet.write_csv(tmp / "changes.csv", changes if previous else first_edition_changes(), CHANGE_HEADERS)
    extra: set[str] = set()
    if documents is not None:
        prior = previous_tables(root, previous)
        extra = {Path(p).name for p in documents(tmp, edition, {**frames, **ready}, prior)}
        lacking = [f"{n}.xlsx" for n in frames if TABLES[n].sheet and not (tmp / f"{n}.xlsx").exists()]
        if lacking:
            raise RuntimeError(f"文档生成没有写出 {', '.join(lacking)}")
    resources: list[dict[str, Any]] = []
    for name, df in frames.items():
        meta = {"table": name, "rows": df.height, "rows_hash": hashed[name](),
                "schema": {"fields": _fields(df, headers.get(name, {})), "primaryKey": list(TABLES[name].keys)}}
        resources += [_resource(tmp, f"{name}.{fmt}", meta) for fmt in ("csv", "xlsx", "parquet")
                      if (tmp / f"{name}.{fmt}").exists()]
    adjusted = changes.filter(pl.col("overridden") == "是").height  # 复核调整 rows
    resources.append(_resource(tmp, "changes.csv", {"rows": changes.height, "rows_hash": rows_hash(changes),
                                                    "overridden_rows": adjusted}))
    listed = {r["path"] for r in resources}
    resources += [_resource(tmp, n, {}) for n in sorted(extra - listed)]
    manifest = {**package, "name": f"majorwatch-{edition.lower()}", "edition": edition,
                "title": f"北京市职业教育专业指导性目录与禁限目录（{edition}）",
                "created": created.isoformat(), "previous_edition": previous, "resources": resources}
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"
    (tmp / "datapackage.json").write_text(text, encoding="utf-8")
    sums = "".join(f"{file_sha256(p)[1]}  {p.name}\n" for p in sorted(tmp.iterdir()))
    (tmp / "SHA256SUMS").write_text(sums, encoding="utf-8")
    for path in tmp.iterdir():
        _fsync(path)
    _fsync(tmp)


def _fields(df: pl.DataFrame, titles: dict[str, str]) -> list[dict[str, str]]:
    def kind(dtype: pl.DataType) -> str:
        if dtype.is_integer():
            return "integer"
        if dtype.is_float() or dtype.is_decimal():
            return "number"
        named = {pl.String: "string", pl.Boolean: "boolean", pl.Date: "date", pl.Datetime: "datetime"}
        return "array" if isinstance(dtype, pl.List) else named.get(dtype.base_type(), "any")

    return [{"name": c, "title": titles.get(c, c), "type": kind(t)} for c, t in df.schema.items()]


def _resource(folder: Path, file: str, meta: dict[str, Any]) -> dict[str, Any]:
    size, sha = file_sha256(folder / file)
    fmt = file.rsplit(".", 1)[1]
    extra = {"encoding": "utf-8-sig", "dialect": {"delimiter": ",", "lineTerminator": "\r\n"}} if fmt == "csv" else {}
    name = file.replace(".", "-")
    if not RESOURCE_NAME_RE.fullmatch(name):  # a Chinese download name: the spec wants [-a-z0-9._/]
        name = f"download-{sha[:12]}-{fmt}"
    return {"name": name, "path": file, "format": fmt, "mediatype": MEDIATYPES[fmt],
            "bytes": size, "sha256": sha, **extra, **meta}


def _fingerprint(resources: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """What makes two editions the same content: each table file's rows and schema."""
    return sorted((r["path"], r["rows_hash"], json.dumps(r["schema"], ensure_ascii=False, sort_keys=True))
                  for r in resources if r.get("table") in TABLES)


def _existing(root: Path, edition: str, frames: dict[str, pl.DataFrame],
              headers: dict[str, dict[str, str]], put_in_force: bool = True) -> EditionResult:
    """Re-publishing an id: a no-op when the rows are the same, otherwise refused."""
    try:
        manifest = json.loads((root / edition / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EditionExistsError(f"版次 {edition} 的文件夹已存在但不是完整的版次，请人工检查：{root / edition}") from exc
    wanted = [{"path": f"{n}.{fmt}", "table": n, "rows_hash": rows_hash(df),
               "schema": {"fields": _fields(df, headers.get(n, {})), "primaryKey": list(TABLES[n].keys)}}
              for n, df in frames.items() for fmt in ("csv", "xlsx", "parquet")
              if fmt == "parquet" or TABLES[n].sheet]
    if _fingerprint(manifest.get("resources", [])) != _fingerprint(wanted):
        raise EditionExistsError(
            f"版次 {edition} 已发布且内容不同；已发布的版次不可更改，请使用新的版次号（例如 {edition}-r2）")
    if (put_in_force and current_edition(root) == manifest.get("previous_edition") != edition
            and takes_force(root, manifest.get("state"))):
        _switch_current(root, edition)  # an earlier run stopped between the rename and the switch
    return replace(_result(root, edition), unchanged=True)


def _result(root: Path, edition: str) -> EditionResult:
    folder = root / edition
    manifest = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    files = [PublishedFile(p.name, *file_sha256(p)) for p in sorted(folder.iterdir()) if p.is_file()]
    listed = next((r for r in manifest["resources"] if r["path"] == "changes.csv"), {})
    return EditionResult(edition, folder, files, listed.get("rows", 0), manifest.get("previous_edition"),
                         in_force=current_edition(root) == edition, adjusted=listed.get("overridden_rows", 0))


