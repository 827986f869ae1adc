"""Access tokens for the portal: one per school contact or commission staff member.

A token is shown once when issued (``secrets.token_urlsafe``); the home folder keeps only its
SHA-256 hash in ``<home>/tokens.json`` with the role, the school it belongs to, a label, the time it
was created, when it expires (default one year) and whether it was revoked. A stolen ``tokens.json``
therefore grants nothing. A school token can only be issued for a school of the edition in force, and
every issue and revocation is written to the review store's audit log.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from portal.token_rules import TokenError, current_school_codes, deadline, is_expired, valid_days
from review import audit
from review.db import open_store
from warehouse.files import atomic_write

Role = Literal["school", "commission"]
TOKENS_FILE = "tokens.json"
ID_LENGTH = 12


@dataclass(frozen=True)
class Principal:
    """Who is asking: a school (sees its own offerings only) or commission staff (sees all)."""

    role: Role
    school_code: str | None
    token_id: str
    label: str = ""


@dataclass(frozen=True)
class TokenRecord:
    """One stored token, without the secret: what ``token list`` shows."""

    token_id: str
    role: Role
    school_code: str | None
    label: str
    created: str
    revoked: bool
    expires: str = ""

    @property
    def expired(self) -> bool:
        return is_expired(self.expires)


def _path(home: Path) -> Path:
    return Path(home) / TOKENS_FILE


def hash_token(token: str) -> str:
    """SHA-256 hex digest of a token: the only form in which tokens are stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _read(path: Path) -> list[dict]:
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return list(data.get("tokens", []))


def _write(path: Path, tokens: list[dict]) -> None:
    """Write atomically (temp file + os.replace) with owner-only permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, mode=0o600) as handle:
        handle.write(json.dumps({"version": 1, "tokens": tokens}, ensure_ascii=False, indent=2).encode("utf-8"))


@contextmanager
def _locked(home: Path) -> Iterator[Path]:
    """Serialise writers (two ``token issue`` at once must not lose a token)."""
    path = _path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / ".tokens.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield path
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def issue(home: Path, school: str | None = None, commission: bool = False, label: str = "",
          days: int | None = None, actor: str = "命令行") -> str:
    """Create a token for one school of the current edition (``school=CODE``) or for commission staff,
    valid `days` (default :func:`valid_days`); return it once. Raises TokenError (Chinese)."""
    if bool(school) == bool(commission):
        raise ValueError("exactly one of school=CODE or commission=True is required")
    if school is not None and (not isinstance(school, str) or not school.strip()):
        raise ValueError("school code must be non-empty text")
    if days is not None and days < 1:
        raise TokenError(f"有效天数应为正整数（收到 {days}）。")
    if school is not None:
        known = current_school_codes(home)
        if known is None:
            raise TokenError("尚未发布任何版次，无法核对学校代码；请先发布后再为学校签发令牌。")
        if school.strip() not in known:
            raise TokenError(f"当前版次中没有学校代码 {school.strip()}，不能签发学校令牌。")
    token = secrets.token_urlsafe(32)
    digest = hash_token(token)
    created = datetime.now(UTC)
    record = {
        "id": digest[:ID_LENGTH],
        "hash": digest,
        "role": "commission" if commission else "school",
        "school_code": None if commission else school.strip(),
        "label": label,
        "created": created.isoformat(timespec="seconds"),
        "expires": (created + timedelta(days=days or valid_days())).isoformat(timespec="seconds"),
        "revoked": False,
    }
    with _locked(home) as path:
        tokens = _read(path)
        tokens.append(record)
        _write(path, tokens)
    audit.log(open_store(home), audit.Actor(actor, "cli"), "token.issue", f"token:{record['id']}",
              role=record["role"], school=record["school_code"], label=label, expires=record["expires"])
    return token


def revoke(home: Path, token_id: str, actor: str = "命令行") -> bool:
    """Mark the token with this id (or unique id prefix, ≥ 6 chars) revoked; False if not found."""
    token_id = token_id.strip()
    if len(token_id) < 6:
        return False
    with _locked(home) as path:
        tokens = _read(path)
        matches = [t for t in tokens if t["id"].startswith(token_id)]
        if len(matches) != 1:
            return False
        matches[0]["revoked"] = True
        _write(path, tokens)
    audit.log(open_store(home), audit.Actor(actor, "cli"), "token.revoke", f"token:{matches[0]['id']}",
              role=matches[0]["role"], school=matches[0].get("school_code"))
    return True


def list_tokens(home: Path) -> list[TokenRecord]:
    """Every stored token (revoked ones included), oldest first."""
    return [_record(t) for t in _read(_path(home))]


def _record(raw: dict) -> TokenRecord:
    return TokenRecord(
        token_id=raw["id"],
        role=raw["role"],
        school_code=raw.get("school_code"),
        label=raw.get("label", ""),
        created=raw.get("created", ""),
        revoked=bool(raw.get("revoked", False)),
        expires=raw.get("expires", ""),
    )


def _principal(raw: dict, digest: str) -> Principal | None:
    if raw.get("revoked") or is_expired(raw.get("expires", "")) or not hmac.compare_digest(raw["hash"], digest):
        return None
    if raw["role"] not in ("school", "commission"):
        return None
    return Principal(role=raw["role"], school_code=raw.get("school_code"), token_id=raw["id"],
                     label=raw.get("label", ""))


def verify(home: Path, token: str) -> Principal | None:
    """The principal a presented token stands for, or None (unknown, revoked or malformed)."""
    if not token or len(token) > 256:
        return None
    digest = hash_token(token)
    by_hash = {t["hash"]: t for t in _read(_path(home))}
    raw = by_hash.get(digest)
    return _principal(raw, digest) if raw is not None else None


class TokenCache:
    """The portal's view of ``tokens.json``: the principal of every usable token, by token hash, built
    once per version of the file and rebuilt when its inode, mtime or size changes (one stat per check,
    no file read, so a revocation counts from the next request on)."""

    def __init__(self, home: Path) -> None:
        self._path = _path(home)
        self._name = str(self._path)  # os.stat on a str skips pathlib's per-call overhead
        self._signature: tuple[int, int, int] | None = None
        self._principals: dict[str, tuple[Principal, float]] = {}

    def _refresh(self) -> None:
        try:
            st = os.stat(self._name)
            signature = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            signature = (0, 0, 0)
        if signature != self._signature:
            tokens = _read(self._path) if signature != (0, 0, 0) else []
            usable = ((t["hash"], _principal(t, t["hash"]), deadline(t.get("expires", ""))) for t in tokens)
            self._principals = {digest: (principal, until) for digest, principal, until in usable
                                if principal is not None}
            self._signature = signature

    def verify(self, token: str) -> Principal | None:
        """Like :func:`verify` (unknown, revoked, expired or malformed: None), from the parsed file while
        unchanged; expiry is checked on every call."""
        if not token or len(token) > 256:
            return None
        self._refresh()
        found = self._principals.get(hash_token(token))
        if found is None or time.time() >= found[1]:
            return None
        return found[0]
