"""Objection pages (异议): a school files and follows its own; the commission lists, filters and decides.

Everything goes through ``review.objections`` with an ``Actor`` built from the signed-in token, so a
school reaches only its own objections (another school's id answers 404, like one that does not exist).
The pages read the edition in force from its published files only (never the warehouse); the review
store is the SQLite/PostgreSQL database of ``review.db``.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import polars as pl
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy.exc import OperationalError

from portal.auth import CommissionUser, SchoolUser, not_found, snapshot_of
from portal.pages import _same_origin
from portal.quotas import QuotaError
from portal.rendering import render, templates
from portal.security import BUSY
from portal.sessions import PORTAL_BUSY_MS
from portal.tokens import Principal
from review import audit
from review import evidence as ev
from review import objections as svc
from review.audit import Actor, NotFoundError, ReviewError
from review.db import Store, open_store
from review.models import ACCEPTED, DRAFT, FIELDS, FINAL, MAJOR, OFFERING, PENDING, REJECTED
from review.windows import get_window, is_open, state_of, under_review
from scoring.overrides import FIELD_CN, VALUES

router = APIRouter(include_in_schema=False)
STATUSES = (PENDING, ACCEPTED, REJECTED)
EVIDENCE_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                  ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                  ".csv": "text/csv; charset=utf-8", ".txt": "text/plain; charset=utf-8"}


BEIJING = ZoneInfo("Asia/Shanghai")
MAX_ID = 2**63 - 1  # the store's integer ids; a larger one in a URL names nothing (404, not an overflow)
NOT_SAVED = BUSY + "本次提交未保存，已填写的内容保留在下方。"


def beijing_time(value: datetime | None) -> str:
    """A stored time (UTC; SQLite hands it back naive) as Beijing time, e.g. '2026-11-30 14:40'."""
    if value is None:
        return "—"
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def file_size(n: int | None) -> str:
    if not n:
        return "—"
    return f"{n} 字节" if n < 1024 else f"{n / 1024:.1f} KB" if n < 1024 * 1024 else f"{n / 1048576:.1f} MB"


log = logging.getLogger("majorwatch.portal.objections")
templates.env.filters.update(bjtime=beijing_time, filesize=file_size, plainname=ev.plain_name)  # names stored
# before bidi controls were stripped are shown without them too


def nav_pending(request: Request, principal: Principal | None) -> int | None:
    """The navigation's count of objections awaiting an answer (a school: its own); None when the review
    store cannot answer now (the link is shown without a count rather than the page failing)."""
    if principal is None:
        return None
    try:
        return svc.pending_count(store_of(request), actor_of(principal))
    except Exception:  # noqa: BLE001 - a count in the navigation never takes a page down
        log.warning("could not count pending objections", exc_info=True)
        return None




def school_names(request: Request) -> dict[str, str]:
    """School code → name in the edition in force (for the commission's lists)."""
    return {code: str(frame["school_name"][0] or code)
            for code, frame in snapshot_of(request).current.by_school.items() if frame.height}


def store_of(request: Request) -> Store:
    """The review store of the portal's home folder (opened once per process), waiting at most
    PORTAL_BUSY_MS for a lock: a busy store answers 503 quickly instead of holding the request."""
    return open_store(request.app.state.home, busy_ms=PORTAL_BUSY_MS)


def checked_id(objection_id: int) -> int:
    """An objection id from a URL, or 404 when no stored id can be that large (or small)."""
    if not 1 <= objection_id <= MAX_ID:
        raise not_found()
    return objection_id


def actor_of(principal: Principal) -> Actor:
    who = principal.label or (f"学校 {principal.school_code}" if principal.role == "school" else "教委工作人员")
    return Actor(who, principal.role, principal.school_code, principal.token_id)


def published_state(request: Request) -> str:
    """The state the edition in force was published with (datapackage.json ``state``; editions from
    before the review cycle were issued directly, so 正式)."""
    snap = snapshot_of(request)
    if "review_state" not in snap.cache:
        meta = json.loads((snap.current.path / "datapackage.json").read_text(encoding="utf-8"))
        snap.cache["review_state"] = str(meta.get("state") or FINAL)
    return snap.cache["review_state"]


def review_banner(request: Request, store: Store, edition: str) -> dict:
    """What the pages say about an edition: its state and whether objections are taken; for a draft under
    review beside the edition in force, the edition in force too (each labelled)."""
    window = get_window(store, edition)
    current = snapshot_of(request).current.edition_id
    state = state_of(store, edition) or (published_state(request) if edition == current else FINAL)
    return {"edition": edition, "state": state, "open": is_open(window),
            "closed": bool(window and window.closed_at),
            "until": window.open_until.isoformat() if window and window.open_until else None,
            "in_force": current if current != edition else None,
            "in_force_state": state_of(store, current) or published_state(request)}


def review_edition(request: Request, store: Store) -> str:
    """The edition objections are about: the draft under review (published beside the edition in force, e.g.
    2027-draft while the final 2026 serves), else the edition in force."""
    draft = under_review(store)
    snap = snapshot_of(request)
    if draft and draft != snap.current.edition_id and (snap.current.path.parent / draft / "datapackage.json").is_file():
        return draft
    return snap.current.edition_id


def review_notice(request: Request, principal: Principal | None) -> dict | None:
    """For every page: the draft under review beside the edition in force (None when there is none)."""
    if principal is None:
        return None
    try:
        store = store_of(request)
        edition = review_edition(request, store)
        return review_banner(request, store, edition) if edition != snapshot_of(request).current.edition_id else None
    except Exception:  # noqa: BLE001 - a notice never takes a page down
        log.warning("could not read the review state", exc_info=True)
        return None


templates.env.globals.update(nav_pending=nav_pending, review_notice=review_notice)


def _choices(request: Request, school_code: str, edition: str) -> tuple[list[dict], list[dict]]:
    """(the school's own offerings, the catalog's majors) of `edition` (in force or the draft under review)."""
    snap = snapshot_of(request)
    if edition == snap.current.edition_id:
        own = snap.current.by_school.get(school_code)
        guiding = snap.current.guiding
    else:  # the draft's own files, read once per snapshot
        key = ("review-edition", edition)
        if key not in snap.cache:
            folder = snap.current.path.parent / edition
            snap.cache[key] = (pl.read_parquet(folder / "school_major_scores.parquet",
                                               columns=["school_code", "major_code", "major_name"]),
                               pl.read_parquet(folder / "guiding_catalog.parquet", columns=["major_code", "major_name"]))
        scores, guiding = snap.cache[key]
        own = scores.filter(pl.col("school_code") == school_code)
    offered = [] if own is None else own.select("major_code", "major_name").unique("major_code").sort(
        "major_code").to_dicts()
    catalog = guiding.select("major_code", "major_name").to_dicts()
    return offered, catalog


def _school_page(request: Request, principal: Principal, message: str | None = None, status: int = 200,
                 form: dict | None = None) -> Response:
    store = store_of(request)
    try:
        edition = review_edition(request, store)
    except OperationalError:
        if status != 503:
            raise
        edition = snapshot_of(request).current.edition_id
    offered, catalog = _choices(request, principal.school_code, edition)
    try:
        banner, filed = review_banner(request, store, edition), svc.list_objections(store, actor_of(principal))
    except OperationalError:
        if status != 503:
            raise
        # the store is busy: the form comes back with what was typed; the list is shown when it answers
        banner = {"edition": edition, "state": DRAFT, "open": True, "closed": False, "until": None}
        filed = None
    return render(request, "objections_school.html", {
        "banner": banner, "offered": offered, "catalog": catalog,
        "objections": filed, "message": message, "form": form or {},
        "fields": {f: FIELD_CN[f] for f in FIELDS}, "targets": svc.TARGET_CN, "offering": OFFERING,
        "major": MAJOR, "max_mb": ev.MAX_BYTES // (1024 * 1024), "types": ev.allowed_types()}, status)


# The pages below that use the review store are plain functions: FastAPI runs them in its thread pool, so a
# request waiting on the store never holds up the event loop (and with it every other page).
@router.get("/school/objections")
def school_objections(request: Request, principal: SchoolUser) -> Response:
    return _school_page(request, principal)


@router.post("/school/objections")
def file_objection(request: Request, principal: SchoolUser, target: str = Form(OFFERING, max_length=16),
                   major_code: str = Form("", max_length=16), contested: str = Form("", max_length=16),
                   text: str = Form("", max_length=8000),
                   evidence: Annotated[UploadFile | None, File()] = None) -> Response:
    _same_origin(request)
    data = evidence.file.read(ev.MAX_BYTES + 1) if evidence is not None else b""
    # a chosen file is passed on even when empty (the store refuses it by name); no file chosen: none
    upload = (evidence.filename or "", data) if evidence is not None and (evidence.filename or data) else None
    form = {"target": target, "major_code": major_code, "contested": contested, "text": text}
    store = store_of(request)
    try:
        edition = review_edition(request, store)
        offered, catalog = _choices(request, principal.school_code, edition)
        request.app.state.quota.check(store, principal.school_code, len(data) if upload else 0)
        obj = svc.file_objection(store, actor_of(principal), edition,
                                 target, major_code, contested, text, {o["major_code"] for o in offered},
                                 {c["major_code"] for c in catalog}, upload)
    except QuotaError as exc:
        return _school_page(request, principal, str(exc), exc.status, form)
    except ReviewError as exc:
        return _school_page(request, principal, str(exc), 400, form)
    except OperationalError:
        return _school_page(request, principal, NOT_SAVED, 503, form)
    return RedirectResponse(f"/school/objections/{obj.id}", status_code=303)


def _detail(request: Request, principal: Principal, objection_id: int, commission: bool,
            message: str | None = None, status: int = 200, form: dict | None = None) -> Response:
    """An objection's page; `form` is what the commission typed into a decision that was refused (kept)."""
    store = store_of(request)
    try:
        obj = svc.get_objection(store, actor_of(principal), checked_id(objection_id))
    except NotFoundError:
        raise not_found() from None
    return render(request, "objection_detail.html", {
        "o": obj, "commission": commission, "message": message, "fields": FIELD_CN, "targets": svc.TARGET_CN,
        "values": VALUES.get(obj.contested, ()), "pending": PENDING, "names": school_names(request),
        "banner": review_banner(request, store, obj.edition), "form": form or {}}, status)


@router.get("/school/objections/{objection_id}")
def school_objection(request: Request, objection_id: int, principal: SchoolUser) -> Response:
    return _detail(request, principal, objection_id, commission=False)


def _evidence(request: Request, principal: Principal, objection_id: int) -> FileResponse:
    try:
        path, name = svc.evidence_file(store_of(request), actor_of(principal), checked_id(objection_id))
    except ReviewError:
        raise not_found() from None
    return FileResponse(path, media_type=EVIDENCE_TYPES.get(path.suffix.lower(), "application/octet-stream"),
                        filename=ev.plain_name(name) or path.name)


@router.get("/school/objections/{objection_id}/evidence")
def school_evidence(request: Request, objection_id: int, principal: SchoolUser) -> FileResponse:
    return _evidence(request, principal, objection_id)


@router.get("/commission/objections")
def commission_objections(request: Request, principal: CommissionUser,
                                status: str = Query("", max_length=8), school: str = Query("", max_length=20),
                                major: str = Query("", max_length=16),
                                edition: str = Query("", max_length=64)) -> Response:
    store = store_of(request)
    current = review_edition(request, store)
    rows = svc.list_objections(store, actor_of(principal), edition=edition or None,
                               status=status if status in STATUSES else None, school_code=school.strip() or None,
                               major_code=major.strip() or None)
    return render(request, "objections_commission.html", {
        "banner": review_banner(request, store, current), "objections": rows, "statuses": STATUSES,
        "form": {"status": status, "school": school, "major": major, "edition": edition},
        "fields": FIELD_CN, "targets": svc.TARGET_CN, "names": school_names(request)})


@router.get("/commission/objections/{objection_id}")
def commission_objection(request: Request, objection_id: int, principal: CommissionUser) -> Response:
    return _detail(request, principal, objection_id, commission=True)


@router.get("/commission/objections/{objection_id}/evidence")
def commission_evidence(request: Request, objection_id: int, principal: CommissionUser) -> FileResponse:
    return _evidence(request, principal, objection_id)


@router.post("/commission/objections/{objection_id}/decision")
def decide(request: Request, objection_id: int, principal: CommissionUser,
                 outcome: str = Form("", max_length=8), reason: str = Form("", max_length=4000),
                 value: str = Form("", max_length=32), expires: str = Form("", max_length=10)) -> Response:
    _same_origin(request)
    checked_id(objection_id)
    typed = {"outcome": outcome, "reason": reason, "value": value, "expires": expires}
    if outcome not in ("accept", "reject"):
        return _detail(request, principal, objection_id, True, "请选择采纳或不予采纳。", 400, typed)
    try:
        until = date.fromisoformat(expires) if expires.strip() else None
    except ValueError:
        return _detail(request, principal, objection_id, True, f"有效期「{expires}」不是日期（YYYY-MM-DD）。", 400,
                       typed)
    try:
        svc.decide(store_of(request), actor_of(principal), objection_id, outcome == "accept", reason,
                   value or None, until)
    except NotFoundError:
        raise not_found() from None
    except ReviewError as exc:
        return _detail(request, principal, objection_id, True, str(exc), 400, typed)
    except OperationalError:
        return _detail(request, principal, objection_id, True, NOT_SAVED, 503, typed)
    return RedirectResponse(f"/commission/objections/{objection_id}", status_code=303)


@router.get("/commission/audit")
def audit_log(request: Request, principal: CommissionUser, limit: int = Query(500, ge=1, le=5000)) -> Response:
    """The review store's audit log, newest first (who did what, when, with which token)."""
    rows = [audit.describe(e) for e in audit.entries(store_of(request))][::-1][:limit]
    return render(request, "audit.html", {"rows": rows, "headers": audit.AUDIT_HEADERS})


def install(app) -> None:
    """Register the objection pages (one line in create_app)."""
    app.include_router(router)


