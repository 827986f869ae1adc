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
from scoring.policy import Policy
from scoring.rules import DEMAND, EMPLOYMENT, ENROLMENT, LISTS, REVIEW, SATURATION, STOP
from scoring.uncertainty import WATCH


def _lists(r: dict[str, Any], cats: tuple[str, ...]) -> str:
    names: list[str] = []
    for h in r["list_hits"]:
        if h["category"] in cats and h["list_name"] not in names:
            names.append(h["list_name"])
    return rs.titles(names) if names else "产业调整清单"


def _decided(r: dict[str, Any], p: Policy) -> str:
    """Sentence 1: the list or figure that decided."""
    cause, rules = r["cause"], p.rules
    scope = r.get("restriction_scope")
    if cause == LISTS and scope and scope != "全市":
        names = [n for s in r["scoped_restrictions"] if s["scope"] == scope for n in s["list_names"]]
        share = max((s["share"] for s in r["scoped_restrictions"] if s["scope"] == scope), default=0.0)
        return f"在{scope}，对应行业中 {rs.pct(share)} 属{rs.titles(list(dict.fromkeys(names)))}所列禁止、限制类"
    if cause == LISTS and r.get("restriction") == STOP:
        return (f"对应行业中 {rs.pct(r['exposure_prohibited'])} 属{_lists(r, ('prohibited',))}所列禁止类，"
                f"超过 {rs.pct(rules.prohibited_share)}")
    if cause == LISTS:
        banned = min(1.0, r["exposure_prohibited"] + r["exposure_restricted"])
        if banned > 0:
            return (f"对应行业中禁止、限制类合计占 {rs.pct(banned)}（{_lists(r, ('prohibited', 'restricted'))}）")
        return f"对应行业多属{_lists(r, ('transforming', 'relocated'))}所列调整转型或疏解转移类"
    if cause == EMPLOYMENT:
        if r.get("restriction") or r["warning_level"] == "红":
            return rs.employment_red_text(r, rules).removesuffix("，缩减招生")
        return f"{r['employment_year']}年毕业去向落实率 {rs.pct(r['employment_rate'], 1)}，低于 {rs.pct(rules.employment_floor)}"
    if cause == DEMAND:
        trend = r.get("ratio_trend")
        change = f"，{rs.change(trend, '较上年')}" if trend is not None else ""
        return f"人才需求偏弱：求人倍率 {r['demand_supply_ratio']:.2f}{change}"
    if cause == ENROLMENT:
        return f"近三年全市招生人数{rs.change(r['enrolment_trend'], '')}"
    if cause == SATURATION:
        return f"全市已有 {r['schools_offering']} 所学校开设该专业，布点过多"
    if cause == REVIEW:
        return "专业—行业对应为模型推断，所对应行业多属禁止、限制类，有待市教委人工确认"
    return _green(r)


def _green(r: dict[str, Any]) -> str:
    g, ratio = r["guidance"], r.get("demand_supply_ratio")
    if g == "优先发展":
        return f"对应行业多属{_lists(r, ('high_end',))}所列高精尖产业，人才需求旺盛（求人倍率 {ratio:.2f}）"
    if g == "重点建设":
        return f"对应行业属{_lists(r, ('urban_service',))}所列城市服务紧缺领域，人才需求旺盛（求人倍率 {ratio:.2f}）"
    if g == "改造升级":
        return f"对应行业中 {rs.pct(r['exposure_transforming'])} 属{_lists(r, ('transforming',))}所列调整转型类"
    if g == "合作办学":
        return f"对应行业中 {rs.pct(r['exposure_relocated'])} 属{_lists(r, ('relocated',))}所列疏解转移类"
    return "未触及预警和禁限规则"


def _evidence(r: dict[str, Any], p: Policy) -> str | None:
    """Sentence 2: thin evidence and the watch band."""
    parts = []
    pool = p.evidence.pool_years
    if r.get("employment_evidence") == "insufficient":
        parts.append(rs.employment_sample(r, pool))
    if r.get("demand_evidence") == "insufficient":
        parts.append(rs.demand_sample(r, pool))
    if r.get("certainty") == WATCH:
        parts.append("结论处于临界，列入观察名单")
    return "；".join(parts) or None


def _action(r: dict[str, Any]) -> str:
    """Sentence 3: what the school or the commission may do."""
    restriction, scope, level = r.get("restriction"), r.get("restriction_scope"), r["warning_level"]
    appeal = "；对依据有异议的，可向市教委申请复核"
    if restriction and scope and scope != "全市":
        what = "不得新设该专业" if restriction == STOP else "应缩减该专业招生"
        return f"{scope}的学校{what}，其他区域不受此限{appeal}"
    if restriction == STOP:
        return f"全市不得新设该专业，已开设的学校应停止招生或转型{appeal}"
    if restriction:
        return f"开设该专业的学校应缩减招生{appeal}"
    if level == "红":
        return "学校应缩减招生并制定整改方案，市教委重点跟踪"
    if level == "黄":
        return "学校应分析原因、制定改进方案，市教委持续跟踪"
    return {"优先发展": "鼓励学校开设或扩大招生", "重点建设": "鼓励学校重点建设",
            "改造升级": "学校宜推动专业改造升级", "合作办学": "学校宜与津冀等地合作办学"}.get(r["guidance"], "学校可正常招生")


def _upcoming(r: dict[str, Any]) -> str:
    """The first list entry coming into force, said plainly so schools can plan (not scored in this edition)."""
    notes = rs.upcoming_notes(r.get("upcoming"))
    return notes[0].split("（")[0] + "（即将生效，本版未计分）" if notes else ""


def short_text(r: dict[str, Any], p: Policy) -> str:
    """依据: at most three sentences; an entry coming into force soon takes the second place, or joins the third."""
    decided, evidence, action, upcoming = _decided(r, p), _evidence(r, p), _action(r), _upcoming(r)
    if upcoming and not evidence:
        evidence = upcoming
    elif upcoming:
        action = f"{upcoming}，{action}"
    return "".join(s + "。" for s in (decided, evidence, action) if s)


def employment_text(r: dict[str, Any], p: Policy) -> str:
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
        demand_note=pl.Series([demand_text(r, p) for r in rows], dtype=pl.String))
