"""Access tokens for the portal: one per school contact or commission staff member.

A token is shown once when issued (``secrets.token_urlsafe``); the review store (``review.db``, SQLite or
PostgreSQL) keeps only its SHA-256 hash in ``portal_tokens`` with the role, the school it belongs to, a
label, when it was created, when it expires (default one year) and when it was revoked. A stolen copy of
the store therefore grants nothing. A school token can only be issued for a school of the edition in
force; every issue and revocation is written to the audit log in the same transaction. Revoking a token
revokes its browser sessions (``portal.sessions``).

Homes from before the store kept tokens had ``<home>/tokens.json``: it is imported once, on first use,
and renamed ``tokens.json.imported``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from sqlalchemy import select, update

from portal.token_rules import TokenError, current_school_codes, is_expired, valid_days
from review import audit
from review.db import Store, open_store
from review.models import PortalSession, PortalToken

Role = Literal["school", "commission"]
LEGACY_FILE = "tokens.json"
ID_LENGTH = 12

__all__ = ["ID_LENGTH", "Principal", "TokenError", "TokenRecord", "hash_token", "issue", "list_tokens",
           "revoke", "verify"]


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


def hash_token(token: str) -> str:
    """SHA-256 hex digest of a token (or a session id): the only form in which either is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def utc(value: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite hands them back naive)."""
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


def _iso(value: datetime | None) -> str:
    return "" if value is None else utc(value).isoformat(timespec="seconds")


def _parse(value: str | None) -> datetime | None:
    try:
        return utc(datetime.fromisoformat(value)) if value else None
    except ValueError:
        return datetime.fromtimestamp(0, UTC)  # unreadable expiry: already passed, as before


def import_legacy(home: Path, store: Store) -> int:
    """Move the tokens of ``<home>/tokens.json`` into the store once (the file is then renamed
    ``tokens.json.imported``); tokens already in the store are skipped. Returns how many were added."""
    path = Path(home) / LEGACY_FILE
    if not path.exists():
        return 0
    with open(path.parent / ".tokens.lock", "a") as lock:  # two processes starting at once import once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            return 0
        try:
            raw = list(json.loads(path.read_text(encoding="utf-8")).get("tokens", []))
        except (ValueError, AttributeError) as exc:
            raise TokenError(f"旧令牌文件 {path} 无法读取（{exc}），未导入；请修复或移走该文件。") from exc
        added = 0
        with store.session() as s:
            known = set(s.scalars(select(PortalToken.hash)))
            for t in raw:
                if t["hash"] in known:
                    continue
                revoked = bool(t.get("revoked"))
                s.add(PortalToken(id=t["id"], hash=t["hash"], role=t["role"], school_code=t.get("school_code"),
                                  label=t.get("label", ""), created_at=_parse(t.get("created")) or audit.now(),
                                  expires_at=_parse(t.get("expires")), revoked_at=audit.now() if revoked else None))
                added += 1
            audit.record(s, audit.Actor("令牌导入", "cli"), "token.import", f"file:{LEGACY_FILE}", count=added)
        os.replace(path, path.with_name(LEGACY_FILE + ".imported"))
    return added


def token_store(home: Path) -> Store:
    """The review store of a home, with any old ``tokens.json`` imported."""
    store = open_store(home)
    import_legacy(home, store)
    return store


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
    row = PortalToken(id=digest[:ID_LENGTH], hash=digest, role="commission" if commission else "school",
                      school_code=None if commission else school.strip(), label=label, created_at=created,
                      expires_at=created + timedelta(days=days or valid_days()), revoked_at=None)
    with token_store(home).session() as s:
        s.add(row)
        audit.record(s, audit.Actor(actor, "cli"), "token.issue", f"token:{row.id}", role=row.role,
                     school=row.school_code, label=label, expires=_iso(row.expires_at))
    return token


def revoke(home: Path, token_id: str, actor: str = "命令行") -> bool:
    """Revoke the token with this id (or unique id prefix, ≥ 6 chars) and every session signed in with it;
    False if not found."""
    token_id = token_id.strip()
    if len(token_id) < 6:
        return False
    with token_store(home).session() as s:
        matches = list(s.scalars(select(PortalToken).where(PortalToken.id.startswith(token_id, autoescape=True))))
        if len(matches) != 1:
            return False
        row, when = matches[0], audit.now()
        row.revoked_at = row.revoked_at or when
        s.execute(update(PortalSession).where(PortalSession.token_id == row.id, PortalSession.revoked_at.is_(None))
                  .values(revoked_at=when))
        audit.record(s, audit.Actor(actor, "cli"), "token.revoke", f"token:{row.id}", role=row.role,
                     school=row.school_code)
    return True


def list_tokens(home: Path) -> list[TokenRecord]:
    """Every stored token (revoked ones included), oldest first."""
    with token_store(home).session() as s:
        rows = list(s.scalars(select(PortalToken).order_by(PortalToken.created_at, PortalToken.id)))
    return [TokenRecord(token_id=r.id, role=r.role, school_code=r.school_code, label=r.label,
                        created=_iso(r.created_at), revoked=r.revoked_at is not None, expires=_iso(r.expires_at))
            for r in rows]


def principal_of(row: PortalToken) -> Principal | None:
    """The principal a stored token stands for while usable (not revoked, not expired, a known role)."""
    if row.revoked_at is not None or row.role not in ("school", "commission") or is_expired(_iso(row.expires_at)):
        return None
    return Principal(role=row.role, school_code=row.school_code, token_id=row.id, label=row.label or "")


def verify(home: Path, token: str) -> Principal | None:
    """The principal a presented token stands for, or None (unknown, revoked, expired or malformed)."""
    if not token or len(token) > 256:
        return None
    with token_store(home).session() as s:
        row = s.scalar(select(PortalToken).where(PortalToken.hash == hash_token(token)))
        return principal_of(row) if row is not None else None
