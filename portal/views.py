"""What each page shows, built from one snapshot (shared by the HTML pages and the JSON API).

Results that depend only on the edition (a school's rows with trends, the catalog joined with the
restriction list, the school list) are memoised on the snapshot, which is never changed once built.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from portal.editions import Snapshot
from portal.models import SchoolMajor
from portal.tokens import Principal

SCHOOL_MAJOR_FIELDS = [f for f in SchoolMajor.model_fields if f != "trend"]
WARNING_ORDER = ("红", "黄", "绿")
GUIDANCE_ORDER = ("优先发展", "重点建设", "改造升级", "合作办学", "控制发展", "限制", "停止新设", "正常")


def _clean(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


def _memo(snap: Snapshot, key: tuple, build):
    try:
        return snap.cache[key]
    except KeyError:
        value = snap.cache[key] = build()
        return value


def school_majors(snap: Snapshot, school_code: str) -> list[dict] | None:
    """A school's own offerings with their trends, riskiest first; None if the school is unknown."""
    frame = snap.current.by_school.get(school_code)
    if frame is None:
        return None

    def build() -> list[dict]:
        rows = []
        for row in frame.to_dicts():
            item = {f: _clean(row.get(f)) for f in SCHOOL_MAJOR_FIELDS}
            item["trend"] = [{"edition": e, "risk_score": s}
                             for e, s in snap.trend(school_code, row["major_code"])]
            rows.append(item)
        return rows

    return _memo(snap, ("school", school_code), build)


def school_header(snap: Snapshot, school_code: str) -> dict | None:
    frame = snap.current.by_school.get(school_code)
    if frame is None:
        return None
    first = frame.row(0, named=True)
    return {"edition": snap.current.edition_id, "school_code": school_code,
            "school_name": first.get("school_name") or school_code, "district": first.get("district"),
            "school_flags": _clean(first.get("school_flags")),
            "school_risk_score": _clean(first.get("school_risk_score"))}


def school_view(snap: Snapshot, school_code: str, limit: int, offset: int) -> dict | None:
    """The school page's data (None when the school has no offerings in this edition)."""
    rows = school_majors(snap, school_code)
    if rows is None:
        return None
    header = school_header(snap, school_code)
    return {**header, "total": len(rows), "limit": limit, "offset": offset,
            "majors": rows[offset:offset + limit]}


def school_major(snap: Snapshot, school_code: str, major_code: str) -> dict | None:
    """One of the school's own majors; None for a major it does not offer (or does not exist)."""
    for row in school_majors(snap, school_code) or []:
        if row["major_code"] == major_code:
            return {"edition": snap.current.edition_id, "school_code": school_code, "major": row}
    return None


def editions_info(snap: Snapshot, principal: Principal) -> list[dict]:
    """Every edition up to the current one, newest first, with the files this role may download."""
    out = []
    for edition in reversed(snap.editions):
        files = [{"name": f.name, "label": f.label, "bytes": f.size, "public": f.public,
                  "url": f"/downloads/{edition}/{f.name}"}
                 for f in snap.files[edition] if f.public or principal.role == "commission"]
        out.append({"edition": edition, "current": edition == snap.current.edition_id, "files": files})
    return out


def _counts(values: list[str | None], order: tuple[str, ...]) -> list[dict]:
    tally: dict[str, int] = {}
    for v in values:
        tally[v or "（空）"] = tally.get(v or "（空）", 0) + 1
    ranked = sorted(tally, key=lambda v: (order.index(v) if v in order else len(order), v))
    return [{"value": v, "count": tally[v]} for v in ranked]


RESTRICTION_STRENGTH = {"停止新设": 0, "限制招生": 1}


def catalog_rows(snap: Snapshot) -> list[dict]:
    """The guiding catalog joined with the restriction list (one row per major)."""

    def build() -> list[dict]:
        # The restriction shown is the citywide one when there is one, else the strongest; its scopes
        # are the places where that same restriction applies (never another restriction's places).
        ranked = snap.current.restrictions.with_columns(
            _local=(pl.col("scope") != "全市").cast(pl.Int8),
            _strength=pl.col("restriction").replace_strict(RESTRICTION_STRENGTH, default=9, return_dtype=pl.Int8),
        ).sort("major_code", "_local", "_strength", "scope")
        chosen = ranked.group_by("major_code", maintain_order=True).agg(restriction=pl.col("restriction").first())
        restr = (ranked.join(chosen, on=["major_code", "restriction"], how="semi")
                 .group_by("major_code", maintain_order=True)
                 .agg(restriction=pl.col("restriction").first(),
                      restriction_scope=pl.col("scope").cast(pl.Utf8).str.join("、")))
        joined = snap.current.guiding.join(restr, on="major_code", how="left")
        return [{k: _clean(v) for k, v in row.items()} for row in joined.to_dicts()]

    return _memo(snap, ("catalog",), build)


def commission_summary(snap: Snapshot, principal: Principal) -> dict:
    """Counts by guidance and warning level plus every edition's downloads."""
    rows = catalog_rows(snap)
    return {"edition": snap.current.edition_id, "majors": len(rows),
            "schools": len(snap.current.by_school), "offerings": snap.current.scores.height,
            "restrictions": snap.current.restrictions.height,
            "by_guidance": _counts([r.get("guidance") for r in rows], GUIDANCE_ORDER),
            "by_warning_level": _counts([r.get("warning_level") for r in rows], WARNING_ORDER),
            "editions": editions_info(snap, principal)}


def search_majors(snap: Snapshot, q: str, guidance: str, warning_level: str,
                  limit: int, offset: int) -> dict:
    """Catalog rows whose code starts with ``q`` or whose name contains it, optionally filtered."""
    q = q.strip()
    hits = [r for r in catalog_rows(snap)
            if (not q or r["major_code"].startswith(q) or q in (r.get("major_name") or ""))
            and (not guidance or r.get("guidance") == guidance)
            and (not warning_level or r.get("warning_level") == warning_level)]
    return {"edition": snap.current.edition_id, "total": len(hits), "limit": limit, "offset": offset,
            "items": hits[offset:offset + limit]}


def school_summaries(snap: Snapshot) -> list[dict]:
    def build() -> list[dict]:
        out = []
        for code in sorted(snap.current.by_school):
            frame = snap.current.by_school[code]
            levels = frame["warning_level"].to_list()
            header = school_header(snap, code)
            out.append({"school_code": code, "school_name": header["school_name"],
                        "district": header["district"], "majors": frame.height,
                        "red": levels.count("红"), "yellow": levels.count("黄"),
                        "school_risk_score": header["school_risk_score"]})
        return out

    return _memo(snap, ("schools",), build)


def school_list(snap: Snapshot, q: str, limit: int, offset: int) -> dict:
    """The commission's list of schools, filtered by code prefix or name."""
    q = q.strip()
    hits = [s for s in school_summaries(snap)
            if not q or s["school_code"].startswith(q) or q in s["school_name"]]
    return {"edition": snap.current.edition_id, "total": len(hits), "limit": limit, "offset": offset,
            "items": hits[offset:offset + limit]}
