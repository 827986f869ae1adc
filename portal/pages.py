"""The HTML pages (Chinese, server-rendered): sign-in, a school's own page, the commission's pages."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from portal import commission_views, views
from portal.actions import school_actions
from portal.auth import COOKIE_NAME, AnyUser, SchoolUser, User, check_token, not_found, snapshot_of
from portal.editions import Snapshot
from portal.rendering import render
from portal.verdicts import FLAG_NOTES, GUIDANCE_NOTES, RESTRICTION_NOTES, notes_for

router = APIRouter(include_in_schema=False)


def _same_origin(request: Request) -> None:
    """Refuse cross-site form posts (the cookie is SameSite=Strict as well)."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(403, "无权访问：拒绝来自其他网站的提交。")


@router.get("/signin")
async def signin_form(request: Request) -> Response:
    return render(request, "signin.html", {"message": None})


@router.post("/signin")
async def signin(request: Request, token: str = Form("", max_length=256)) -> Response:
    _same_origin(request)
    principal = check_token(request, token.strip())
    if principal is None:
        return render(request, "signin.html", {"message": "令牌无效或已被吊销，请核对后重试。"}, 401)
    target = "/commission" if principal.role == "commission" else "/school"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE_NAME, token.strip(), httponly=True, samesite="strict",
                        secure=request.app.state.secure_cookies, path="/", max_age=12 * 3600)
    return response


@router.post("/signout")
async def signout(request: Request) -> Response:
    _same_origin(request)
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
        "notes": notes_for(rows), "commission": commission, "editions": snap.editions,
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
                                          "major": detail["major"], "editions": snap.editions,
                                          "notes": notes_for([detail["major"]])})


@router.get("/catalog")
async def catalog(request: Request, principal: User, guidance: str = Query("", max_length=20),
                  category: str = Query("", max_length=40), level: str = Query("", max_length=20),
                  q: str = Query("", max_length=50)) -> Response:
    snap = snapshot_of(request)
    return render(request, "catalog.html", {
        "browse": commission_views.browse_catalog(snap, guidance, category, level, q), "edition": snap.current.edition_id,
        "form": {"guidance": guidance, "category": category, "level": level, "q": q},
        "guidance_choices": commission_views.BROWSE_GUIDANCE, "notes": GUIDANCE_NOTES})


@router.get("/policy")
async def policy(request: Request, principal: User) -> Response:
    snap = snapshot_of(request)
    return render(request, "policy.html", {"edition": snap.current.edition_id, "meta": snap.current.meta,
                                           "sections": policy_sections(snap.current.meta),
                                           "guidance_notes": GUIDANCE_NOTES, "restriction_notes": RESTRICTION_NOTES,
                                           "flag_notes": FLAG_NOTES})


def policy_sections(meta: dict) -> list[dict]:
    """The policy in force as the edition's datapackage.json carries it: sections of described settings."""
    content = (meta.get("policy") or {}).get("content") or {}
    sections = []
    for name, items in content.items():
        if isinstance(items, dict) and "description" in items:
            items = {name: items}
        rows = [{"key": key, "description": item.get("description", ""), "value": item.get("value"),
                 "source": item.get("source", "")}
                for key, item in (items.items() if isinstance(items, dict) else []) if isinstance(item, dict)]
        if rows:
            sections.append({"name": POLICY_SECTIONS.get(name, name), "rows": rows})
    return sections


POLICY_SECTIONS = {"rules": "判定规则", "curves": "评分曲线", "weights": "分项权重", "relief": "减分项",
                   "districts": "区域规定", "school": "专业点调整", "guidance_precedence": "指导类别优先顺序"}
