"""Objections (异议): filed by a school on its own offering or a major's verdict while a draft is under
review; seen only by that school and the commission; decided by the commission with a written reason.

Every query takes the acting ``Actor``: a school's actor only ever reaches its own objections (anything
else is "not found", the same answer as for an id that does not exist).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from review import evidence as ev
from review import models as m
from review.audit import Actor, NotFoundError, ReviewError, now, record
from review.db import Store
from review.models import Decision, Objection, ReviewWindow
from review.overrides import new_override
from review.windows import get_window, is_open

TARGET_CN = {m.OFFERING: "本校专业点", m.MAJOR: "专业目录结论"}
MAX_TEXT = 4000


def file_objection(store: Store, actor: Actor, edition: str, target: str, major_code: str, contested: str,
                   text: str, offered: Collection[str], catalog: Collection[str],
                   evidence: tuple[str, bytes] | None = None, today: date | None = None) -> Objection:
    """A school files one objection. `offered` are the school's own major codes in `edition` and
    `catalog` the catalog's major codes (the caller reads them from the edition's files)."""
    if actor.role != "school" or not actor.school_code:
        raise ReviewError("只有学校账户可以提出异议。")
    if not is_open(get_window(store, edition), today):
        raise ReviewError(f"版次 {edition} 当前不在征求意见期，不能提出异议；如有意见，请书面联系市教委。")
    if target not in TARGET_CN:
        raise ReviewError("异议对象应为本校专业点或专业目录结论。")
    if contested not in m.FIELDS:
        raise ReviewError("请选择有异议的事项：指导类别、预警等级或限制。")
    code = (major_code or "").strip()
    if code not in (offered if target == m.OFFERING else catalog):
        raise ReviewError(f"专业代码 {code or '（空）'} 不是本校在该版次中的专业点。" if target == m.OFFERING
                          else f"专业代码 {code or '（空）'} 不在该版次的专业目录中。")
    text = (text or "").strip()
    if not text:
        raise ReviewError("请填写异议理由。")
    if len(text) > MAX_TEXT:
        raise ReviewError(f"异议理由不能超过 {MAX_TEXT} 字。")
    saved = ev.save(store.evidence_dir, *evidence) if evidence and any(evidence) else None  # empty: refused by name
    with store.session() as s:
        obj = Objection(edition=edition, school_code=actor.school_code, target=target, major_code=code,
                        contested=contested, text=text, status=m.PENDING, filed_by=actor.name,
                        token_id=actor.token_id, filed_at=now(),
                        evidence_name=saved and saved.name, evidence_path=saved and saved.path,
                        evidence_sha256=saved and saved.sha256, evidence_size=saved and saved.size)
        s.add(obj)
        s.flush()
        record(s, actor, "objection.file", f"objection:{obj.id}", edition=edition, school=actor.school_code,
               major=code, target=target, contested=contested, evidence=saved and saved.sha256)
    return obj


def _scoped(actor: Actor):
    q = select(Objection).options(selectinload(Objection.decision).selectinload(Decision.override))
    if not actor.is_commission:
        q = q.where(Objection.school_code == (actor.school_code or "\x00"))
    return q


def list_objections(store: Store, actor: Actor, edition: str | None = None, status: str | None = None,
                    school_code: str | None = None, major_code: str | None = None) -> list[Objection]:
    """Objections the actor may see (a school: its own), newest first, optionally filtered."""
    q = _scoped(actor).order_by(Objection.id.desc())
    for col, value in ((Objection.edition, edition), (Objection.status, status),
                       (Objection.school_code, school_code), (Objection.major_code, major_code)):
        if value:
            q = q.where(col == value)
    with store.session() as s:
        return list(s.scalars(q))


def pending_count(store: Store, actor: Actor) -> int:
    """How many objections the actor may see are still awaiting the commission's answer (a school: its own)."""
    q = select(func.count()).select_from(Objection).where(Objection.status == m.PENDING)
    if not actor.is_commission:
        q = q.where(Objection.school_code == (actor.school_code or "\x00"))
    with store.session() as s:
        return int(s.scalar(q) or 0)


def get_objection(store: Store, actor: Actor, objection_id: int) -> Objection:
    with store.session() as s:
        return _get(s, actor, objection_id)


def _get(s: Session, actor: Actor, objection_id: int) -> Objection:
    obj = s.scalar(_scoped(actor).where(Objection.id == objection_id))
    if obj is None:
        raise NotFoundError("异议")
    return obj


def decide(store: Store, actor: Actor, objection_id: int, accept: bool, reason: str,
           value: str | None = None, expires: date | None = None) -> Decision:
    """The commission accepts (setting the contested verdict to `value` by an override) or rejects."""
    if not actor.is_commission:
        raise NotFoundError("异议")
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("请填写处理理由。")
    with store.session() as s:
        obj = _get(s, actor, objection_id)
        if obj.status != m.PENDING:
            raise ReviewError(f"异议 {objection_id} 已处理（{obj.status}）。")
        window = s.get(ReviewWindow, obj.edition)
        if window is not None and window.state == m.FINAL:
            raise ReviewError(f"版次 {obj.edition} 已正式发布，不能再处理异议；如需调整，请用复核调整（majorwatch override add）在下一版生效。")
        override = None
        if accept:
            override = new_override(s, actor, obj.major_code, obj.school_code if obj.target == m.OFFERING else None,
                                    obj.contested, value or "", reason, expires, source_edition=obj.edition,
                                    objection_id=obj.id)
        obj.status = m.ACCEPTED if accept else m.REJECTED
        decision = Decision(objection_id=obj.id, outcome=obj.status, reason=reason, decided_by=actor.name,
                            token_id=actor.token_id, decided_at=now(), override=override)
        s.add(decision)
        s.flush()
        record(s, actor, "objection.decide", f"objection:{obj.id}", outcome=obj.status, reason=reason,
               override=override and override.id)
    return decision


def evidence_file(store: Store, actor: Actor, objection_id: int):
    """(path, original name) of an objection's evidence, for the actor who may see the objection."""
    obj = get_objection(store, actor, objection_id)
    if not obj.evidence_path:
        raise NotFoundError("证明材料")
    return ev.open_path(store.evidence_dir, obj.evidence_path), obj.evidence_name
