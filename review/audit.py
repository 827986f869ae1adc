"""Who is acting, and the append-only audit log of what they did."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from review.db import Store
from review.models import AuditEntry


class ReviewError(ValueError):
    """A request the review rules refuse; the message is Chinese and shown to the person."""


class NotFoundError(ReviewError):
    """Nothing with that id in the caller's scope (identical for 'absent' and 'someone else's')."""

    def __init__(self, what: str = "记录") -> None:
        super().__init__(f"找不到该{what}。")


@dataclass(frozen=True)
class Actor:
    """Who acts: a portal principal (token id set) or a person at the command line (token id None)."""

    name: str
    role: str  # school | commission | cli
    school_code: str | None = None
    token_id: str | None = None

    @property
    def is_commission(self) -> bool:
        return self.role in ("commission", "cli")


def now() -> datetime:
    return datetime.now(UTC)


def record(session: Session, actor: Actor, action: str, subject: str, **detail) -> AuditEntry:
    """Append one entry (in the caller's transaction, so it is written exactly when the act is)."""
    entry = AuditEntry(at=now(), actor=actor.name, token_id=actor.token_id, action=action, subject=subject,
                       detail=json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str))
    session.add(entry)
    return entry


def log(store: Store, actor: Actor, action: str, subject: str, **detail) -> None:
    """Record an act done outside the store (e.g. a token issued) in its own transaction."""
    with store.session() as s:
        record(s, actor, action, subject, **detail)


def entries(store: Store, action: str | None = None, subject: str | None = None) -> list[AuditEntry]:
    """The audit log, oldest first, optionally for one action and/or subject."""
    q = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        q = q.where(AuditEntry.action == action)
    if subject:
        q = q.where(AuditEntry.subject == subject)
    with store.session() as s:
        return list(s.scalars(q))
