"""The raw store: every input's bytes exactly as received, kept before anything parses them.

A run can always be traced back to (and re-run from) the very bytes it read: each file lands in
``raw_dir/<input>/<sha256[:16]>-<file_name>``. The name carries the content hash, so the same bytes
map to the same file (stored once, never rewritten) and different bytes never overwrite each other.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20


class TooLarge(Exception):
    """The bytes grew beyond ``max_bytes`` while they were being stored (nothing was kept)."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


@dataclass(frozen=True)
class RawRecord:
    """Where the received bytes are kept, with their SHA-256 (hex) and size."""

    path: Path
    sha256: str
    bytes: int


def sha256_of(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, read in chunks so large inputs are not loaded whole."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _safe_name(file_name: str) -> str:
    """The received file's own name, without any folder part (a URL or upload may carry one)."""
    name = Path(file_name.replace("\\", "/")).name.strip()
    if name in ("", ".", ".."):
        raise ValueError(f"not a usable file name: {file_name!r}")
    return name


def store_raw(
    raw_dir: Path, input_name: str, path_or_bytes: Path | str | bytes, *, file_name: str,
    max_bytes: int | None = None,
) -> RawRecord:
    """Copy the bytes as received into the raw store; idempotent (same bytes → same file, untouched).

    The bytes are hashed while they are copied to a temporary file in the target folder, which is then
    renamed into place: a reader never sees half a file, the name always matches the content even if
    the source changes meanwhile, and two runs storing the same bytes do not collide. More than
    ``max_bytes`` (a file that grew after its size was checked) raises TooLarge and keeps nothing.
    """
    folder = Path(raw_dir) / input_name
    folder.mkdir(parents=True, exist_ok=True)
    name = _safe_name(file_name)
    if isinstance(path_or_bytes, bytes | bytearray | memoryview):
        data = bytes(path_or_bytes)
        sha = hashlib.sha256(data).hexdigest()
        target = folder / f"{sha[:16]}-{name}"
        if target.exists() and target.stat().st_size == len(data):
            return RawRecord(target, sha, len(data))
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".incoming-")
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out:
            if isinstance(path_or_bytes, bytes | bytearray | memoryview):
                out.write(path_or_bytes)
                digest.update(path_or_bytes)
                size = len(path_or_bytes)
            else:
                # never through a link: the inbox file was checked to be a plain file when it was found
                with os.fdopen(os.open(path_or_bytes, os.O_RDONLY | os.O_NOFOLLOW), "rb") as src:
                    while chunk := src.read(CHUNK):
                        size += len(chunk)
                        if max_bytes is not None and size > max_bytes:
                            raise TooLarge(size)
                        out.write(chunk)
                        digest.update(chunk)
        sha = digest.hexdigest()
        target = folder / f"{sha[:16]}-{name}"
        if target.exists() and target.stat().st_size == size:
            Path(tmp_name).unlink()
        else:
            os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return RawRecord(target, sha, size)
