"""Each school's daily upload quota: how many objections it may file and how many bytes of evidence it
may store per day (Beijing time). What a school has used is read from the review store's objections, so
the quota holds across portal processes and restarts and needs no counter of its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from review.audit import ReviewError
from review.db import Store
from review.models import Objection

BEIJING = ZoneInfo("Asia/Shanghai")


class QuotaError(ReviewError):
    """A school's daily quota is used up; ``status`` is 429 (count) or 413 (bytes)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Quota:
    objections: int = 30               # objections a school may file per day
    evidence_bytes: int = 50 * 1048576  # evidence bytes a school may store per day

    def check(self, store: Store, school_code: str, new_bytes: int, now: datetime | None = None) -> None:
        """Raise QuotaError (Chinese) when filing one more objection with ``new_bytes`` of evidence would
        pass today's quota of ``school_code``."""
        today = (now or datetime.now(UTC)).astimezone(BEIJING).date()
        start = datetime.combine(today, time(), BEIJING).astimezone(UTC)
        with store.session() as s:
            count, used = s.execute(select(func.count(Objection.id), func.coalesce(func.sum(Objection.evidence_size), 0))
                                    .where(Objection.school_code == school_code, Objection.filed_at >= start)).one()
        if count >= self.objections:
            raise QuotaError(f"本校今日已提交 {count} 件异议，达到每日上限 {self.objections} 件；本次未保存，请明日再提交。", 429)
        if new_bytes and used + new_bytes > self.evidence_bytes:
            raise QuotaError(f"本校今日已上传证明材料 {used / 1048576:.1f} MB，加上本次 {new_bytes / 1048576:.1f} MB "
                             f"将超过每日上限 {self.evidence_bytes / 1048576:.0f} MB；本次未保存，请明日再上传或压缩后重试。",
                             413)
