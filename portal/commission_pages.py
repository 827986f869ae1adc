"""The commission's HTML pages: the overview with charts, the majors (list and detail), the schools
(list and each school's page), the districts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from portal import commission_views as cv
from portal.auth import CommissionUser, not_found, snapshot_of
from portal.pages import WatchFilter, school_page
from portal.rendering import render
from portal.views import GUIDANCE_ORDER, WARNING_ORDER, rules_policy
from scoring import rulebook

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Query(max_length=50)]  # a Query() object shared by two parameters mixes them up


@router.get("/commission")
async def overview(request: Request, principal: CommissionUser) -> Response:
    snap = snapshot_of(request)
    return render(request, "commission.html", {
        "summary": cv.commission_summary(snap, principal), "districts": cv.district_summaries(snap),
        "changes": cv.changes(snap), "watch": cv.watch_list(snap), "watch_band": cv.watch_band(snap), "previous": snap.current.meta.get("previous_edition"),
        "meta": snap.current.meta, "watch_meaning": rulebook.certainty("临界").meaning(rules_policy(snap))})


@router.get("/commission/majors")
async def majors(request: Request, principal: CommissionUser, q: Text = "",
                 guidance: str = Query("", max_length=20), warning_level: str = Query("", max_length=4),
                 category: Text = "", level: str = Query("", max_length=20), certainty: WatchFilter = "",
                 cause: WatchFilter = "", limit: int = Query(50, ge=1, le=200),
                 offset: int = Query(0, ge=0, le=1_000_000)) -> Response:
    snap = snapshot_of(request)
    form = {"q": q, "guidance": guidance, "warning_level": warning_level, "category": category, "level": level,
            "certainty": certainty, "cause": cause, "limit": limit}
    rows = cv.catalog_rows(snap)
    return render(request, "majors.html", {
        "search": cv.search_majors(snap, q, guidance, warning_level, limit, offset, category, level, certainty, cause),
        "form": form, "choices": cv.filter_choices(rows),
        "guidance_choices": GUIDANCE_ORDER, "levels": WARNING_ORDER,
        "categories": sorted({r["category_name"] for r in rows if r.get("category_name")}),
        "major_levels": sorted({r["level"] for r in rows if r.get("level")}), "edition": snap.current.edition_id})


@router.get("/commission/majors/{major_code}")
async def major(request: Request, major_code: str, principal: CommissionUser) -> Response:
    snap = snapshot_of(request)
    view = cv.major_view(snap, major_code)
    if view is None:
        raise not_found()
    return render(request, "commission_major.html", {**view, "edition": snap.current.edition_id,
                                                     "lines": rulebook.score_lines(rules_policy(snap))})


@router.get("/commission/schools")
async def schools(request: Request, principal: CommissionUser, q: Text = "", district: Text = "",
                  offset: int = Query(0, ge=0, le=1_000_000)) -> Response:
    snap = snapshot_of(request)
    return render(request, "schools.html", {
        "schools": cv.school_list(snap, q, 200, offset, district), "form": {"q": q, "district": district},
        "districts": [d["district"] for d in cv.district_summaries(snap)], "edition": snap.current.edition_id})


@router.get("/commission/schools/{school_code}")
async def school(request: Request, school_code: str, principal: CommissionUser, certainty: WatchFilter = "",
                 cause: WatchFilter = "") -> Response:
    return school_page(request, snapshot_of(request), school_code, True, certainty, cause)


@router.get("/commission/districts/{district}")
async def district(request: Request, district: str, principal: CommissionUser) -> Response:
    snap = snapshot_of(request)
    summary = next((d for d in cv.district_summaries(snap) if d["district"] == district), None)
    if summary is None:
        raise not_found()
    schools_in = cv.school_list(snap, "", 200, 0, district)["items"]
    return render(request, "district.html", {
        "district": summary, "schools": schools_in, "edition": snap.current.edition_id,
        "offerings": cv.district_offerings(snap, district)})
