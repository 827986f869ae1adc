"""ORM tables of the review store (SQLAlchemy 2.x declarative). The schema itself is created by Alembic
(``review/migrations``); these classes must stay in step with the latest migration (a test checks it)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

DRAFT, FINAL = "征求意见稿", "正式"
PENDING, ACCEPTED, REJECTED = "待处理", "已采纳", "未采纳"
OFFERING, MAJOR = "offering", "major"
FIELDS = ("guidance", "warning_level", "restriction")


class Base(DeclarativeBase):
    pass


class ReviewWindow(Base):
    """One edition's review: its state, until when objections are taken, the final edition it became."""

    __tablename__ = "review_windows"
    edition: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default=DRAFT)
    open_until: Mapped[date | None] = mapped_column(Date)
    opened_by: Mapped[str | None] = mapped_column(String(128))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # closed early by the commission
    final_edition: Mapped[str | None] = mapped_column(String(64))
    finalized_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Objection(Base):
    """A school's objection (异议) to one of its own offerings or to a major's catalog verdict."""

    __tablename__ = "objections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition: Mapped[str] = mapped_column(ForeignKey("review_windows.edition"), index=True)
    school_code: Mapped[str] = mapped_column(String(32), index=True)
    target: Mapped[str] = mapped_column(String(16))  # offering | major
    major_code: Mapped[str] = mapped_column(String(16))
    contested: Mapped[str] = mapped_column(String(16))  # guidance | warning_level | restriction
    text: Mapped[str] = mapped_column(Text)
    evidence_name: Mapped[str | None] = mapped_column(String(255))
    evidence_path: Mapped[str | None] = mapped_column(String(255))  # relative to the evidence folder
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    evidence_size: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    filed_by: Mapped[str] = mapped_column(String(128))
    token_id: Mapped[str | None] = mapped_column(String(32))
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decision: Mapped[Decision | None] = relationship(back_populates="objection", uselist=False)


class Override(Base):
    """A verdict the commission sets after review: applied after the rules, carried forward until expiry."""

    __tablename__ = "overrides"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    major_code: Mapped[str] = mapped_column(String(16), index=True)
    school_code: Mapped[str | None] = mapped_column(String(32))  # set: one offering; empty: the major
    field: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(128))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires: Mapped[date | None] = mapped_column(Date)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    retired_by: Mapped[str | None] = mapped_column(String(128))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    source_edition: Mapped[str | None] = mapped_column(String(64))
    objection_id: Mapped[int | None] = mapped_column(ForeignKey("objections.id"))

    @property
    def state(self) -> str:
        """已停用, 已过期 (its 有效期至 has passed: no edition applies it any more) or 有效: how every telling names it."""
        if self.retired:
            return "已停用"
        return "已过期" if self.expires is not None and self.expires < date.today() else "有效"


class Decision(Base):
    """The commission's answer to one objection: accept (with an override) or reject, with a reason."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objections.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(16))  # 已采纳 | 未采纳
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(128))
    token_id: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    override_id: Mapped[int | None] = mapped_column(ForeignKey("overrides.id"))
    objection: Mapped[Objection] = relationship(back_populates="decision")
    override: Mapped[Override | None] = relationship()


class AuditEntry(Base):
    """Append-only: who did what, when, from which token. Never updated, never deleted."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(128))
    token_id: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(String(128))
    detail: Mapped[str] = mapped_column(Text, default="")


class AppendOnlyError(RuntimeError):
    """An attempt to change or delete an audit entry."""


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse(mapper, connection, target) -> None:  # noqa: ARG001
    raise AppendOnlyError("审计日志只能追加，不能修改或删除")


class PortalToken(Base):
    """A portal access token: only its SHA-256 hash is kept (the token itself is shown once when issued)."""

    __tablename__ = "portal_tokens"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the hash's first characters, shown in lists
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # school | commission
    school_code: Mapped[str | None] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PortalSession(Base):
    """A signed-in browser: the cookie holds a random id, the store its SHA-256 hash; idle and absolute
    expiry; revoked at sign-out or when its token is revoked."""

    __tablename__ = "portal_sessions"
    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_id: Mapped[str] = mapped_column(ForeignKey("portal_tokens.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
