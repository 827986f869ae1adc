"""The two layers of reasons, and the figures' notes, for readers of the catalog.

* `reasons` (依据): at most three plain sentences — what decided the verdict (one list or figure, each
  list named once), whether the evidence was thin or the verdict sits on a threshold, and what the
  school or the commission may do. No model names, back-test measures or score arithmetic.
* `basis` (详细依据): the full technical basis from the rules (every figure, score part, model and
  back-test) with the score's interval and the 临界 note.
* `employment_note` / `demand_note`: the figure in words beside the numeric column, so a missing or
  thin figure reads 无毕业生数据 / 证据不足（…） instead of an empty cell.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from scoring import reasons as rs
from scoring import rulebook as rb
from scoring.policy import Policy
from scoring.rulebook.verdicts import APPEAL
from scoring.rules import DEMAND, EMPLOYMENT, ENROLMENT, LIMIT, LISTS, REVIEW, SATURATION, STOP
from scoring.uncertainty import WATCH


def _lists(r: dict[str, Any], cats: tuple[str, ...]) -> str:
    names: list[str] = []
    for h in r["list_hits"]:
        if h["category"] in cats and h["list_name"] not in names:
            names.append(h["list_name"])
    return rs.titles(names) if names else "产业调整清单"


def _decided(r: dict[str, Any], p: Policy) -> str:
    """Sentence 1: the list or figure that decided, in the rulebook's words."""
    cause = r["cause"]
    scope = r.get("restriction_scope")
    if cause == LISTS and scope and scope != "全市":
        names = [n for s in r["scoped_restrictions"] if s["scope"] == scope for n in s["list_names"]]
        share = max((s["share"] for s in r["scoped_restrictions"] if s["scope"] == scope), default=0.0)
        return rb.restriction(LIMIT).text("decided_scoped", p, scope=scope, share=share,
                                          lists=rs.titles(list(dict.fromkeys(names))))
    if cause == LISTS and r.get("restriction") == STOP:
        return rb.restriction(STOP).text("decided", p, share=r["exposure_prohibited"],
                                         lists=_lists(r, ("prohibited",)))
    if cause == LISTS:
        banned = min(1.0, r["exposure_prohibited"] + r["exposure_restricted"])
        if banned > 0:
            return rb.restriction(LIMIT).text("decided", p, share=banned, lists=_lists(r, ("prohibited", "restricted")))
        return rb.cause(LISTS).text("decided", p, lists=_lists(r, ("transforming", "relocated")))
    if cause == EMPLOYMENT:
        if r.get("restriction") or r["warning_level"] == "红":
            return rs.employment_red_text(r, p)
        return rb.cause(EMPLOYMENT).text("decided", p, year=r["employment_year"], rate=r["employment_rate"])
    if cause == DEMAND:
        trend = r.get("ratio_trend")
        change = f"，{rs.change(trend, rs.since(r))}" if trend is not None else ""
        return rb.cause(DEMAND).text("decided", p, ratio=r["demand_supply_ratio"], change=change)
    if cause == ENROLMENT:
        return rb.cause(ENROLMENT).text("decided", p, change=rs.change(r["enrolment_trend"], ""))
    if cause == SATURATION:
        return rb.cause(SATURATION).text("decided", p, n=r["schools_offering"])
    if cause == REVIEW:
        return rb.cause(REVIEW).text("decided", p)
    return _green(r, p)


_GOOD_LISTS = {"优先发展": ("high_end", "exposure_high_end"), "重点建设": ("urban_service", "exposure_urban_service"),
               "改造升级": ("transforming", "exposure_transforming"), "合作办学": ("relocated", "exposure_relocated")}


def _green(r: dict[str, Any], p: Policy) -> str:
    g = r["guidance"]
    cat, col = _GOOD_LISTS.get(g, ("", ""))
    return rb.guidance(g if g in _GOOD_LISTS else "正常").text(
        "decided", p, lists=_lists(r, (cat,)), share=r.get(col), ratio=r.get("demand_supply_ratio"))


def _evidence(r: dict[str, Any], p: Policy) -> str | None:
    """Sentence 2: thin evidence and the watch band."""
    parts = []
    pool = p.evidence.pool_years
    new = rb.new_major_note(r)
    if new:
        parts.append(f"{new}，{rb.entry('major.new').text('no_employment')}")
    if r.get("code_history"):
        parts.append(r["code_history"])
    parts += rs.gap_notes(r, _gap_signals(r, p))
    if r.get("employment_evidence") == "insufficient":
        parts.append(rs.employment_sample(r, pool))
    if r.get("demand_evidence") == "insufficient":
        parts.append(rs.demand_sample(r, pool))
    if r.get("certainty") == WATCH:
        parts.append(rb.certainty(WATCH).text("short", p))
    return "；".join(parts) or None


def _gap_signals(r: dict[str, Any], p: Policy) -> tuple[str, ...]:
    """The signals whose 数据缺年 changes what the short reason says: the figure that decided it (sentence 1), and
    the run of 毕业去向落实率 of a major not already red whose rate this year is under the floor (a gap breaks the
    run of years the red rule counts, so the gap may be why it is not red)."""
    signals = {DEMAND: ("labor",), ENROLMENT: ("enrolment",), EMPLOYMENT: ("outcome",)}.get(r.get("cause"), ())
    rate = r.get("employment_rate")
    if (rate is not None and rate < p.rules.employment_floor and r.get("warning_level") != "红"
            and "outcome" not in signals):
        signals += ("outcome",)
    return signals


def _action(r: dict[str, Any], p: Policy) -> str:
    """Sentence 3: what the school or the commission may do, as the rulebook's entry for the verdict asks."""
    restriction, scope, level = r.get("restriction"), r.get("restriction_scope"), r["warning_level"]
    appeal = "；" + APPEAL
    if restriction and scope and scope != "全市":
        return rb.restriction(restriction).text("action_scoped", p, scope=scope) + appeal
    if restriction:
        return rb.restriction(restriction).text("action", p) + appeal
    if level in ("红", "黄"):
        return rb.level(level).action
    return rb.guidance(r["guidance"]).action or rb.guidance("正常").action


def _upcoming(r: dict[str, Any]) -> str:
    """The first list entry coming into force, said plainly so schools can plan (not scored in this edition)."""
    notes = rs.upcoming_notes(r.get("upcoming"))
    return notes[0].split("（")[0] + "（即将生效，本版未计分）" if notes else ""


_CATEGORY_GUIDANCE = {"prohibited": "停止新设", "restricted": "限制", "transforming": "改造升级", "relocated": "合作办学",
                      "high_end": "优先发展", "urban_service": "重点建设"}


def _overlaps(r: dict[str, Any], decided: str, p: Policy) -> str:
    """Every other list touching the major, named after the one that decided; where its own guidance ranks
    below the verdict's in the policy's precedence, the sentence says the verdict's took precedence."""
    order, verdict = list(p.guidance_precedence), r["guidance"]
    precedence = rb.entry("guidance.precedence")
    out = []
    for cat, names in _by_category(r["list_hits"]).items():
        shown = [n for n in names if rs.list_title(n) not in decided]
        if not shown:
            continue
        other = _CATEGORY_GUIDANCE.get(cat)
        label = rs.CATEGORY_CN.get(cat, cat)
        if other and other != verdict and verdict in order and order.index(verdict) < order.index(other):
            out.append(precedence.text("overlap_yields", p, lists=rs.titles(shown), category=label, decided=verdict,
                                       other=other))
        else:
            share = max(h["share"] for h in r["list_hits"] if h["category"] == cat)
            out.append(precedence.text("overlap", p, lists=rs.titles(shown), category=label, share=share))
    return "；".join(out)


def _by_category(hits: list[dict[str, Any]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for h in hits:
        names = found.setdefault(h["category"], [])
        if h["list_name"] not in names:
            names.append(h["list_name"])
    return found


def short_text(r: dict[str, Any], p: Policy) -> str:
    """依据: at most three sentences; every other list touching the major joins the first (after the one that
    decided); an entry coming into force soon takes the second place, or joins the third."""
    decided, evidence, action, upcoming = _decided(r, p), _evidence(r, p), _action(r, p), _upcoming(r)
    overlaps = _overlaps(r, decided, p)
    if overlaps:
        decided = f"{decided}；{overlaps}"
    scoped = "；".join(g["text"] for g in r.get("scoped_guidance") or [])
    if scoped:
        decided = f"{decided}；{scoped}"
    if upcoming and not evidence:
        evidence = upcoming
    elif upcoming:
        action = f"{upcoming}，{action}"
    return "".join(s + "。" for s in (decided, evidence, action) if s)


def employment_text(r: dict[str, Any], p: Policy) -> str:
    new = rb.new_major_note(r)
    if new:
        return new
    if r.get("employment_evidence") == "insufficient":
        return f"证据不足：{rs.employment_sample(r, p.evidence.pool_years).split('，样本不足')[0]}"
    if r.get("employment_rate") is None:
        return "无毕业生数据"
    n = f"，{r['employment_year']}年毕业生 {r['graduates']} 人" if r.get("graduates") else ""
    span = rs.interval(r.get("employment_rate_low"), r.get("employment_rate_high")).strip("（）")
    return f"{rs.pct(r['employment_rate'], 1)}（{span}{n}）" if span else f"{rs.pct(r['employment_rate'], 1)}"


def demand_text(r: dict[str, Any], p: Policy) -> str:
    if r.get("demand_evidence") == "insufficient":
        return f"证据不足：{rs.demand_sample(r, p.evidence.pool_years).split('，样本不足')[0]}"
    if r.get("demand_supply_ratio") is None:
        return "无人才供需数据"
    span = rs.interval(r.get("demand_supply_ratio_low"), r.get("demand_supply_ratio_high"), "ratio")
    return f"{r['demand_supply_ratio']:.2f}{span}"


def short_reasons(df: pl.DataFrame, p: Policy) -> pl.DataFrame:
    """Add reasons (short), employment_note and demand_note; extend basis with the score interval."""
    rows = list(df.iter_rows(named=True))
    extra = [(r["basis"] + rs.SEP + f"风险分值区间 {r['risk_score_low']:.1f}–{r['risk_score_high']:.1f}"
              + (rs.SEP + r["watch_note"] if r.get("watch_note") else "")) for r in rows]
    return df.with_columns(
        reasons=pl.Series([short_text(r, p) for r in rows], dtype=pl.String),
        basis=pl.Series(extra, dtype=pl.String),
        employment_note=pl.Series([employment_text(r, p) for r in rows], dtype=pl.String),
        demand_note=pl.Series([demand_text(r, p) for r in rows], dtype=pl.String),
        new_major=pl.Series([rb.new_major_note(r) for r in rows], dtype=pl.String))
