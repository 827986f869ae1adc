"""The two file operations every writer of majorwatch shares: hash a file, and replace a file atomically."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def file_sha256(path: Path) -> tuple[int, str]:
    """(bytes, SHA-256 hex) of a file, read in chunks by the standard library."""
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
    return Path(path).stat().st_size, digest.hexdigest()


@contextmanager
def atomic_write(target: Path, *, mode: int | None = None) -> Iterator[BinaryIO]:
    """Write ``target`` through a temporary file in the same folder, made durable, then renamed over it.

    A reader sees the old file or the new one, never a half-written one; a failure leaves no trace.
    """
    target = Path(target)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
