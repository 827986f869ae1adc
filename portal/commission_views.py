"""What the commission's pages and the catalog browser show, built from one snapshot (memoised on it)."""

from __future__ import annotations

import polars as pl

from portal.editions import Snapshot
from portal.tokens import Principal
from portal.views import (
    EXIT_FLAG,
    GUIDANCE_ORDER,
    WARNING_ORDER,
    WATCH,
    catalog_rows,
    clean,
    counts,
    editions_info,
    filter_choices,
    matches,
    memo,
    school_header,
)
from warehouse.changes import CHANGE_HEADERS, FIRST_EDITION

BROWSE_GUIDANCE = ("优先发展", "重点建设")
CHANGE_TYPE, REASON = CHANGE_HEADERS["change"], CHANGE_HEADERS["reasons"]


def _exits(flags: list[str | None]) -> int:
    return sum(EXIT_FLAG in (f or "").split("；") for f in flags)


def school_summaries(snap: Snapshot) -> list[dict]:
    """Every school with its offerings counted by warning level, riskiest first."""

    def build() -> list[dict]:
        out = []
        for code, frame in snap.current.by_school.items():
            levels = frame["warning_level"].to_list()
            header = school_header(snap, code)
            flags = frame["school_flags"].to_list() if "school_flags" in frame.columns else []
            out.append({"school_code": code, "school_name": header["school_name"], "district": header["district"],
                        "majors": frame.height, "red": levels.count("红"), "yellow": levels.count("黄"),
                        "exit": _exits(flags), "max_school_risk_score": clean(frame["school_risk_score"].max())})
        return sorted(out, key=lambda s: (-(s["max_school_risk_score"] or 0), s["school_code"]))

    return memo(snap, ("schools",), build)


def school_list(snap: Snapshot, q: str, limit: int, offset: int, district: str = "") -> dict:
    """The commission's list of schools, filtered by code prefix or name (and district)."""
    q = q.strip()
    hits = [s for s in school_summaries(snap)
            if (not q or s["school_code"].startswith(q) or q in s["school_name"])
            and (not district or s["district"] == district)]
    return {"edition": snap.current.edition_id, "total": len(hits), "limit": limit, "offset": offset,
            "items": hits[offset:offset + limit]}


def district_summaries(snap: Snapshot) -> list[dict]:
    """Per district: schools, offerings by warning level, offerings to exit."""

    def build() -> list[dict]:
        scores = snap.current.scores
        flags = pl.col("school_flags") if "school_flags" in scores.columns else pl.lit(None, pl.Utf8)
        frame = (scores.with_columns(pl.col("district").fill_null("（未注明）"))
                 .group_by("district")
                 .agg(schools=pl.col("school_code").n_unique(), offerings=pl.len(),
                      red=(pl.col("warning_level") == "红").sum(), yellow=(pl.col("warning_level") == "黄").sum(),
                      green=(pl.col("warning_level") == "绿").sum(),
                      exit=flags.fill_null("").str.split("；").list.contains(EXIT_FLAG).sum())
                 .sort(["red", "yellow", "district"], descending=[True, True, False]))
        return frame.to_dicts()

    return memo(snap, ("districts",), build)


def changes(snap: Snapshot) -> dict:
    """The edition's changes.csv (rows with their own Chinese headers) and a count by change type."""
    frame = snap.current.changes
    if frame is None:
        return {"present": False, "columns": [], "rows": [], "by_type": []}
    rows = frame.to_dicts()
    by_type = counts([r.get(CHANGE_TYPE) for r in rows], ()) if CHANGE_TYPE in frame.columns else []
    # a first edition's file holds one row saying so (no major): told as a sentence, not as a table and a chart
    first = next((r.get(REASON) for r in rows if r.get(CHANGE_TYPE) == FIRST_EDITION), None) if len(rows) == 1 else None
    return {"present": True, "columns": frame.columns, "rows": rows, "by_type": by_type, "first": first}


def commission_summary(snap: Snapshot, principal: Principal) -> dict:
    """Counts by guidance and warning level plus every edition's downloads (the API's overview)."""
    rows = catalog_rows(snap)
    return {"edition": snap.current.edition_id, "majors": len(rows),
            "schools": len(snap.current.by_school), "offerings": snap.current.scores.height,
            "restrictions": snap.current.restrictions.height,
            "by_guidance": counts([r.get("guidance") for r in rows], GUIDANCE_ORDER),
            "by_warning_level": counts([r.get("warning_level") for r in rows], WARNING_ORDER),
            "watch": sum(r.get("certainty") == WATCH for r in rows),
            "by_cause": filter_choices(rows)["cause"],
            "editions": editions_info(snap, principal)}


def watch_list(snap: Snapshot, size: int = 15) -> list[dict]:
    """The red and yellow majors, riskiest first."""
    return [r for r in catalog_rows(snap) if r.get("warning_level") in ("红", "黄")][:size]


def watch_band(snap: Snapshot, size: int = 15) -> list[dict]:
    """观察名单: the majors whose verdict is 临界 (its interval straddles a threshold), riskiest first."""
    return [r for r in catalog_rows(snap) if r.get("certainty") == WATCH][:size]


def search_majors(snap: Snapshot, q: str, guidance: str, warning_level: str, limit: int, offset: int,
                  category: str = "", level: str = "", certainty: str = "", cause: str = "") -> dict:
    """Catalog rows (riskiest first) whose code starts with ``q`` or whose name contains it, filtered."""
    q = q.strip()
    hits = [r for r in catalog_rows(snap)
            if (not q or r["major_code"].startswith(q) or q in (r.get("major_name") or ""))
            and (not guidance or r.get("guidance") == guidance)
            and (not warning_level or r.get("warning_level") == warning_level)
            and (not category or r.get("category_name") == category)
            and (not level or r.get("level") == level) and matches(r, certainty, cause)]
    return {"edition": snap.current.edition_id, "total": len(hits), "limit": limit, "offset": offset,
            "items": hits[offset:offset + limit]}


def browse_catalog(snap: Snapshot, guidance: str, category: str, level: str, q: str) -> dict:
    """The 优先发展/重点建设 majors for schools planning new majors, with the filters' choices."""
    chosen = [r for r in catalog_rows(snap) if r.get("guidance") in BROWSE_GUIDANCE]
    hits = [r for r in chosen
            if (not guidance or r.get("guidance") == guidance) and (not category or r.get("category_name") == category)
            and (not level or r.get("level") == level)
            and (not q.strip() or r["major_code"].startswith(q.strip()) or q.strip() in (r.get("major_name") or ""))]
    hits = sorted(hits, key=lambda r: (BROWSE_GUIDANCE.index(r["guidance"]), r.get("category_name") or "",
                                       r["major_code"]))
    return {"items": hits, "total": len(hits), "all": len(chosen),
            "categories": sorted({r.get("category_name") for r in chosen if r.get("category_name")}),
            "levels": sorted({r.get("level") for r in chosen if r.get("level")})}


def major_view(snap: Snapshot, major_code: str) -> dict | None:
    """One major for the commission: its catalog row, restrictions, every school offering it, its history."""
    row = next((r for r in catalog_rows(snap) if r["major_code"] == major_code), None)
    if row is None:
        return None
    restrictions = snap.current.restrictions.filter(pl.col("major_code") == major_code).to_dicts()
    offered = (snap.current.scores.filter(pl.col("major_code") == major_code)
               .sort(["school_risk_score", "school_code"], descending=[True, False], nulls_last=True))
    return {"major": row, "restrictions": restrictions,
            "offerings": [{k: clean(v) for k, v in r.items()} for r in offered.to_dicts()],
            "trend": snap.major_trend(major_code)}


def district_offerings(snap: Snapshot, district: str, size: int = 100) -> list[dict]:
    """A district's offerings that need attention (red or yellow, or with a school flag), riskiest first."""
    scores = snap.current.scores
    flagged = pl.col("school_flags").fill_null("") != "" if "school_flags" in scores.columns else pl.lit(False)
    frame = (scores.filter((pl.col("district") == district) & (pl.col("warning_level").is_in(["红", "黄"]) | flagged))
             .sort(["school_risk_score", "school_code", "major_code"], descending=[True, False, False],
                   nulls_last=True).head(size))
    return [{k: clean(v) for k, v in r.items()} for r in frame.to_dicts()]
