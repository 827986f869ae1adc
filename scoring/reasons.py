"""Plain-Chinese phrasing of the evidence behind a score: lists hit, figures, rules applied."""

from __future__ import annotations

from typing import Any

from scoring import rulebook as rb
from scoring.dates import month_phrase
from scoring.evidence import employment_consecutive_below
from scoring.policy import Policy
from scoring.rulebook.text import pct
from scoring.rulebook.verdicts import EMPLOYMENT_BOTTOM, EMPLOYMENT_FLOOR, EMPLOYMENT_YELLOW

CATEGORY_CN = {"prohibited": "禁止类", "restricted": "限制类", "transforming": "调整转型类",
               "high_end": "高精尖类", "urban_service": "城市服务紧缺类", "relocated": "疏解转移类"}
PART_CN = {"part_prohibited": "禁止", "part_restricted": "限制", "part_transforming": "调整转型",
           "part_relocated": "疏解转移", "part_demand": "人才需求", "part_employment": "毕业去向",
           "part_enrolment": "招生趋势", "part_saturation": "布点数量", "part_high_end": "高精尖",
           "part_urban_service": "城市服务紧缺"}
SEP = "；"


def list_title(name: str) -> str:
    """A list name wrapped in book-title marks once."""
    name = name.strip()
    return name if not name or name.startswith("《") else f"《{name}》"


def change(rel: float, prefix: str) -> str:
    """A relative change in words: '较上年下降 18%', '与上年持平'."""
    if abs(rel) < 0.005:
        return f"{prefix.replace('较', '与')}持平" if prefix else "持平"
    return f"{prefix}{'下降' if rel < 0 else '上升'} {pct(abs(rel))}"


def titles(names: list[str]) -> str:
    """Each list named once, in book-title marks."""
    return "、".join(dict.fromkeys(list_title(n) for n in names if n)) or "未具名清单"


def mapping_note(source: str, confidence: float | None) -> str | None:
    if source == "none":
        return "未找到专业—行业对应，仅依据人才供需信号评分"
    if source == "proposed":
        conf = f"{confidence:.2f}" if confidence is not None else "未知"
        return (f"专业—行业对应为模型推断（置信度 {conf}），行业清单占比只计入风险分值，"
                "不据此列入禁限目录，待人工确认")
    return None


def list_hit_notes(hits: list[dict[str, Any]]) -> list[str]:
    """One sentence per category: the share of the major's industries and the lists that say so."""
    by_cat: dict[str, list[dict[str, Any]]] = {}
    for h in hits:
        by_cat.setdefault(h["category"], []).append(h)
    out = []
    for cat in CATEGORY_CN:
        if cat in by_cat:
            parts = [f"{list_title(h['list_name']) or '未具名清单'}{pct(h['share'])}" for h in by_cat[cat]]
            out.append(f"对应行业属{CATEGORY_CN[cat]}：{'、'.join(parts)}")
    return out


def upcoming_notes(upcoming: list[dict[str, Any]] | None) -> list[str]:
    """One sentence per (date, category, scope): "2030年1月起相关行业列入禁止类（《清单》，占对应行业 40%）"."""
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for u in upcoming or []:
        groups.setdefault((u["effective_from"], u["category"], u["scope"]), []).append(u)
    out = []
    for (start, cat, scope), items in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2])):
        where = "" if scope == "全市" else f"在{scope}"
        share = max(i["share"] for i in items)
        out.append(f"{month_phrase(start)}起相关行业{where}列入{CATEGORY_CN.get(cat, cat)}"
                   f"（{titles([i['list_name'] for i in items])}，占对应行业 {pct(share)}，即将生效，本版未计分）")
    return out


def scoped_notes(scoped: list[dict[str, Any]]) -> list[str]:
    return [f"在{s['scope']}，对应行业中{pct(s['share'])}属{CATEGORY_CN[s['category']]}（{titles(s['list_names'])}）"
            for s in scoped]


def years_span(last: int | None, n: int) -> str:
    """'2024–2025年' for the n years ending in `last`."""
    if last is None:
        return ""
    return f"{last}年" if n <= 1 else f"{last - n + 1}–{last}年"


def demand_sample(r: dict[str, Any], pool_years: int) -> str:
    """The 需求人数 behind a 求人倍率 judged too few."""
    return (f"{years_span(r.get('labor_year'), pool_years)}对应行业需求人数共 {r.get('demand_pool') or 0:,.0f} 人，"
            "样本不足，未据此预警")


def employment_sample(r: dict[str, Any], pool_years: int) -> str:
    """The graduates behind a 毕业去向落实率 judged too few: '2024–2025年毕业生共 8 人（2025年 4 人）…'."""
    latest = f"（{r['employment_year']}年 {r.get('graduates') or 0} 人）" if pool_years > 1 else ""
    return (f"{years_span(r.get('employment_year'), pool_years)}毕业生共 {r.get('employment_pool_graduates') or 0} 人"
            f"{latest}，样本不足，未据此预警")


def interval(low: float | None, high: float | None, fmt: str = "pct") -> str:
    if low is None or high is None or abs(high - low) < 1e-9:
        return ""
    show = (lambda x: pct(x, 1)) if fmt == "pct" else (lambda x: f"{x:.2f}")
    return f"（95%区间 {show(low)}–{show(high)}）"


def since(r: dict[str, Any]) -> str:
    """'较上年', or '较2022年' when 求人倍率's trend is measured over a missing year."""
    prev, year = r.get("labor_prev_year"), r.get("labor_year")
    return "较上年" if prev is None or year is None or prev == year - 1 else f"较{prev}年"


GAP_SIGNALS = ("labor", "enrolment", "outcome")


def gap_notes(r: dict[str, Any], signals: tuple[str, ...] = GAP_SIGNALS) -> list[str]:
    """数据缺年 in this major's signals: a trend measured over a missing year, one not measured because of it,
    a run of employment rates broken by it (the rulebook's ``data.gap`` words). ``signals``: which of 人才供需
    (labor), 招生 (enrolment), 毕业去向 (outcome) to tell, so a short reason names a gap only beside the figure it
    rests on (the gap itself is told once, in the bulletin's data notes)."""
    gap, out = rb.entry("data.gap"), []
    if "labor" in signals and r.get("labor_gap_years") and r.get("ratio_trend") is not None:
        out.append(gap.text("trend", what="人才供需", years=r["labor_gap_years"], before=r["labor_prev_year"],
                            after=r["labor_year"]))
    enrolment_gaps = r.get("enrolment_gap_years")
    if "enrolment" in signals and enrolment_gaps and r.get("enrolment_trend") is not None:
        out.append(gap.text("trend", what="招生", years=enrolment_gaps, before=r["enrolment_base_year"],
                            after=r["latest_year"]))
    elif ("enrolment" in signals and enrolment_gaps
          and str(r.get("enrolment_base_year")) in enrolment_gaps.split("、")):
        out.append(gap.text("no_trend", what="招生", years=enrolment_gaps, trend="招生趋势"))
    if "outcome" in signals and r.get("outcome_gap_years") and r.get("employment_rate") is not None:
        out.append(gap.text("rates", years=r["outcome_gap_years"]))
    return out


def demand_note(r: dict[str, Any], pool_years: int = 2) -> str:
    ratio = r.get("demand_supply_ratio")
    if r.get("demand_evidence") == "insufficient":
        return f"求人倍率：{demand_sample(r, pool_years)}" + posting_note(r)
    if ratio is None:
        return "无可用的人才供需数据，需求部分不计分" + posting_note(r)
    basis = "（按对应职业）" if r.get("demand_source") == "occupation" else ""
    year = f"{r['labor_year']}年" if r.get("labor_year") is not None else ""
    text = f"{year}求人倍率 {ratio:.2f}{basis}"
    text += interval(r.get("demand_supply_ratio_low"), r.get("demand_supply_ratio_high"), "ratio")
    trend = r.get("ratio_trend")
    if trend is not None:
        text += "，" + change(trend, since(r))
    if r.get("ratio_trend_forecast") is not None and r.get("forecast_ratio") is not None:
        # plain words for a school (MASE figures are in the edition's 技术附录)
        mase = (f"，用过去的数据检验，误差约为“与去年同季相同”简单推算的 {r['forecast_mase'] * 100:.0f}%"
                if r.get("forecast_mase") is not None else "")
        text += (f"；模型预测{r['forecast_year']}年求人倍率 {r['forecast_ratio']:.2f}"
                 f"（{change(r['ratio_trend_forecast'], '较上年')}{mase}），用于需求趋势评分")
    return text + posting_note(r)


def posting_note(r: dict[str, Any]) -> str:
    """Job postings as evidence: shown, never scored."""
    if not r.get("posting_openings"):
        return ""
    proposed = r.get("posting_openings_proposed") or 0
    note = f"，其中 {proposed:,} 个的行业为模型推断" if proposed else ""
    return f"；{r['posting_year']}年招聘信息中对应行业岗位 {r['posting_openings']:,} 个{note}（仅作参考，不计分）"


def employment_note(r: dict[str, Any], p: Policy, f: rb.Facts, pool_years: int | None = None) -> str | None:
    """The 毕业去向落实率 sentence of the basis, ending with the rule it triggered (from the rulebook)."""
    rate, prev, year = r.get("employment_rate"), r.get("employment_rate_prev"), r.get("employment_year")
    if r.get("employment_evidence") == "insufficient":
        return f"毕业去向落实率：{employment_sample(r, pool_years or p.evidence.pool_years)}"
    if rate is None:
        return None
    graduates = f"，毕业生 {r['graduates']} 人" if r.get("graduates") else ""
    text = f"{year}年毕业去向落实率 {pct(rate, 1)}{interval(r.get('employment_rate_low'), r.get('employment_rate_high'))}"
    text += graduates
    if f.emp_red_floor or f.emp_bottom:
        return f"{text}；{employment_red_text(r, p)}，缩减招生"
    if f.emp_yellow:
        prev_text = f"（上年 {pct(prev, 1)}）" if prev is not None else ""
        return f"{text}{prev_text}，{rb.fill(EMPLOYMENT_YELLOW.text, p)}，黄色预警"
    return text


def employment_red_text(r: dict[str, Any], p: Policy) -> str:
    """The employment rule's basis: the years under the floor (or in the city's bottom share), with the rates."""
    rules = p.rules
    n = rules.employment_red_years
    years = [r.get(k) for k in ("employment_rate", "employment_rate_prev", "employment_rate_prev2")][:max(n, 2)]
    shown = "、".join(pct(x, 1) for x in reversed(years) if x is not None)
    under = employment_consecutive_below(r, rules.employment_floor) >= n
    bottom = rules.employment_bottom_share > 0 and (r.get("employment_bottom_years") or 0) >= n
    clause = EMPLOYMENT_BOTTOM if bottom and not under else EMPLOYMENT_FLOOR
    return rb.fill(clause.basis, p, shown=shown)


def enrolment_note(r: dict[str, Any]) -> str | None:
    trend = r.get("enrolment_trend")
    if r.get("enrolment_evidence") == "insufficient":
        return (f"招生趋势：{r['enrolment_base_year']}年全市招生仅 {r['enrolled_base']} 人，样本不足，"
                "未据此预警")
    if trend is None:
        return None
    return (f"近三年招生人数{change(trend, '')}（{r['enrolment_base_year']}年 {r['enrolled_base']} 人 → "
            f"{r['latest_year']}年 {r['enrolled_latest']} 人）")


def score_note(r: dict[str, Any]) -> str:
    plus = [f"{PART_CN[k]} {v:.1f}" for k, v in r.items() if k in PART_CN and v and v > 0]
    minus = [f"{PART_CN[k]} {-v:.1f}" for k, v in r.items() if k in PART_CN and v and v < 0]
    text = f"风险分值 {r['risk_score']:.1f}"
    if plus or minus:
        text += "（" + " + ".join(plus or ["0"]) + "".join(f" − {m}" for m in minus) + "）"
    return text
