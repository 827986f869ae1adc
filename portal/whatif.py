"""政策比较 for the commission: which verdicts would move under each example policy, and why.

The portal cannot re-score (it never reads the warehouse): the pipeline's `policy_comparisons` asset runs
`scoring.whatif.whatif` for every example policy against the policy in force and publishes the result with
the edition as a commission-only file (policy_comparisons.parquet); this module only reads it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from portal.auth import CommissionUser, snapshot_of
from portal.editions import Snapshot
from portal.models import ErrorBody
from portal.rendering import render
from portal.views import clean, memo
from scoring.whatif import transitions

api = APIRouter(prefix="/api", tags=["api"], responses={c: {"model": ErrorBody} for c in (401, 403, 503)})
pages = APIRouter(include_in_schema=False)


class Transition(BaseModel):
    warning_level_now: str | None = Field(description="现预警等级")
    warning_level_new: str | None = Field(description="新预警等级")
    majors: int


class MovedMajor(BaseModel):
    major_code: str
    major_name: str | None
    warning_level_now: str | None
    warning_level_new: str | None
    guidance_now: str | None
    guidance_new: str | None
    restriction_now: str | None
    restriction_new: str | None
    cause_new: str | None = Field(description="新政策下的主要原因")
    why: str | None = Field(description="原因")


class PolicyComparison(BaseModel):
    """One example policy against the policy in force."""

    policy: str = Field(description="示例政策文件名（scoring/policies/<policy>.yaml）")
    policy_title: str
    policy_version: str | None
    current_version: str | None
    moved: int = Field(description="结论变动的专业数")
    transitions: list[Transition] = Field(description="预警等级 现 → 新 的专业数")
    majors: list[MovedMajor]


class WhatIfView(BaseModel):
    edition: str
    available: bool = Field(description="本版是否附有政策比较（较早的版本没有）")
    policies: list[PolicyComparison]


def whatif_view(snap: Snapshot) -> dict:
    """Every compared policy of the edition in force, in name order (memoised on the snapshot)."""

    def build() -> dict:
        frame = snap.current.comparisons
        policies = []
        for (name,), rows in ([] if frame is None else frame.partition_by("policy", as_dict=True,
                                                                           maintain_order=True).items()):
            first = rows.row(0, named=True)
            policies.append({
                "policy": name, "policy_title": first["policy_title"], "policy_version": first.get("policy_version"),
                "current_version": first.get("current_version"), "moved": rows.height,
                "transitions": transitions(rows).to_dicts(),
                "majors": [{k: clean(v) for k, v in r.items()} for r in rows.to_dicts()]})
        return {"edition": snap.current.edition_id, "available": frame is not None,
                "policies": sorted(policies, key=lambda p: p["policy"])}

    return memo(snap, ("whatif",), build)


@api.get("/commission/whatif", response_model=WhatIfView, summary="政策比较（仅教委）")
async def whatif_api(request: Request, principal: CommissionUser) -> dict:
    return whatif_view(snapshot_of(request))


@pages.get("/commission/whatif")
async def whatif_page(request: Request, principal: CommissionUser) -> Response:
    snap = snapshot_of(request)
    return render(request, "whatif.html", {"view": whatif_view(snap), "meta": snap.current.meta})
