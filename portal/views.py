"""What a school's pages show, built from one snapshot (shared by the HTML pages and the JSON API).

Each offering carries its own figures only: its own score (专业点风险分值) and flags beside the major's
city-wide score, its own reasons and its own trend. Results that depend only on the edition are memoised
on the snapshot, which is never changed once built.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from portal.actions import school_actions
from portal.editions import Snapshot
from portal.models import SchoolMajor
from portal.tokens import Principal
from portal.verdicts import PART_LABELS, short_reason
from scoring.overrides import PREFIX as OVERRIDE_PREFIX
from scoring.policy import Policy, PolicyError, load_policy, policy_from_dict
from scoring.reasons import SEP
from scoring.rules import CAUSES
from scoring.uncertainty import SURE, THIN, WATCH

SCHOOL_MAJOR_FIELDS = [f for f in SchoolMajor.model_fields if f not in ("trend", "parts", "short_reason")]
WARNING_ORDER = ("红", "黄", "绿")
GUIDANCE_ORDER = ("优先发展", "重点建设", "改造升级", "合作办学", "控制发展", "限制", "停止新设", "正常")
EXIT_FLAG = "退出"
CERTAINTY_ORDER = (WATCH, THIN, SURE)  # the watch band (观察名单) first


def matches(row: dict, certainty: str = "", cause: str = "") -> bool:
    """The watch-list filters of the pages and the API: the verdict's certainty and its primary cause."""
    return (not certainty or row.get("certainty") == certainty) and (not cause or row.get("cause") == cause)


def filter_choices(rows: list[dict]) -> dict:
    """The certainty and cause values present in ``rows``, counted (for the filters' options)."""
    return {"certainty": counts([r.get("certainty") for r in rows if r.get("certainty")], CERTAINTY_ORDER),
            "cause": counts([r.get("cause") for r in rows if r.get("cause") in CAUSES], CAUSES)}


def clean(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


def memo(snap: Snapshot, key: tuple, build):
    try:
        return snap.cache[key]
    except KeyError:
        value = snap.cache[key] = build()
        return value


def edition_policy(snap: Snapshot) -> Policy | None:
    """The policy in force, as the edition's datapackage.json carries it (read once per edition)."""

    def build():
        content = ((snap.current.meta.get("policy") or {}).get("content"))
        if not content:
            return None
        try:
            return policy_from_dict(content)
        except PolicyError:
            return None

    return memo(snap, ("edition-policy",), build)


def rules_policy(snap: Snapshot) -> Policy:
    """The policy the edition's texts are told under: its own, or the bundled one for an edition without it."""
    return edition_policy(snap) or memo(snap, ("bundled-policy",), load_policy)


def parts_of(row: dict) -> list[dict] | None:
    """The offering's score parts: the major's parts (when the edition publishes them) and the school's own
    adjustment (its score minus the major's); None when the edition has no parts."""
    parts = [{"key": k, "label": label, "value": round(float(row[k]), 2)}
             for k, label in PART_LABELS.items() if row.get(k) not in (None, 0, 0.0) and clean(row[k]) is not None]
    if not any(k in row for k in PART_LABELS):
        return None
    own, city = row.get("school_risk_score"), row.get("risk_score")
    if own is not None and city is not None and abs(own - city) >= 0.05:
        parts.append({"key": "school", "label": "本校情况", "value": round(own - city, 1)})
    return parts


def offering(row: dict, trend: list[tuple[str, float]]) -> dict:
    """One offering as the page and the API show it (every figure from this row only)."""
    item = {f: clean(row.get(f)) for f in SCHOOL_MAJOR_FIELDS}
    item["school_flags"] = item.get("school_flags") or None
    item["short_reason"] = short_reason(item.get("reasons"), item.get("basis"))
    item["parts"] = parts_of(row)
    # the commission's decisions after review (经市教委复核调整：…), shown on their own on the major page
    item["review_notes"] = [p for p in (row.get("reasons") or "").split(SEP) if p.startswith(OVERRIDE_PREFIX)]
    item["trend"] = [{"edition": e, "risk_score": s} for e, s in trend]
    return item


def school_majors(snap: Snapshot, school_code: str) -> list[dict] | None:
    """A school's own offerings with their trends, riskiest (own score) first; None if the school is unknown."""
    frame = snap.current.by_school.get(school_code)
    if frame is None:
        return None
    return memo(snap, ("school", school_code), lambda: [
        offering(row, snap.trend(school_code, row["major_code"])) for row in frame.to_dicts()])


def _weighted(rows: list[dict], rate: str) -> float | None:
    pairs = [(r[rate], r["graduates"]) for r in rows if r.get(rate) is not None and r.get("graduates")]
    total = sum(g for _, g in pairs)
    return sum(v * g for v, g in pairs) / total if total else None


def summary(rows: list[dict]) -> dict:
    """The school's summary, counted from its rows (so the counts always equal the rows below them)."""
    both = [r for r in rows if r.get("employment_rate") is not None and r.get("city_employment_rate") is not None
            and r.get("graduates")]
    return {
        "offerings": len(rows),
        "by_warning_level": counts([r.get("warning_level") for r in rows], WARNING_ORDER),
        "by_guidance": counts([r.get("guidance") for r in rows], GUIDANCE_ORDER),
        "exit": sum(EXIT_FLAG in (r.get("school_flags") or "").split("；") for r in rows),
        "restricted": sum(bool(r.get("restriction")) for r in rows),
        "flagged": sum(bool(r.get("school_flags")) for r in rows),
        "employment_rate": _weighted(both, "employment_rate"),
        "city_employment_rate": _weighted(both, "city_employment_rate"),
        "employment_offerings": len(both),
        "below_city": sum(r["employment_rate"] < r["city_employment_rate"] - 0.0005 for r in both),
    }


def school_header(snap: Snapshot, school_code: str) -> dict | None:
    frame = snap.current.by_school.get(school_code)
    if frame is None:
        return None
    first = frame.row(0, named=True)
    return {"edition": snap.current.edition_id, "school_code": school_code,
            "school_name": first.get("school_name") or school_code, "district": first.get("district")}


def school_view(snap: Snapshot, school_code: str, limit: int, offset: int, certainty: str = "",
                cause: str = "") -> dict | None:
    """The school page's data (None when the school has no offerings in this edition): the summary counts
    every offering; ``total`` and ``majors`` are the offerings that pass the certainty/cause filters."""
    rows = school_majors(snap, school_code)
    if rows is None:
        return None
    chosen = [r for r in rows if matches(r, certainty, cause)]
    return {**school_header(snap, school_code), "summary": summary(rows), "total": len(chosen), "limit": limit,
            "offset": offset, "majors": chosen[offset:offset + limit], "actions": school_actions(snap, school_code)}


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


def counts(values: list[str | None], order: tuple[str, ...]) -> list[dict]:
    tally: dict[str, int] = {}
    for v in values:
        tally[v or "（空）"] = tally.get(v or "（空）", 0) + 1
    ranked = sorted(tally, key=lambda v: (order.index(v) if v in order else len(order), v))
    return [{"value": v, "count": tally[v]} for v in ranked]


RESTRICTION_STRENGTH = {"停止新设": 0, "限制招生": 1}


def catalog_rows(snap: Snapshot) -> list[dict]:
    """The guiding catalog joined with the restriction list (one row per major), riskiest first."""

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
        joined = (snap.current.guiding.drop("restriction", "restriction_scope", strict=False)
                  .join(restr, on="major_code", how="left")
                  .sort(["risk_score", "major_code"], descending=[True, False], nulls_last=True))
        return [{k: clean(v) for k, v in row.items()} for row in joined.to_dicts()]

    return memo(snap, ("catalog",), build)
