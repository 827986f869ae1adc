"""Review windows: a draft edition opened to objections until a date, then finalized."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import func, select

from review.audit import Actor, ReviewError, now, record
from review.db import Store
from review.models import DRAFT, FINAL, PENDING, Objection, ReviewWindow


def open_review(store: Store, actor: Actor, edition: str, until: date, today: date | None = None) -> ReviewWindow:
    """Open (or extend) the review of a draft edition until `until` (inclusive)."""
    today = today or date.today()
    if until < today:
        raise ReviewError(f"征求意见截止日期 {until.isoformat()} 早于今天 {today.isoformat()}：请用 --until 指定今天或以后的日期。")
    with store.session() as s:
        window = s.get(ReviewWindow, edition)
        if window is not None and window.state == FINAL:
            raise ReviewError(f"版次 {edition} 已正式发布，不能再征求意见；如需修订，请运行 majorwatch run 发布新的征求意见稿。")
        if window is None:
            window = ReviewWindow(edition=edition, state=DRAFT)
            s.add(window)
        window.open_until, window.opened_by, window.opened_at, window.closed_at = until, actor.name, now(), None
        record(s, actor, "review.open", edition, until=until.isoformat())
    return window


def close_review(store: Store, actor: Actor, edition: str) -> ReviewWindow:
    """End the review now, before its closing date (objections are refused from this moment)."""
    with store.session() as s:
        window = s.get(ReviewWindow, edition)
        if window is None or window.state == FINAL:
            raise ReviewError(f"版次 {edition} 没有进行中的征求意见（用 majorwatch edition status {edition} 查看状态）。")
        if window.closed_at is None:
            window.closed_at = now()
            record(s, actor, "review.close", edition)
    return window


def get_window(store: Store, edition: str) -> ReviewWindow | None:
    with store.session() as s:
        return s.get(ReviewWindow, edition)


def under_review(store: Store, today: date | None = None) -> str | None:
    """The draft whose review is open today (the one opened last when several are), or None."""
    with store.session() as s:
        windows = list(s.scalars(select(ReviewWindow).where(ReviewWindow.state == DRAFT)
                                 .order_by(ReviewWindow.opened_at.desc())))
    return next((w.edition for w in windows if is_open(w, today)), None)


def is_open(window: ReviewWindow | None, today: date | None = None) -> bool:
    """Objections are taken while the edition is a draft, today is on or before its closing date and the
    commission has not closed the review early."""
    today = today or date.today()
    return (window is not None and window.state == DRAFT and window.open_until is not None
            and window.closed_at is None and today <= window.open_until)


def state_of(store: Store, edition: str) -> str | None:
    """征求意见稿 or 正式 as the store knows it: an edition with a review window carries its state, the
    final edition of a finalized draft is 正式; None for an edition the store never saw (the state its
    datapackage.json records then holds)."""
    with store.session() as s:
        window = s.get(ReviewWindow, edition)
        if window is not None:
            return window.state
        final = s.scalar(select(ReviewWindow).where(ReviewWindow.final_edition == edition))
        return FINAL if final is not None else None


def finalize(store: Store, actor: Actor, draft: str, publish_final: Callable[[str], str],
             today: date | None = None, put_in_force: Callable[[str], None] | None = None) -> str:
    """Issue the final edition of `draft`: refused while the review is open or objections are pending.

    One transaction over every record: `publish_final(draft)` (the pipeline) writes the final edition's folder
    with the overrides (without putting it in force when `put_in_force` is given); then, inside the store's
    transaction that marks the review final and appends the audit entry, `put_in_force(final)` switches
    CURRENT, and the transaction commits. A failure before the switch leaves CURRENT, the review state and
    the audit log as they were; a process killed between the switch and the commit leaves CURRENT on the
    final and the review a draft, which a rerun completes (the final folder is the same content, reused)."""
    today = today or date.today()
    window = get_window(store, draft)
    if window is None:
        final = draft_of(store, draft)
        if final:
            raise ReviewError(f"版次 {draft} 是正式版（由 {final} 正式发布而来），不能再正式发布。")
        raise ReviewError(f"版次 {draft} 尚未征求意见（先运行 majorwatch edition open-review {draft} "
                          f"--until YYYY-MM-DD）。")
    if window.state == FINAL:
        raise ReviewError(f"版次 {draft} 已于此前正式发布为 {window.final_edition}，无需再次发布。")
    if is_open(window, today):
        raise ReviewError(f"版次 {draft} 的征求意见期到 {window.open_until.isoformat()} 才结束"
                          f"（如需提前结束，运行 majorwatch edition close-review {draft}）。")
    with store.session() as s:
        pending = s.scalar(select(func.count()).select_from(Objection).where(
            Objection.edition == draft, Objection.status == PENDING))
    if pending:
        raise ReviewError(f"版次 {draft} 还有 {pending} 条异议未处理，不能正式发布"
                          f"（请在门户“异议处理”页逐条答复后再运行本命令）。")
    final = publish_final(draft)
    with store.session() as s:
        window = s.get(ReviewWindow, draft)
        window.state, window.final_edition, window.finalized_at = FINAL, final, now()
        record(s, actor, "edition.finalize", draft, final_edition=final)
        s.flush()  # takes the store's write lock now: a busy store fails here, before CURRENT moves
        if put_in_force is not None:
            put_in_force(final)
    return final


def draft_of(store: Store, edition: str) -> str | None:
    """The draft an edition was finalized from, if it is a final edition the store knows (else None)."""
    with store.session() as s:
        window = s.scalar(select(ReviewWindow).where(ReviewWindow.final_edition == edition))
        return window.edition if window is not None else None
