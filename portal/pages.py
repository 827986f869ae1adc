"""The HTML pages (Chinese, server-rendered): sign-in, a school's own page, the commission's pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from portal import views
from portal.auth import COOKIE_NAME, AnyUser, CommissionUser, SchoolUser, check_token, not_found, snapshot_of
from portal.editions import Snapshot
from portal.models import SchoolMajor
from portal.rendering import render

router = APIRouter(include_in_schema=False)
GUIDANCE_CHOICES = views.GUIDANCE_ORDER
LEVEL_CHOICES = views.WARNING_ORDER


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


def _school_page(request: Request, snap: Snapshot, school_code: str, commission: bool) -> Response:
    rows = views.school_majors(snap, school_code)
    if rows is None:
        raise not_found()
    return render(request, "school.html", {"school": views.school_header(snap, school_code), "rows": rows,
                                           "commission": commission, "levels": LEVEL_CHOICES,
                                           "editions": snap.editions})


@router.get("/school")
async def school_page(request: Request, principal: SchoolUser) -> Response:
    return _school_page(request, snapshot_of(request), principal.school_code, commission=False)


@router.get("/school/majors/{major_code}")
async def school_major_page(request: Request, major_code: str,
                            principal: SchoolUser) -> Response:
    snap = snapshot_of(request)
    detail = views.school_major(snap, principal.school_code, major_code)
    if detail is None:
        raise not_found()
    return render(request, "major.html", {"school": views.school_header(snap, principal.school_code),
                                          "major": detail["major"], "fields": SchoolMajor.model_fields})


@router.get("/commission")
async def commission_page(
        request: Request, principal: CommissionUser,
        q: str = Query("", max_length=50), guidance: str = Query("", max_length=20),
        warning_level: str = Query("", max_length=4), limit: int = Query(50, ge=1, le=200),
        offset: int = Query(0, ge=0, le=1_000_000), school_q: str = Query("", max_length=50),
        school_offset: int = Query(0, ge=0, le=1_000_000)) -> Response:
    snap = snapshot_of(request)
    return render(request, "commission.html", {
        "summary": views.commission_summary(snap, principal),
        "search": views.search_majors(snap, q, guidance, warning_level, limit, offset),
        "schools": views.school_list(snap, school_q, 200, school_offset),
        "form": {"q": q, "guidance": guidance, "warning_level": warning_level, "limit": limit,
                 "school_q": school_q},
        "guidance_choices": GUIDANCE_CHOICES, "levels": LEVEL_CHOICES})


@router.get("/commission/schools/{school_code}")
async def commission_school_page(request: Request, school_code: str,
                                 principal: CommissionUser) -> Response:
    return _school_page(request, snapshot_of(request), school_code, commission=True)
