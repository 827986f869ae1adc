"""Browser sessions and the portal's in-memory view of who may sign in.

Signing in with a token starts a session: the cookie holds a random id (never the token), the review
store its SHA-256 hash with the token it stands for, when it was last used and when it ends. A session
ends after ``IDLE`` without use or ``ABSOLUTE`` after sign-in, at sign-out, or when its token is revoked.

:class:`AuthCache` answers "whose token / session is this" from memory: usable tokens and live sessions
are read again from the store every ``check_interval`` seconds, and at once when the SQLite store's files
change (one stat per request, as for tokens.json before): a revocation by ``majorwatch token revoke``
counts from the next request on (on PostgreSQL within ``check_interval``). A session started by another
portal process is looked up on first sight. When the store is busy the last view is kept: signing in with a token or a
session already known never waits on the store.
"""

from __future__ import annotations

import logging
import math
import os
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.exc import OperationalError

from portal.tokens import Principal, hash_token, principal_of, token_store, utc
from review.db import Store, open_store
from review.models import PortalSession, PortalToken

log = logging.getLogger("majorwatch.portal")

IDLE = timedelta(hours=12)
ABSOLUTE = timedelta(days=7)
KEEP_ENDED = timedelta(days=30)  # sessions past their end are deleted this long after it
TOUCH_EVERY = 300.0  # seconds between writes of a session's last use to the store
PORTAL_BUSY_MS = 500  # the portal waits at most this long for a lock in the review store


@dataclass
class _Live:
    token_id: str
    last_seen: float  # Unix time of the last request
    ends: float       # absolute end (Unix time)
    stored: float     # last_seen as last written to the store


def _ts(value: datetime) -> float:
    return utc(value).timestamp()


def start_session(store: Store, principal: Principal, now: datetime | None = None) -> str:
    """Record a new session for a signed-in principal; return its id (for the cookie, shown nowhere else)."""
    sid = secrets.token_urlsafe(32)
    when = now or datetime.now(UTC)
    with store.session() as s:
        s.execute(delete(PortalSession).where(PortalSession.expires_at < when - KEEP_ENDED))
        s.add(PortalSession(hash=hash_token(sid), token_id=principal.token_id, created_at=when, last_seen=when,
                            expires_at=when + ABSOLUTE, revoked_at=None))
    return sid


def end_session(store: Store, sid: str) -> None:
    """Revoke a session (sign-out)."""
    with store.session() as s:
        s.execute(update(PortalSession).where(PortalSession.hash == hash_token(sid), PortalSession.revoked_at.is_(None))
                  .values(revoked_at=datetime.now(UTC)))


class AuthCache:
    """Usable tokens and live sessions of one home, in memory (see the module text)."""

    def __init__(self, home: Path, check_interval: float = 1.0, idle: timedelta = IDLE) -> None:
        self.home, self.check_interval, self.idle = Path(home), check_interval, idle.total_seconds()
        self._tokens: dict[str, tuple[Principal, float]] = {}   # token hash → (principal, expiry)
        self._by_id: dict[str, tuple[Principal, float]] = {}    # token id → (principal, expiry)
        self._sessions: dict[str, _Live] = {}                   # session hash → live session
        self._loaded = -float("inf")
        self._lock = threading.Lock()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="session-touch")
        self._store: Store | None = None
        self._files: tuple[str, ...] = ()
        self._signature: tuple | None = ()

    @property
    def store(self) -> Store:
        """The review store with a short lock wait (opened, and an old tokens.json imported, on first use)."""
        if self._store is None:
            token_store(self.home)
            self._store = open_store(self.home, busy_ms=PORTAL_BUSY_MS)
            url = self._store.engine.url
            if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
                self._files = (url.database, url.database + "-wal")
        return self._store

    def _changed(self) -> bool:
        """Whether the SQLite store changed since the last read (a commit by any process): in WAL mode a
        commit writes the -wal file, a checkpoint the database file; one stat while the -wal file exists."""
        signature = None
        for name in reversed(self._files):  # the -wal file first
            try:
                st = os.stat(name)
            except FileNotFoundError:
                continue
            signature = (name, st.st_ino, st.st_mtime_ns, st.st_size)
            break
        if signature == self._signature:
            return False
        self._signature = signature
        return True

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        changed = self._changed() if self._store is not None else True
        if not force and not changed and now - self._loaded < self.check_interval:
            return
        self._loaded = now
        try:
            with self.store.session() as s:
                tokens = list(s.scalars(select(PortalToken).where(PortalToken.revoked_at.is_(None))))
                live = s.execute(select(PortalSession.hash, PortalSession.token_id, PortalSession.last_seen,
                                        PortalSession.expires_at).where(
                    PortalSession.revoked_at.is_(None),
                    PortalSession.expires_at > datetime.now(UTC),
                    PortalSession.last_seen > datetime.now(UTC) - timedelta(seconds=self.idle))).all()
        except OperationalError as exc:  # busy or unreachable: keep the last view, try again later
            log.warning("review store unavailable for sign-in data, keeping the last view: %s", exc)
            return
        usable = [(t, principal_of(t)) for t in tokens]
        by_hash = {t.hash: (p, _ts(t.expires_at) if t.expires_at else math.inf) for t, p in usable if p}
        with self._lock:
            self._tokens = by_hash
            self._by_id = {entry[0].token_id: entry for entry in by_hash.values()}
            sessions = {}
            for digest, token_id, last_seen, ends in live:
                known = self._sessions.get(digest)
                seen = max(_ts(last_seen), known.last_seen if known else 0.0)
                sessions[digest] = _Live(token_id, seen, _ts(ends), _ts(last_seen))
            self._sessions = sessions
        log.debug("sign-in data reloaded: %d tokens, %d sessions", len(by_hash), len(sessions))

    def token(self, token: str) -> Principal | None:
        """The principal of a usable token, or None (unknown, revoked, expired or malformed)."""
        if not token or len(token) > 256:
            return None
        self.refresh()
        found = self._tokens.get(hash_token(token))
        if found is None or time.time() >= found[1]:
            return None
        return found[0]

    def session(self, sid: str, lookup: bool = True) -> Principal | None:
        """The principal of a live session, or None; ``lookup`` asks the store about an id not yet seen
        (a session started by another portal process)."""
        if not sid or len(sid) > 256:
            return None
        self.refresh()
        digest, now = hash_token(sid), time.time()
        live = self._sessions.get(digest)
        if live is None and lookup:
            live = self._lookup(digest)
        if live is None or now >= live.ends or now - live.last_seen >= self.idle:
            return None
        principal = self._by_id.get(live.token_id)
        if principal is None or now >= principal[1]:
            return None
        live.last_seen = now
        if now - live.stored >= TOUCH_EVERY:
            live.stored = now
            self._writer.submit(self._touch, digest, now)
        return principal[0]

    def _lookup(self, digest: str) -> _Live | None:
        try:
            with self.store.session() as s:
                row = s.get(PortalSession, digest)
        except OperationalError:
            return None
        if row is None or row.revoked_at is not None:
            return None
        live = _Live(row.token_id, _ts(row.last_seen), _ts(row.expires_at), _ts(row.last_seen))
        with self._lock:
            self._sessions[digest] = live
        return live

    def _touch(self, digest: str, when: float) -> None:
        """Write a session's last use to the store (in a background thread; a busy store skips it)."""
        try:
            with self.store.session() as s:
                s.execute(update(PortalSession).where(PortalSession.hash == digest)
                          .values(last_seen=datetime.fromtimestamp(when, UTC)))
        except OperationalError as exc:
            log.info("session last-use not written (store busy): %s", exc)

    def start(self, principal: Principal) -> str:
        """Start a session for a principal who just signed in with a token; return its id."""
        sid = start_session(self.store, principal)
        now = time.time()
        with self._lock:
            self._sessions[hash_token(sid)] = _Live(principal.token_id, now, now + ABSOLUTE.total_seconds(), now)
        return sid

    def end(self, sid: str) -> None:
        """Sign-out: forget the session here at once and revoke it in the store."""
        with self._lock:
            self._sessions.pop(hash_token(sid), None)
        end_session(self.store, sid)
