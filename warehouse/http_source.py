"""Fetch an input published at an HTTP(S) address, politely and reproducibly.

Timeouts on connect and read, bounded retries with exponential backoff on connection errors, 5xx
and 429 (never on other 4xx: asking again will not help), and conditional requests: the ETag and
Last-Modified of each URL are remembered in ``dest_dir/.fetch-state.json`` and sent back as
If-None-Match / If-Modified-Since, so an unchanged file is not downloaded again (a 304 returns the
bytes stored last time). The bytes are saved unchanged as ``<sha256[:16]>-<name>`` with their SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import requests

log = logging.getLogger(__name__)
STATE_FILE = ".fetch-state.json"
CHUNK = 1 << 16
MAX_RETRY_AFTER = 60.0
USER_AGENT = "majorwatch/0.1 (+vocational major early-warning)"


class FetchError(Exception):
    """A download that failed for good; the Chinese message names the URL and the attempts made."""

    def __init__(self, url: str, attempts: int, reason: str, status: int | None = None) -> None:
        self.url, self.attempts, self.reason, self.status = url, attempts, reason, status
        super().__init__(f"下载 {url} 失败（共尝试 {attempts} 次）：{reason}")


@dataclass(frozen=True)
class FetchResult:
    """The stored bytes (``path``, ``sha256``, ``bytes``) and how they were obtained."""

    path: Path
    sha256: str
    bytes: int
    status: int  # 200 (downloaded) or 304 (unchanged since the last fetch)
    not_modified: bool
    attempts: int
    etag: str | None
    last_modified: str | None


class _Retryable(Exception):
    def __init__(self, reason: str, status: int | None = None, wait: float | None = None) -> None:
        super().__init__(reason)
        self.status, self.wait = status, wait


def _file_name(url: str) -> str:
    name = Path(unquote(urlsplit(url).path)).name
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name) or "download"


def _load_state(dest_dir: Path) -> dict:
    try:
        return json.loads((dest_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _write_atomic(target: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return min(float(value), MAX_RETRY_AFTER) if value.strip().isdigit() else None


def _download(
    session, url, headers, timeout, dest_dir: Path
) -> tuple[requests.Response, Path | None, str, int]:
    """One attempt: the response and, for a 200, the temporary file holding its body and its hash."""
    try:
        with session.get(url, headers=headers, timeout=timeout, stream=True) as response:
            if response.status_code == 429 or response.status_code >= 500:
                raise _Retryable(f"HTTP {response.status_code}", response.status_code, _retry_after(response))
            if response.status_code != 200:
                return response, None, "", 0
            digest, size = hashlib.sha256(), 0
            fd, tmp = tempfile.mkstemp(dir=dest_dir, prefix=".incoming-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    for chunk in response.iter_content(CHUNK):
                        fh.write(chunk)
                        digest.update(chunk)
                        size += len(chunk)
                expected = response.headers.get("Content-Length", "")
                plain = response.headers.get("Content-Encoding", "identity") == "identity"
                if plain and expected.isdigit() and int(expected) != size:
                    raise _Retryable(f"连接中断：收到 {size} 字节，应为 {expected} 字节")
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            return response, Path(tmp), digest.hexdigest(), size
    except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
        raise _Retryable(f"{type(exc).__name__}: {exc}") from exc


def fetch(
    url: str,
    dest_dir: Path,
    *,
    timeout: tuple[float, float] = (5, 30),
    retries: int = 3,
    backoff: float = 0.5,
    session: requests.Session | None = None,
) -> FetchResult:
    """Download ``url`` into ``dest_dir`` (at most ``retries + 1`` attempts, waiting ``backoff × 2^n``
    seconds between them, or the server's Retry-After up to 60 s). Raises FetchError when it gives up."""
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    own_session = session is None
    session = session or requests.Session()
    state = _load_state(dest_dir)
    known = state.get(url, {})
    have_copy = bool(known.get("path")) and (dest_dir / known["path"]).is_file()
    headers = {"User-Agent": USER_AGENT}
    if have_copy and known.get("etag"):
        headers["If-None-Match"] = known["etag"]
    if have_copy and known.get("last_modified"):
        headers["If-Modified-Since"] = known["last_modified"]
    attempts = 0
    try:
        while True:
            attempts += 1
            try:
                response, tmp, sha, size = _download(session, url, headers, timeout, dest_dir)
                break
            except _Retryable as exc:
                if attempts > retries:
                    raise FetchError(url, attempts, str(exc), exc.status) from exc
                wait = max(backoff * 2 ** (attempts - 1), exc.wait or 0.0)
                log.warning("fetch %s attempt %d failed (%s); retrying in %.2fs", url, attempts, exc, wait)
                time.sleep(wait)
    finally:
        if own_session:
            session.close()
    etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
    if response.status_code == 304 and have_copy:
        path = dest_dir / known["path"]
        return FetchResult(
            path,
            known["sha256"],
            known["bytes"],
            304,
            True,
            attempts,
            etag or known.get("etag"),
            modified or known.get("last_modified"),
        )
    if tmp is None:
        raise FetchError(
            url,
            attempts,
            f"HTTP {response.status_code} {response.reason or ''}".strip(),
            response.status_code,
        )
    path = dest_dir / f"{sha[:16]}-{_file_name(url)}"
    os.replace(tmp, path)
    state[url] = {"etag": etag, "last_modified": modified, "path": path.name, "sha256": sha, "bytes": size}
    _write_atomic(
        dest_dir / STATE_FILE, lambda fh: fh.write(json.dumps(state, ensure_ascii=False, indent=1).encode())
    )
    return FetchResult(path, sha, size, 200, False, attempts, etag, modified)
