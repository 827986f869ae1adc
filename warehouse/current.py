"""Which edition is in force: the ``CURRENT`` pointer, edition ids, and the one-publisher lock.

``CURRENT`` is switched by writing ``CURRENT.tmp``, making it durable and renaming it over the old one, so a
reader sees the old edition or the new one, never neither. Publishers take ``.publish.lock``; with it held,
any ``.tmp-*`` folder is a dead run's and is removed.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from warehouse.files import atomic_write

CURRENT = "CURRENT"
FINAL_STATE = "正式"  # datapackage.json "state" of a final edition (a draft says 征求意见稿)
EDITION_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}")  # the portal accepts exactly these


def validate_edition(edition: str) -> str:
    """An edition id is a folder name: letters, digits, '.', '_', '-', and never the CURRENT pointer."""
    if not EDITION_RE.fullmatch(edition or "") or edition.upper().startswith(CURRENT):
        raise ValueError(f"版次号不合法：{edition!r}（只能使用字母、数字、点、下划线和连字符，且不能是 CURRENT）")
    return edition


def current_edition(published_dir: Path) -> str | None:
    """The id of the edition in force, read from ``CURRENT`` (None before the first publication)."""
    try:
        text = (Path(published_dir) / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return text or None


def edition_state(published_dir: Path, edition: str) -> str | None:
    """The state an edition was published with (datapackage.json ``state``); None for no such edition. An
    edition from before the review cycle carries none: it was issued directly, so it is final."""
    try:
        manifest = json.loads((Path(published_dir) / edition / "datapackage.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return None
    return str(manifest.get("state") or FINAL_STATE)


def takes_force(published_dir: Path, state: str | None) -> bool:
    """Whether a newly published edition in `state` goes in force: a final edition always; a draft only while
    no final is in force (before the first final the newest draft serves; after it, drafts are published
    beside the final and never replace it)."""
    if (state or FINAL_STATE) == FINAL_STATE:
        return True
    current = current_edition(published_dir)
    return current is None or edition_state(published_dir, current) != FINAL_STATE


def list_editions(published_dir: Path) -> list[str]:
    """Every complete edition folder, in natural order (2026 < 2026-r2 < 2027)."""
    root = Path(published_dir)
    if not root.is_dir():
        return []
    names = [p.name for p in root.iterdir() if EDITION_RE.fullmatch(p.name) and (p / "datapackage.json").is_file()]
    return sorted(names, key=lambda n: [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", n)])


def make_current(published_dir: Path, edition: str) -> None:
    """Put an already published, complete edition back in force (an explicit roll-back)."""
    root = Path(published_dir)
    validate_edition(edition)
    if not (root / edition / "datapackage.json").is_file():
        raise FileNotFoundError(f"版次 {edition} 不存在或不完整：{root / edition}")
    with _publish_lock(root):
        _switch_current(root, edition)


def _switch_current(root: Path, edition: str) -> None:
    """Name the edition in force: a durable temporary file swapped in with one rename, then the folder synced."""
    with atomic_write(root / CURRENT, mode=0o644) as handle:  # mkstemp's 0600 would hide it from a portal user
        handle.write((edition + "\n").encode("utf-8"))
    _fsync(root)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _publish_lock(root: Path) -> Iterator[None]:
    """One publisher at a time; with the lock held, any leftover temporary folder is from a dead run."""
    with open(root / ".publish.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            for stale in root.glob(".tmp-*"):
                shutil.rmtree(stale, ignore_errors=True)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
