"""Fetch an input published at an HTTP(S) address, politely and reproducibly.

Retries are urllib3's ``Retry`` mounted on a requests session: bounded, with exponential backoff and the
server's Retry-After, on connection errors, 429 and 5xx (never on other 4xx: asking again will not help).
Conditional requests: the ETag and Last-Modified of each URL are remembered in ``dest_dir/.fetch-state.json``
and sent back, so an unchanged file is not downloaded again (a 304 returns the bytes stored last time).
A body shorter than its Content-Length, or a redirect to another host, is refused. The bytes are saved
unchanged as ``<sha256[:16]>-<name>`` with their SHA-256.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from warehouse.files import atomic_write, file_sha256

log = logging.getLogger(__name__)
STATE_FILE = ".fetch-state.json"
CHUNK = 1 << 16
MAX_RETRY_AFTER = 60.0
USER_AGENT = "majorwatch/0.1 (+vocational major early-warning)"
RETRY_STATUS = (429, 500, 502, 503, 504)


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
    changed_under_same_etag: bool = False  # the server sent other bytes under the ETag it gave before


def retrying(session: requests.Session, retries: int, backoff: float) -> requests.Session:
    retry = Retry(total=retries, connect=retries, read=retries, status=retries, other=0,
                  backoff_factor=backoff, backoff_max=MAX_RETRY_AFTER, status_forcelist=RETRY_STATUS,
                  allowed_methods=frozenset({"GET"}), respect_retry_after_header=True, raise_on_status=True)
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _file_name(url: str) -> str:
    name = Path(unquote(urlsplit(url).path)).name
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name) or "download"


def _load_state(dest_dir: Path) -> dict:
    try:
        return json.loads((dest_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _get(session: requests.Session, url: str, headers: dict, timeout, retries: int) -> requests.Response:
    try:
        return session.get(url, headers=headers, timeout=timeout, stream=True)
    except requests.exceptions.RetryError as exc:
        reason = getattr(exc.args[0], "reason", exc)
        raise FetchError(url, retries + 1, f"服务器多次返回错误（{reason}）") from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise FetchError(url, retries + 1, f"{type(exc).__name__}: {exc}") from exc


def fetch(url: str, dest_dir: Path, *, timeout: tuple[float, float] = (5, 30), retries: int = 3,
          backoff: float = 0.5, session: requests.Session | None = None) -> FetchResult:
    """Download ``url`` into ``dest_dir`` (at most ``retries + 1`` attempts). Raises FetchError when it gives up."""
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    own = session is None
    session = retrying(session or requests.Session(), retries, backoff)
    state = _load_state(dest_dir)
    known = state.get(url, {})
    have_copy = bool(known.get("path")) and (dest_dir / known["path"]).is_file()
    headers = {"User-Agent": USER_AGENT}
    if have_copy and known.get("etag"):
        headers["If-None-Match"] = known["etag"]
    if have_copy and known.get("last_modified"):
        headers["If-Modified-Since"] = known["last_modified"]
    try:
        with _get(session, url, headers, timeout, retries) as response:
            history = getattr(getattr(response.raw, "retries", None), "history", ()) or ()
            attempts = len(history) + 1
            hosts = {urlsplit(r.url).hostname for r in [*response.history, response]}
            if len(hosts) > 1:
                raise FetchError(url, attempts, f"重定向到其他主机（{response.url}），已拒绝")
            etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
            if response.status_code == 304 and have_copy:
                return FetchResult(dest_dir / known["path"], known["sha256"], known["bytes"], 304, True, attempts,
                                   etag or known.get("etag"), modified or known.get("last_modified"))
            if response.status_code != 200:
                raise FetchError(url, attempts, f"HTTP {response.status_code} {response.reason or ''}".strip(),
                                 response.status_code)
            incoming = dest_dir / f".incoming-{_file_name(url)}"
            try:
                with atomic_write(incoming) as handle:
                    for chunk in response.iter_content(CHUNK):
                        handle.write(chunk)
            except (requests.exceptions.ChunkedEncodingError, requests.ConnectionError) as exc:
                raise FetchError(url, attempts, f"连接中断，文件不完整（{type(exc).__name__}）") from exc
    finally:
        if own:
            session.close()
    size, sha = file_sha256(incoming)
    expected = response.headers.get("Content-Length", "")
    if response.headers.get("Content-Encoding", "identity") == "identity" and expected.isdigit() \
            and int(expected) != size:
        incoming.unlink(missing_ok=True)
        raise FetchError(url, attempts, f"连接中断：收到 {size} 字节，应为 {expected} 字节")
    path = dest_dir / f"{sha[:16]}-{_file_name(url)}"
    incoming.replace(path)
    changed = bool(etag and etag == known.get("etag") and sha != known.get("sha256"))
    if changed:
        log.warning("%s: other bytes under the same ETag %s (kept with their own SHA-256)", url, etag)
    state[url] = {"etag": etag, "last_modified": modified, "path": path.name, "sha256": sha, "bytes": size}
    with atomic_write(dest_dir / STATE_FILE) as handle:
        handle.write(json.dumps(state, ensure_ascii=False, indent=1).encode())
    return FetchResult(path, sha, size, 200, False, attempts, etag, modified, changed)
