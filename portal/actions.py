"""The action plan and the backbone list in the portal (issue 28).

A school sees its own action rows (on its page and in ``/api/school``); the commission sees the whole plan,
filtered by action and district (``/commission/actions``), and the backbone list (``/commission/backbone``).
Both read the edition's ``actions.parquet`` and ``backbone_candidates.parquet``; an edition published before
them shows that it has none.
"""

from __future__ import annotations

from typing import Annotated

import polars as pl
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from portal.auth import CommissionUser, snapshot_of
from portal.editions import Snapshot
from portal.rendering import render
from scoring.actions_text import DEFINITIONS

router = APIRouter(include_in_schema=False)
ACTION_ORDER = ("撤并", "限制招生", "撤销", "改造升级", "合作办学", "优先发展", "重点建设")
CITYWIDE = "全市"
# what each action's row shows beside its evidence (the other columns are empty for it)
DETAIL = {"撤并": "receiving_majors", "限制招生": "receiving_majors", "撤销": "receiving_majors",
          "改造升级": "upgrade_toward", "合作办学": "partner_regions", "优先发展": "candidate_schools",
          "重点建设": "candidate_schools"}
DETAIL_LABEL = {"receiving_majors": "可承接专业", "upgrade_toward": "改造升级方向", "partner_regions": "合作地区",
                "candidate_schools": "适宜开设或扩大的学校"}
Filter = Annotated[str, Query(max_length=20)]


def _frame(snap: Snapshot, name: str) -> pl.DataFrame | None:
    key = ("frame", name)
    if key not in snap.cache:
        path = snap.current.path / f"{name}.parquet"
        snap.cache[key] = pl.read_parquet(path) if path.is_file() else None
    return snap.cache[key]


def _rows(frame: pl.DataFrame) -> list[dict]:
    order = {a: i for i, a in enumerate(ACTION_ORDER)}
    rows = frame.to_dicts()
    for row in rows:
        column = DETAIL.get(row["action"])
        row["detail_label"] = DETAIL_LABEL.get(column, "")
        row["detail"] = row.get(column) if column else None
        row["definition"] = DEFINITIONS.get(row["action"], "")
    return sorted(rows, key=lambda r: (order.get(r["action"], 99), r.get("district") or "", r.get("school_code") or "",
                                       r["major_code"]))


def school_actions(snap: Snapshot, school_code: str) -> list[dict]:
    """The school's own rows of the plan, in action order (none when the edition has no plan)."""
    frame = _frame(snap, "actions")
    if frame is None:
        return []
    return _rows(frame.filter(pl.col("school_code") == school_code))


def plan_view(snap: Snapshot, action: str = "", district: str = "") -> dict:
    """The whole plan for the commission, filtered by action and by district (全市 = the citywide rows)."""
    frame = _frame(snap, "actions")
    if frame is None:
        return {"available": False, "rows": [], "actions": [], "districts": [], "total": 0}
    counts = frame.group_by("action").len()
    actions = [{"value": a, "count": int(counts.filter(pl.col("action") == a)["len"].sum())}
               for a in ACTION_ORDER if a in set(counts["action"])]
    districts = sorted(d for d in frame["district"].unique().to_list() if d)
    chosen = frame
    if action:
        chosen = chosen.filter(pl.col("action") == action)
    if district == CITYWIDE:
        chosen = chosen.filter(pl.col("school_code").is_null())
    elif district:
        chosen = chosen.filter(pl.col("district") == district)
    return {"available": True, "rows": _rows(chosen), "actions": actions, "districts": [CITYWIDE, *districts],
            "total": frame.height}


def backbone_view(snap: Snapshot) -> dict:
    frame = _frame(snap, "backbone_candidates")
    if frame is None:
        return {"available": False, "rows": []}
    backbone = ((snap.current.meta.get("policy") or {}).get("content") or {}).get("backbone") or {}
    weights = {k: v.get("value") for k, v in backbone.items() if isinstance(v, dict)}
    return {"available": True, "rows": frame.sort("rank", "school_code", "major_code").to_dicts(), "weights": weights}


@router.get("/commission/actions")
async def actions_page(request: Request, principal: CommissionUser, action: Filter = "",
                       district: Filter = "") -> Response:
    snap = snapshot_of(request)
    return render(request, "actions.html", {"plan": plan_view(snap, action, district), "edition": snap.current.edition_id,
                                            "form": {"action": action, "district": district}, "meta": snap.current.meta})


@router.get("/commission/backbone")
async def backbone_page(request: Request, principal: CommissionUser) -> Response:
    snap = snapshot_of(request)
    return render(request, "backbone.html", {"backbone": backbone_view(snap), "edition": snap.current.edition_id,
                                             "meta": snap.current.meta})
