"""新设专业预审 in the portal: a signed-in school asks about itself (the school comes from its token, never
from a parameter); commission staff ask about any school. The answer is `scoring.precheck.precheck_from_tables`
on the edition in force with the policy its datapackage.json carries — exactly what `majorwatch precheck`
answers from the same files.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from portal.auth import CommissionUser, SchoolUser, snapshot_of
from portal.commission_views import school_summaries
from portal.editions import Snapshot
from portal.models import ErrorBody, PrecheckAnswer
from portal.rendering import render
from portal.views import edition_policy
from scoring.precheck import precheck_from_tables

# required, and not blank: the API's description says so, so a client (and schemathesis) knows it up front
MajorCode = Annotated[str, Query(min_length=1, max_length=12, pattern=r"\S", description="拟新设的专业代码，例如 510201")]
SchoolCode = Annotated[str, Query(min_length=1, max_length=20, pattern=r"\S", description="学校代码")]
NO_POLICY = "本版未附评分政策，无法预审；请联系市教委。"

api = APIRouter(prefix="/api", tags=["api"], responses={c: {"model": ErrorBody} for c in (401, 403, 404, 422, 503)})
pages = APIRouter(include_in_schema=False)


def answer(snap: Snapshot, school_code: str, major_code: str) -> dict:
    """The pre-check of ``major_code`` for ``school_code`` on the edition in force (503 without a policy)."""
    policy = edition_policy(snap)
    if policy is None:
        raise HTTPException(503, NO_POLICY)
    current = snap.current
    found = precheck_from_tables(current.guiding, current.restrictions, current.scores, policy,
                                 school_code.strip(), major_code.strip())
    return {**found, "edition": current.edition_id}


def _known_school(snap: Snapshot, school_code: str) -> None:
    if school_code.strip() not in snap.current.by_school:
        raise HTTPException(404, f"本版没有学校代码为 {school_code.strip()} 的学校。")


def _major_required(major: str) -> str:
    if not major.strip():
        raise HTTPException(422, "请填写专业代码。")
    return major


@api.get("/school/precheck", response_model=PrecheckAnswer, summary="新设专业预审（仅本校）")
async def school_precheck(request: Request, principal: SchoolUser, major: MajorCode) -> dict:
    """May this school open ``major`` in its district this year, and why. The school is the token's;
    a ``school`` parameter, if sent, is ignored."""
    return answer(snapshot_of(request), principal.school_code, _major_required(major))


@api.get("/commission/precheck", response_model=PrecheckAnswer, summary="新设专业预审（任一学校）")
async def commission_precheck(request: Request, principal: CommissionUser, school: SchoolCode,
                              major: MajorCode) -> dict:
    snap = snapshot_of(request)
    _known_school(snap, school)
    return answer(snap, school, _major_required(major))


def _page(request: Request, snap: Snapshot, school_code: str, major: str, commission: bool) -> Response:
    found = answer(snap, school_code, major) if major.strip() and school_code.strip() else None
    schools = school_summaries(snap) if commission else []
    header = next((s for s in school_summaries(snap) if s["school_code"] == school_code), None)
    return render(request, "precheck.html", {
        "answer": found, "form": {"school": school_code, "major": major}, "commission": commission,
        "schools": schools, "school": header, "edition": snap.current.edition_id})


@pages.get("/school/precheck")
async def school_precheck_page(request: Request, principal: SchoolUser,
                               major: str = Query("", max_length=12)) -> Response:
    return _page(request, snapshot_of(request), principal.school_code, major, commission=False)


@pages.get("/commission/precheck")
async def commission_precheck_page(request: Request, principal: CommissionUser,
                                   school: str = Query("", max_length=20),
                                   major: str = Query("", max_length=12)) -> Response:
    snap = snapshot_of(request)
    if school.strip():
        _known_school(snap, school)
    return _page(request, snap, school.strip(), major, commission=True)
