"""The bulletin's content (行业产业动态调整和人才供需状况), built only from the edition's own tables.

Each section is a dict: title, paragraphs, charts (inline SVG) and tables (caption, headers, rows of text, and the
note under the table naming its units and 数据来源). The bulletin names no file, input, hash or model figure: those are
in the edition's 技术附录.
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

from documents import charts
from documents.appendix import input_titles
from documents.edition import edition_label
from documents.labour import CITY, forecast_words
from documents.workbooks import over_under
from scoring import rulebook
from scoring.channels import GROUP, OPPOSITE, coverage_words
from scoring.counts import NEW_MAJOR, count_of, counts_of
from scoring.gaps import gap_sentences, years_text
from scoring.palette import CATEGORY_COLORS, WARNING_ORDER
from scoring.rulebook.terms import TRACK_YEARS
from warehouse.changes import compute_changes

Section = dict[str, Any]


def pct(x: float | None, digits: int = 1) -> str:
    return "无数据" if x is None else f"{x * 100:.{digits}f}%"


def num(x: float | None) -> str:
    return "无数据" if x is None else f"{x:,.0f}"


# what the tables are computed from, as a reader names it
LISTS = "北京市产业调整清单（禁止、限制、调整转型、高精尖、城市服务紧缺、疏解转移）"
LABOUR = "北京市人力资源市场供求信息（人才供需）"
CATALOG = "本版专业指导性目录"
OFFERINGS = "各校专业点招生与就业（最新年份）"
HISTORY = "各校专业点招生与就业（各年）"
MATCHING = "人才供需、招聘信息、专业点招生与就业、专业与行业对应表（最新年份）"
POSTINGS = "网络招聘信息（同一年标题、描述和工作区域相同的只计一次）"
CHANNEL_ROWS = 15
CHANNEL_CAPTION = rulebook.entry("channel.coverage").text("caption")


def sentences(text: str) -> list[str]:
    """A reason's sentences, each with its 。."""
    return re.findall(r"[^。]+。?", text)


def told_once(cells: list[list[str]], column: int) -> tuple[list[list[str]], list[str]]:
    """The sentences of ``column`` that every row (two or more) repeats, taken out of the rows to be told once
    under the table; a row left with no sentence of its own keeps its text."""
    if len(cells) < 2:
        return cells, []
    each = [sentences(r[column]) for r in cells]
    shared = [x for x in each[0] if all(x in s for s in each[1:])]
    if not shared or any(not [x for x in s if x not in shared] for s in each):
        return cells, []
    out = [[*r[:column], "".join(x for x in s if x not in shared), *r[column + 1:]] for r, s in zip(cells, each,
                                                                                                      strict=True)]
    return out, shared


def table(caption: str, headers: list[str], rows: list[list[Any]], unit: str, source: str) -> dict[str, Any]:
    """A table of text with its units and 数据来源 under it; columns with long text wrap, the others stay on
    one line. A sentence every row's 依据 repeats is told once, under the table."""
    cells = [[str(v) for v in r] for r in rows]
    shared: list[str] = []
    if "依据" in headers:
        cells, shared = told_once(cells, headers.index("依据"))
    wrap = [max((len(r[i]) for r in cells), default=0) > 10 for i in range(len(headers))]
    common = f"表中各专业的依据均含：{''.join(shared)}" if shared else ""
    return {"caption": caption, "headers": headers, "rows": cells, "wrap": wrap,
            "note": f"{common}单位：{unit}。数据来源：{source}。"}


def list_section(t: dict[str, pl.DataFrame], previous: dict[str, pl.DataFrame] | None) -> Section:
    adj = t["industry_adjustments"]
    counts = dict(adj.group_by("category").len().iter_rows())
    labels = {k: v[0] for k, v in CATEGORY_COLORS.items()}
    text = ["现行行业产业清单共 " + f"{adj.height} 条，其中" +
            "、".join(f"{labels[k]}类 {counts[k]} 条" for k in CATEGORY_COLORS if counts.get(k)) + "。"]
    changes = t["industry_list_changes"]
    tables = []
    if previous is None or "industry_adjustments" not in previous:
        text.append("本版为首版，没有可比较的上一版，以下变化从下一版起列出。")
    elif changes.height == 0:
        text.append("与上一版相比，行业产业清单没有变化。")
    else:
        by = dict(changes.group_by("change").len().iter_rows())
        text.append("与上一版相比：" + "，".join(f"{k} {v} 条" for k, v in sorted(by.items())) + "。")
        tables.append(table("清单条目变化", ["类别", "行业代码", "行业名称", "变化", "原适用区域", "现适用区域"],
                            [[r["category_name"], r["industry_code"], r["industry_name"] or "（名称缺失）", r["change"],
                              r["scope_old"] or "—", r["scope_new"] or "—"] for r in changes.iter_rows(named=True)],
                            "条", f"{LISTS}，本版与上一版对比"))
    return {"title": "一、行业产业动态调整", "paragraphs": text, "charts": [charts.category_bars(counts)],
            "tables": tables}


def _gap_words(prev_year: str, year: str) -> str:
    """'；人才供需2024年数据缺失，趋势按2023→2025年计算' when the comparison crosses a missing year."""
    missing = range(int(prev_year) + 1, int(year))
    if not missing:
        return ""
    return "；" + rulebook.entry("data.gap").text("trend", what="人才供需", years=years_text(missing), before=prev_year,
                                                  after=year)


def _ratio_text(ratio: float | None) -> str:
    return "无数据" if ratio is None else f"{ratio:.2f}"


def labour_section(t: dict[str, pl.DataFrame], title: str = "二、人才供需状况") -> Section:
    s = t["labour_market_summary"]
    actual = s.filter(~pl.col("is_forecast"))
    periods = actual["period"].unique().sort().to_list()
    last = periods[-1]
    year = last[:4]
    earlier = sorted({p[:4] for p in periods if p[:4] < year})
    prev_year = earlier[-1] if earlier else str(int(year) - 1)  # over a missing year: the nearest year present
    yearly = actual.with_columns(year=pl.col("period").str.slice(0, 4)).filter(
        pl.col("year").is_in([year, prev_year])).group_by("section_code", "section_name", "year").agg(
        pl.col("demand", "supply").sum()).with_columns(ratio=pl.col("demand") / pl.col("supply"))
    now = yearly.filter(pl.col("year") == year)
    before = dict(yearly.filter(pl.col("year") == prev_year).select("section_code", "ratio").iter_rows())
    city = now.filter(pl.col("section_code") == CITY).row(0, named=True)
    rows = []
    for r in now.filter(pl.col("section_code") != CITY).sort("demand", descending=True).iter_rows(named=True):
        old = before.get(r["section_code"])
        rows.append([r["section_name"], num(r["demand"]), num(r["supply"]), f"{r['ratio']:.2f}",
                     _ratio_text(old)])
    top = [c for c in now.filter(pl.col("section_code") != CITY).sort("demand", descending=True)["section_code"]][:8]
    fc = s.filter(pl.col("is_forecast") & (pl.col("section_code") == CITY))
    text = [f"{year}年全市岗位需求人数 {num(city['demand'])}，求职人数 {num(city['supply'])}，"
            f"求人倍率 {city['ratio']:.2f}（{prev_year}年 {_ratio_text(before.get(CITY))}{_gap_words(prev_year, year)}）。"
            f"数据截至 {last}（起于 {periods[0]}）。"]
    if fc.height:
        text.append(f"预测（非实际数据）：{fc['period'][0]}—{fc['period'][-1]} 全市求人倍率约 "
                    f"{fc['ratio'].min():.2f}—{fc['ratio'].max():.2f}。")
    text.append(forecast_words(t.get("forecast_quality")))
    tables = [table(f"{year}年各行业门类人才供需（按需求人数排序）",
                    ["行业门类", "需求人数", "求职人数", "求人倍率", f"{prev_year}年求人倍率"], rows,
                    "人；求人倍率为需求人数与求职人数之比", LABOUR)]
    if t.get("channel_coverage") is not None and t.get("demand_channels") is not None:
        text += coverage_words(t["channel_coverage"], t["demand_channels"])
        tables += channel_table(t["demand_channels"])
    return {"title": title, "paragraphs": text, "charts": [charts.ratio_panels(s, [CITY, *top])], "tables": tables}


def growth(x: float | None) -> str:
    return "无上年数据" if x is None else f"{x * 100:+.1f}%".replace("-", "−")


def channel_rows(channels: pl.DataFrame) -> pl.DataFrame:
    """The 行业大类 both channels cover in their latest year: opposite directions first, then those compared, each
    by 需求人数."""
    both = channels.filter((pl.col("level") == GROUP) & pl.col("pes_demand").is_not_null()
                           & pl.col("posting_openings").is_not_null())
    return both.sort((pl.col("direction") == OPPOSITE).fill_null(False), pl.col("direction").is_not_null(),
                     "pes_demand", "code", descending=[True, True, True, False]).head(CHANNEL_ROWS)


def channel_table(channels: pl.DataFrame) -> list[dict[str, Any]]:
    """Both channels side by side for the 行业大类 both cover (a ratio only where there are job seekers)."""
    shown = channel_rows(channels)
    if shown.height == 0:
        return []
    pes_year, posting_year = shown["pes_year"][0], shown["posting_year"][0]
    rows = [[r["name"], "无求职数据" if r["pes_ratio"] is None else f"{r['pes_ratio']:.2f}", growth(r["pes_growth"]),
             num(r["posting_openings"]), growth(r["posting_growth"]), r["direction"] or "—"]
            for r in shown.iter_rows(named=True)]
    return [table(f"{CHANNEL_CAPTION}（{pes_year}年公共就业服务机构的求人倍率与{posting_year}年网络招聘去重后的人数；"
                  f"变化方向相反的在前，其余按需求人数，前 {CHANNEL_ROWS} 个）",
                  ["行业大类", "求人倍率", "需求人数增减", "网络招聘人数", "招聘人数增减", "变化方向"], rows,
                  "人；求人倍率为公共就业服务机构登记的需求人数与求职人数之比；网络招聘没有求职人数，不计算倍率，"
                  "其增减也受各年收集到的招聘信息多少影响；增减为较上年同期",
                  f"{LABOUR}；{POSTINGS}")]


def majors_section(t: dict[str, pl.DataFrame], previous: dict[str, pl.DataFrame] | None,
                   order: list[str]) -> Section:
    cat, counted = t["guiding_catalog"], t["edition_counts"]
    levels = counts_of(counted, "guiding_catalog", "warning_level")
    guidance = counts_of(counted, "guiding_catalog", "guidance")
    text = [f"本版目录共 {count_of(counted, 'guiding_catalog', 'total')} 个专业："
            + "、".join(f"{lv}色预警 {levels.get(lv, 0)} 个" for lv in WARNING_ORDER)
            + "；" + "、".join(f"{g} {guidance[g]} 个" for g in order if guidance.get(g)) + "。"]
    new = count_of(counted, "guiding_catalog", "new_major", NEW_MAJOR)
    if new:
        new_levels = counts_of(counted, "guiding_catalog", "new_major_level")
        text.append(f"其中{NEW_MAJOR} {new} 个（" + "、".join(f"{lv}色 {new_levels[lv]} 个" for lv in WARNING_ORDER
                                                      if new_levels.get(lv)) + "），"
                    + rulebook.entry("major.new").text("counted") + "。")
    tables = []
    if previous is None or "guiding_catalog" not in previous:
        text.append("本版为首版，没有上一版可比较，专业变化从下一版起列出。")
    else:
        moved = compute_changes({k: previous[k] for k in ("guiding_catalog", "restriction_list")},
                                {k: t[k] for k in ("guiding_catalog", "restriction_list", "code_history") if k in t})
        renumbered = rulebook.entry("major.renumbered")
        recoded = moved.filter(pl.col("change") == renumbered.text("change")).height
        text.append(f"与上一版相比，{moved.height} 个专业的指导类别、预警等级或限制发生变化"
                    + (f"（其中{renumbered.term} {recoded} 个，按原专业代码对比）" if recoded else "") + "。")
        tables.append(table("与上一版相比变化的专业", ["专业代码", "专业名称", "变化", "指导类别", "预警等级", "依据"],
                            [[r["major_code"], r["major_name"], r["change"],
                              f"{r['guidance_old'] or '—'} → {r['guidance_new'] or '—'}",
                              f"{r['warning_level_old'] or '—'} → {r['warning_level_new'] or '—'}", r["reasons"]]
                             for r in moved.head(60).iter_rows(named=True)], "—（类别与等级的变化）",
                            f"{CATALOG}与上一版专业指导性目录"))
    history = t.get("edition_history")
    chart = [charts.history_bars(history)] if history is not None and history["edition"].n_unique() > 1 else []
    if chart:
        text.append(history_sentence(history))
    red = cat.filter(pl.col("warning_level") == "红").sort("risk_score", descending=True).head(10)
    tables.append(table("红色预警专业（按风险分值，前 10 个；全部见专业指导性目录）", ["专业代码", "专业名称", "指导类别", "风险分值", "依据"],
                        [[r["major_code"], r["major_name"], r["guidance"], f"{r['risk_score']:.1f}", r["reasons"]]
                         for r in red.iter_rows(named=True)], "风险分值为分（0—100）", CATALOG))
    return {"title": "三、专业预警与指导类别", "paragraphs": text, "charts": [charts.guidance_bars(cat, order), *chart],
            "tables": tables}


def history_sentence(history: pl.DataFrame) -> str:
    """历版对比: the majors by warning level in each year's edition (the edition_history table), oldest first."""
    editions = history.select("edition", "state").unique(maintain_order=True).rows()
    parts = []
    for i, (edition, state) in enumerate(editions):
        levels = dict(history.filter(pl.col("edition") == edition).select("warning_level", "count").iter_rows())
        name = edition_label({"id": edition, "state": state})
        parts.append(("本版" if i == len(editions) - 1 else name) + "、".join(
            f"{lv}色预警 {levels.get(lv, 0)} 个" for lv in WARNING_ORDER if lv != "绿"))
    return "历版对比：" + "；".join(parts) + "。"


def watch_section(t: dict[str, pl.DataFrame], policy) -> Section:
    """观察名单: the edition's watch_list table (the catalog's 临界 majors), nothing recomputed here."""
    yellow, red = policy.rules.yellow_score, policy.rules.red_score
    near = t["watch_list"]
    rows = [[r["major_code"], r["major_name"], r["warning_level"], f"{r['risk_score']:.1f}",
             f"{r['risk_score_low']:.1f}—{r['risk_score_high']:.1f}", r["watch_note"] or "—"]
            for r in near.head(25).iter_rows(named=True)]
    return {"title": "四、临界专业观察名单", "charts": [], "paragraphs": [
        f"{rulebook.certainty('临界').meaning(policy)}本版列入观察名单的专业共 {near.height} 个"
        f"{'（列出风险最高的 25 个）' if near.height > 25 else ''}，即专业指导性目录中「结论确定性」为「临界」的专业"
        f"（黄色预警线 {yellow:g} 分，红色预警线 {red:g} 分）。"],
        "tables": [table("临界专业", ["专业代码", "专业名称", "预警等级", "风险分值", "分值区间", "临界说明"], rows,
                         "分", CATALOG)] if rows else []}


def district_summary(scores: pl.DataFrame) -> pl.DataFrame:
    flagged = (pl.col("warning_level").is_in(["红", "黄"]) | pl.col("restriction").is_not_null()
               | (pl.col("school_flags").fill_null("").str.strip_chars() != ""))
    return (scores.group_by("district").agg(
        schools=pl.col("school_code").n_unique(), offerings=pl.len(), enrolled=pl.col("enrolled").fill_null(0).sum(),
        flagged=flagged.sum(), **{f"n_{lv}": (pl.col("warning_level") == lv).sum() for lv in WARNING_ORDER})
        .sort("offerings", "district", descending=[True, False]))


def district_section(t: dict[str, pl.DataFrame]) -> Section:
    d = t["district_summary"]
    rows = [[r["district"], r["schools"], r["offerings"], num(r["enrolled"]), r["flagged"], r["n_红"], r["n_黄"]]
            for r in d.iter_rows(named=True)]
    return {"title": "五、各区专业布点", "charts": [charts.district_bars(d)], "paragraphs": [
        f"全市 {d['schools'].sum()} 所学校开设专业点 {d['offerings'].sum()} 个，最新年份招生 {num(d['enrolled'].sum())} 人；"
        f"需关注的专业点（红、黄预警，列入禁限或有专业点提示）{d['flagged'].sum()} 个。"],
        "tables": [table("各区专业点", ["区", "学校数", "专业点数", "招生人数", "需关注专业点", "红色", "黄色"], rows,
                         "所（学校）、个（专业点）、人（招生）", f"{OFFERINGS}；预警等级见{CATALOG}")]}


def matching_section(t: dict[str, pl.DataFrame]) -> Section:
    g, s, m = t["matching_groups"], t["matching_scores"], t["matching_majors"]
    city = s.filter(pl.col("unit_type") == "全市").row(0, named=True)
    dist = s.filter(pl.col("unit_type") == "区").sort("match")
    over, under = over_under(g)
    rows = lambda df: [[r["group_name"], r["section_name"], pct(r["demand_share"]), pct(r["postings_share"]),  # noqa: E731
                        pct(r["enrolled_share"]), pct(r["graduates_share"]), pct(r["deviation"], 0)]
                       for r in df.iter_rows(named=True)]
    head = ["行业大类", "门类", "需求人数占比", "招聘岗位占比", "招生占比", "毕业生占比", "结构偏离度"]
    return {"title": "六、专业设置与产业发展匹配分析", "charts": [charts.gap_bars(pl.concat([over, under]))], "paragraphs": [
        f"全市专业设置与产业需求的匹配度为 {pct(city['match'])}（100% 表示招生结构与需求结构完全一致）。"
        f"各区中最高为{dist['unit_name'][-1]}（{pct(dist['match'][-1])}），最低为{dist['unit_name'][0]}（{pct(dist['match'][0])}）。",
        "结构偏离度 = 招生占比 ÷ 需求人数占比 − 1；大于 0 表示供给偏多，小于 0 表示供给不足。各校的匹配度只提供给该校本身（学校平台）。"],
        "tables": [table("供给偏多的十个行业大类", head, rows(over), "%", MATCHING),
                   table("供给不足的十个行业大类", head, rows(under), "%", MATCHING),
                   table("最降低全市匹配度的专业（前 10 个）", ["专业代码", "专业名称", "层次", "招生人数", "不计该专业时匹配度提高"],
                         [[r["major_code"], r["major_name"], r.get("level") or "—", num(r["enrolled"]),
                           f"{r['lift'] * 100:.2f} 个百分点"]
                          for r in m.filter(pl.col("lift") > 0).head(10).iter_rows(named=True)],
                         "人（招生）、百分点（匹配度）", MATCHING),
                   table("各区匹配度", ["区", "招生人数（有行业对应）", "匹配度"],
                         [[r["unit_name"], num(r["enrolled_mapped"]), pct(r["match"])] for r in dist.iter_rows(named=True)],
                         "人、%", MATCHING)]}


def gaps_paragraph(gaps: pl.DataFrame | None) -> str:
    """数据缺年 in the data notes: the inputs' missing years (the data_gaps table), in the rulebook's words."""
    gap = rulebook.entry("data.gap")
    if gaps is None or gaps.height == 0:
        return gap.text("none")
    return gap.text("bulletin", found="；".join(gap_sentences(gaps, input_titles())))


def provenance_section(package: dict, policy, title: str = "七、数据来源与说明",
                       gaps: pl.DataFrame | None = None) -> Section:
    """Where the figures came from, in words: the data, the checks, the policy, the missing years (``gaps``);
    identifiers, hashes and model figures are in the 技术附录 (for the data team)."""
    contracts = package.get("contracts", [])
    passed = sum(1 for c in contracts if c.get("passed"))
    rejected = sum(int(c.get("rows_rejected") or 0) for c in contracts)
    titles = input_titles()
    checks = {c.get("input"): c for c in contracts}
    rows = []
    for item in package.get("inputs", []):
        if not item.get("rows"):
            continue
        check = checks.get(item.get("input"), {})
        rows.append([titles.get(item.get("input"), "其他数据"), num(item.get("rows")),
                     str(item.get("loaded_on") or "—")[:10], num(check.get("rows_rejected") or 0),
                     "通过" if check.get("passed", True) else "未通过"])
    pending = sum("待市教委确认" in v for v in policy.sources.values())
    return {"title": title, "charts": [], "paragraphs": [
        f"本公报所用数据共 {len(rows)} 项，见下表。",
        f"每项数据入库前均经数据质量检查（{len(contracts)} 项，通过 {passed} 项），共剔除 {num(rejected)} 行不合格数据。"
        + (f"评分规则中尚有 {pending} 项取值待市教委确认。" if pending else "评分规则的各项取值均已经市教委确认。"),
        *([gaps_paragraph(gaps)] if gaps is not None else []),
        "本公报的每个数字都来自本版目录同时发布的数据表，可据此复核；数据文件的校验值、检查明细和预测模型的检验结果见本版技术附录。"],
        "tables": [table("所用数据", ["数据", "条数", "入库日期", "剔除条数", "质量检查"], rows, "条",
                         "各数据提供单位报送的原始文件")] if rows else []}


def _counts(df: pl.DataFrame, column: str, order: list[str]) -> list[tuple[str, int]]:
    found = dict(df.group_by(column).len().iter_rows())
    return [(k, found[k]) for k in order if found.get(k)]


TRACK_HEADERS = ["预警年份", "组别", "专业数", "下降", "撤销或停招", "恢复", "仍在预警", rulebook.TRACK.texts["share"], "提升度"]


def track_lines(track: pl.DataFrame, policy) -> list[str]:
    """The 往年预警回溯 sentences, one paragraph per data year, every figure read from the track-record table and
    every word from the rulebook (scoring.rulebook.TRACK)."""
    T = rulebook.TRACK
    if track.height == 0:
        return [T.text("short", policy)]
    lines = []
    latest, present = track["latest_year"][0], set(track["years_ago"].to_list())
    for n in range(1, TRACK_YEARS + 1):
        if n not in present:  # a year the table could not look back at (数据缺年, or the data start after it)
            lines.append(T.text("missing", policy, year=latest - n, n=n))
            continue
        part = {r["method"]: r for r in track.filter(pl.col("years_ago") == n).iter_rows(named=True)}
        f, base, carry = part["flags"], part["base_rate"], part["carry_forward"]
        head = {"year": f["data_year"], "n": n, "source": T.texts[f["source"]]}
        if not f["majors"]:
            lines.append(T.text("none_flagged", policy, **head))
            continue
        said = T.text("flagged", policy, **head, majors=f["majors"], latest=f["latest_year"], declined=f["declined"],
                      closed=f["closed"], recovered=f["recovered"], still=f["still_flagged"])
        against = (T.text("carry", policy, carry_share=carry["decline_share"]) if carry["majors"]
                   else T.text("carry_none", policy))
        said += T.text("compare" if f["lift"] is not None else "compare_no_base", policy, share=f["decline_share"],
                       base=base["decline_share"], lift=f["lift"], carry=against)
        above_base = f["decline_share"] > base["decline_share"]
        above_carry = not carry["majors"] or f["decline_share"] > carry["decline_share"]
        said += T.text("beats_both" if above_base and above_carry else "beats_base" if above_base else "beats_none")
        lines.append(said)
    return lines


def track_section(t: dict[str, pl.DataFrame], policy, title: str) -> Section:
    """往年预警回溯: the warning_track_record table told in sentences, a chart and a table (nothing recomputed)."""
    T, track = rulebook.TRACK, t["warning_track_record"]
    rows = [[f"{r['data_year']}年（{r['years_ago']}年前）", T.texts[r["method"]], r["majors"], r["declined"], r["closed"],
             r["recovered"], r["still_flagged"], pct(r["decline_share"]), "—" if r["lift"] is None else f"{r['lift']:.2f}"]
            for r in track.iter_rows(named=True)]
    latest = track["latest_year"][0] if track.height else None
    return {"title": title,
            "paragraphs": [f"{T.meaning(policy)}{T.condition(policy)}。", *track_lines(track, policy)],
            "charts": [charts.track_bars(track, dict(T.texts), T.text("chart", latest=latest), T.texts["share"])]
            if track.height else [],
            "tables": [table("往年预警专业与两个基线的去向", TRACK_HEADERS, rows,
                             "个（专业）；比例为下降或撤销、停招的专业占该组专业数的比例；提升度为该比例 ÷ 全部专业的比例",
                             f"{HISTORY}；往年预警见当年目录或按现行规则回算")] if rows else []}
