"""The HTML pages (Chinese, server-rendered): sign-in, a school's own page, the commission's pages."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from documents.wording import policy_values, public_source, resolve_keys, show_value
from portal import commission_views, views
from portal.actions import school_actions
from portal.auth import COOKIE_NAME, AnyUser, SchoolUser, User, check_token, not_found, snapshot_of
from portal.editions import Snapshot
from portal.rendering import render
from portal.sessions import ABSOLUTE
from portal.verdicts import notes_for
from scoring import rulebook

router = APIRouter(include_in_schema=False)


def _same_origin(request: Request) -> None:
    """Refuse cross-site form posts (the cookie is SameSite=Strict as well). ``Origin: null`` (a sandboxed
    frame, a data: page, a redirect chain) names no site and is refused too: it is how login CSRF comes."""
    origin = request.headers.get("origin")
    if origin is not None and (origin.strip().lower() == "null" or urlsplit(origin).netloc != request.headers.get("host")):
        raise HTTPException(403, "无权访问：拒绝来自其他网站的提交。")


@router.get("/signin")
async def signin_form(request: Request) -> Response:
    return render(request, "signin.html", {"message": None})


# Sign-in and sign-out write to the review store: plain functions, run in the thread pool, so a busy store
# never holds up the event loop (and every other page with it).
@router.post("/signin")
def signin(request: Request, token: str = Form("", max_length=256)) -> Response:
    _same_origin(request)
    principal = check_token(request, token.strip())
    if principal is None:
        return render(request, "signin.html", {"message": "令牌无效或已被吊销，请核对后重试。"}, 401)
    target = "/commission" if principal.role == "commission" else "/school"
    response = RedirectResponse(target, status_code=303)
    sid = request.app.state.auth.start(principal)  # the cookie carries a session id, never the token
    response.set_cookie(COOKIE_NAME, sid, httponly=True, samesite="strict",
                        secure=request.app.state.secure_cookies, path="/", max_age=int(ABSOLUTE.total_seconds()))
    return response


@router.post("/signout")
def signout(request: Request) -> Response:
    _same_origin(request)
    sid = request.cookies.get(COOKIE_NAME)
    if sid:
        request.app.state.auth.end(sid)  # revoked in the store, not only forgotten by the browser
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict",
                           secure=request.app.state.secure_cookies)
    return response


@router.get("/")
async def home(principal: AnyUser) -> Response:
    if principal is None:
        return RedirectResponse("/signin", status_code=303)
    return RedirectResponse("/commission" if principal.role == "commission" else "/school", status_code=303)


WatchFilter = Annotated[str, Query(max_length=8)]  # one Query() object per parameter (a shared one mixes them up)


def school_page(request: Request, snap: Snapshot, school_code: str, commission: bool, certainty: str = "",
                cause: str = "") -> Response:
    """A school's page (its own, or any school's for commission staff); ``certainty``/``cause`` preselect the
    watch-list filters (the rows that do not pass them are rendered hidden, so the live filters can show them)."""
    rows = views.school_majors(snap, school_code)
    if rows is None:
        raise not_found()
    shown = {r["major_code"] for r in rows if views.matches(r, certainty, cause)}
    return render(request, "school.html", {
        "school": views.school_header(snap, school_code), "rows": rows, "summary": views.summary(rows),
        "notes": notes_for(rows, views.rules_policy(snap)), "commission": commission,
        "lines": rulebook.score_lines(views.rules_policy(snap)), "editions": snap.trend_editions,
        "shown_codes": shown, "shown": len(shown), "choices": views.filter_choices(rows),
        "form": {"certainty": certainty, "cause": cause},
        "downloads": views.editions_info(snap, request.state.principal)[:1], "meta": snap.current.meta,
        "actions": school_actions(snap, school_code)})


@router.get("/school")
async def school(request: Request, principal: SchoolUser, certainty: WatchFilter = "",
                 cause: WatchFilter = "") -> Response:
    return school_page(request, snapshot_of(request), principal.school_code, False, certainty, cause)


@router.get("/school/majors/{major_code}")
async def school_major_page(request: Request, major_code: str, principal: SchoolUser) -> Response:
    snap = snapshot_of(request)
    detail = views.school_major(snap, principal.school_code, major_code)
    if detail is None:
        raise not_found()
    return render(request, "major.html", {"school": views.school_header(snap, principal.school_code),
                                          "major": detail["major"], "editions": snap.trend_editions,
                                          "notes": notes_for([detail["major"]], views.rules_policy(snap)),
                                          "lines": rulebook.score_lines(views.rules_policy(snap))})


@router.get("/catalog")
async def catalog(request: Request, principal: User, guidance: str = Query("", max_length=20),
                  category: str = Query("", max_length=40), level: str = Query("", max_length=20),
                  q: str = Query("", max_length=50)) -> Response:
    snap = snapshot_of(request)
    return render(request, "catalog.html", {
        "browse": commission_views.browse_catalog(snap, guidance, category, level, q), "edition": snap.current.edition_id,
        "form": {"guidance": guidance, "category": category, "level": level, "q": q},
        "guidance_choices": commission_views.BROWSE_GUIDANCE,
        "notes": rulebook.school_notes(views.rules_policy(snap))["指导类别"]})


@router.get("/policy")
async def policy(request: Request, principal: User) -> Response:
    snap = snapshot_of(request)
    rules = views.rules_policy(snap)
    notes = rulebook.school_notes(rules)
    return render(request, "policy.html", {"edition": snap.current.edition_id, "meta": snap.current.meta,
                                           "sections": policy_sections(snap.current.meta),
                                           "definitions": rulebook.definitions(rules),
                                           "guidance_notes": notes["指导类别"], "restriction_notes": notes["禁限目录"],
                                           "flag_notes": notes["本校提示"]})


def policy_sections(meta: dict) -> list[dict]:
    """The policy in force as the edition's datapackage.json carries it: sections of described settings."""
    content = (meta.get("policy") or {}).get("content") or {}
    values = policy_values(content)
    sections = []
    for name, items in content.items():
        if isinstance(items, dict) and "description" in items:
            items = {name: items}
        rows = [{"key": key, "description": resolve_keys(item.get("description", ""), values), "value": show_value(item.get("value")),
                 "source": public_source(item.get("source", ""))}
                for key, item in (items.items() if isinstance(items, dict) else []) if isinstance(item, dict)]
        if rows:
            sections.append({"name": POLICY_SECTIONS.get(name, "其他规定"), "rows": rows})
    return sections


POLICY_SECTIONS = {"rules": "判定规则", "curves": "评分曲线", "weights": "分项权重", "relief": "减分项",
                   "districts": "区域规定", "school": "专业点调整", "guidance_precedence": "指导类别优先顺序",
                   "evidence": "证据要求", "zones": "功能区"}
