"""Who is acting, and the append-only audit log of what they did."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from review.db import Store
from review.models import AuditEntry

BEIJING = timezone(timedelta(hours=8), "北京时间")


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


ACTION_CN = {
    "review.open": "开放征求意见", "review.close": "结束征求意见", "objection.file": "提出异议",
    "objection.decide": "处理异议", "override.add": "添加复核调整", "override.retire": "停用复核调整",
    "edition.finalize": "正式发布", "policy.confirm": "确认评分政策", "token.issue": "签发令牌",
    "token.revoke": "吊销令牌",
}
DETAIL_CN = {
    "until": "截止", "edition": "版次", "school": "学校", "major": "专业", "target": "对象", "contested": "事项",
    "evidence": "证明材料 SHA-256", "outcome": "结果", "reason": "理由", "override": "复核调整编号", "final_edition": "正式版",
    "sha256": "政策文件 SHA-256", "doc_number": "文号", "pending": "待确认取值", "field": "调整项", "value": "调整为",
    "expires": "有效期至", "role": "角色", "label": "名称", "days": "有效天数", "objection": "异议编号",
}
VALUE_CN = {"guidance": "指导类别", "warning_level": "预警等级", "restriction": "限制", "major": "专业目录结论",
            "offering": "本校专业点", "school": "学校", "commission": "市教委", "cli": "命令行"}
SUBJECT_CN = {"objection": "异议", "override": "复核调整", "token": "令牌", "policy": "评分政策"}
AUDIT_HEADERS = ("编号", "时间", "操作人", "操作", "对象", "详情")


def describe(entry: AuditEntry) -> dict[str, str]:
    """One audit entry as a person reads it: Chinese column names, the action and its details in Chinese."""
    try:
        detail = json.loads(entry.detail or "{}")
    except ValueError:
        detail = {"": entry.detail}
    parts = [f"{DETAIL_CN.get(k, k)}：{VALUE_CN.get(v, v) if isinstance(v, str) else v}"
             for k, v in sorted(detail.items()) if v not in (None, "")]
    kind, _, ident = entry.subject.partition(":")
    subject = f"{SUBJECT_CN[kind]} {ident}" if ident and kind in SUBJECT_CN else entry.subject
    at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
    return dict(zip(AUDIT_HEADERS, (str(entry.id), at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
                                     entry.actor, ACTION_CN.get(entry.action, entry.action), subject,
                                     "；".join(parts)), strict=True))
