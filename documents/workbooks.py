"""The edition's workbooks as official documents: catalogs, the three province lists, the matching report."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from documents.edition import EditionInfo
from documents.explain import NOTE_HEADERS, definitions
from documents.lists import LIST_HEADERS, PROVINCE_LISTS, province_lists
from documents.wording import public_source
from scoring.catalog import CHINESE_HEADERS
from scoring.palette import WARNING_COLORS
from scoring.policy import Policy
from warehouse.spreadsheet import Heading, Sheet, write_workbook

CATALOG_PERCENT = ("exposure_prohibited", "exposure_restricted", "exposure_transforming", "exposure_high_end",
                   "exposure_urban_service", "exposure_relocated", "employment_rate")
# Kept in the printed catalog but folded away (a "+" above the columns opens them): the page shows the columns a
# reader weighs at a readable size. Unfolded, the 25 columns were three pages wide, printed at a third of their size.
CATALOG_FOLDED = ("risk_score_low", "risk_score_high", "exposure_prohibited", "exposure_restricted",
                  "exposure_transforming", "exposure_high_end", "exposure_urban_service", "exposure_relocated",
                  "schools_offering", "demand_note", "employment_note", "p_red_at_graduation_low",
                  "p_red_at_graduation_high", "p_restriction_at_graduation", "what_would_change", "watch_note")
CATALOG_MISSING = {"employment_rate": "无毕业生数据", "demand_supply_ratio": "无供需数据", "risk_score": "无数据"}
LEGEND_WIDTHS = {"kind": 9, "term": 12, "definition": 44, "threshold": 44, "source": 40}
NARROW = {"major_name": 18, "category_name": 14, "school_name": 18, "group_name": 18, "section_name": 14,
          "unit_name": 18, "definition": 50, "threshold": 36, "source": 36}
BASIS_HEADERS = {"major_code": "专业代码", "major_name": "专业名称", "level": "层次", "basis": "详细依据",
                 "channels": "对应行业大类的需求渠道"}
BASIS_NAME = "专业指导性目录详细依据"
# The legend (page 1) defines the verdicts: warning levels first, then the guidance categories and whatever else the
# definitions name (限制类型, 退出, 撤并, 撤销 …); the terms behind them (scopes, list categories, score parts, indicators)
# follow the list on a sheet of their own; the policy's version, file and hash go to the 技术附录.
LEGEND_FIRST = ("预警等级", "指导类别")
LATER_KINDS = ("适用区域", "区", "本校提示", "行业清单类别", "结论确定性", "主要原因", "分值", "指标", "复核")
TECHNICAL_KINDS = ("政策",)

MATCH_GROUP_HEADERS = {
    "group_code": "行业大类代码", "group_name": "行业大类", "section_name": "门类", "demand": "需求人数",
    "demand_share": "需求人数占比", "postings": "招聘岗位数", "postings_share": "招聘岗位占比",
    "enrolled": "对应专业招生人数", "enrolled_share": "招生占比", "graduates": "对应专业毕业生人数",
    "graduates_share": "毕业生占比", "gap": "招生占比−需求占比", "deviation": "结构偏离度", "status": "判断"}
MATCH_SCORE_HEADERS = {"unit_type": "范围", "unit_code": "行政区划代码", "unit_name": "名称",
                       "enrolled_mapped": "有行业对应的招生人数", "covered_share": "其中有需求数据的比例",
                       "match": "匹配度"}
MATCH_MAJOR_HEADERS = {"major_code": "专业代码", "major_name": "专业名称", "level": "层次", "enrolled": "招生人数",
                       "match": "全市匹配度", "match_without": "不计该专业时的匹配度", "lift": "匹配度提高"}
MATCH_PERCENT = ("demand_share", "postings_share", "enrolled_share", "graduates_share", "gap", "deviation",
                 "covered_share", "match", "match_without", "lift")
MATCH_NOTES = [
    ("口径", "行业大类", "按《国民经济行业分类》大类汇总；专业按专业—行业对应表的权重分摊到各大类（无权重时平均分摊）。"),
    ("口径", "需求人数占比", "最新年份人力资源市场各大类需求人数占全部有数据大类的比例。"),
    ("口径", "招聘岗位占比", "最新年份招聘信息的岗位数按行业大类的比例；未标注行业的岗位按模型推断的行业计入。"),
    ("口径", "招生占比、毕业生占比", "最新年份各校对应专业的招生（毕业生）人数按行业大类的比例，只计有需求数据的大类。"),
    ("指标", "结构偏离度", "招生占比 ÷ 需求人数占比 − 1。0 表示供需结构一致；大于 0 表示供给偏多，小于 0 表示供给不足；"
     "绝对值超过 20% 判为供给偏多或不足。"),
    ("指标", "匹配度", "1 − ½ × Σ|招生占比 − 需求人数占比|，对有需求数据的各大类求和。100% 表示招生结构与需求结构完全一致；"
     "区和学校的招生结构与全市需求结构比较（北京为一个劳动力市场）。"),
    ("指标", "降低匹配度的专业", "假设不计该专业的招生，全市匹配度会提高多少；提高越多，说明该专业的招生越偏离需求结构。"),
    ("范围", "供需偏离前十", "按“招生占比 − 需求人数占比”排序：最大的十个为供给偏多，最小的十个为供给不足。"),
]


def heading(info: EditionInfo, name: str) -> Heading:
    return Heading(info.title(name), info.subtitle())


def legend(policy: Policy, later: bool = False) -> pl.DataFrame:
    """The rows of ``definitions(policy)`` an official document prints: the verdicts' (``later``: the other terms'),
    levels first, then guidance categories, then the rest in the definitions' order."""
    rows = definitions(policy).with_row_index("_order").filter(~pl.col("kind").is_in(TECHNICAL_KINDS))
    rows = rows.filter(pl.col("kind").is_in(LATER_KINDS) == later)
    rank = pl.col("kind").replace_strict({k: i for i, k in enumerate(LEGEND_FIRST)}, default=len(LEGEND_FIRST),
                                         return_dtype=pl.Int64)
    return rows.sort(rank, "_order").drop("_order").with_columns(
        pl.col("source").map_elements(public_source, return_dtype=pl.String))


def notes_sheet(policy: Policy) -> Sheet:
    """The legend: what 红/黄/绿, every guidance category and every restriction mean, with the thresholds in force,
    on one page (a workbook's first sheet, so it prints first)."""
    return Sheet("说明", legend(policy), NOTE_HEADERS, fills={"term": WARNING_COLORS}, widths=LEGEND_WIDTHS, one_page=True,
                 caption="说明：预警等级、指导类别和限制类型的含义及现行阈值")


def more_notes_sheet(policy: Policy) -> Sheet:
    """The other terms (scopes, list categories, score parts, indicators), printed after the list."""
    return Sheet("名词解释", legend(policy, later=True), NOTE_HEADERS, widths=LEGEND_WIDTHS,
                 caption="名词解释：适用区域、行业清单类别、风险分值和指标")


def catalog_headers(df: pl.DataFrame, table: str) -> dict[str, str]:
    """The contract's Chinese headers; 依据/详细依据 for the two reason layers."""
    return {**CHINESE_HEADERS[table], "reasons": "依据", "basis": "详细依据"}


def write_catalogs(folder: Path, tables: dict[str, pl.DataFrame], policy: Policy, info: EditionInfo) -> list[Path]:
    """guiding_catalog.xlsx and restriction_list.xlsx, each printing its legend (说明) on page 1 and then the list;
    the catalog's 详细依据 (most of its pages) is a workbook of its own, guiding_catalog_basis.xlsx."""
    catalog, restrictions = tables["guiding_catalog"], tables["restriction_list"]
    main = catalog.drop("basis") if "basis" in catalog.columns else catalog
    sheets = [notes_sheet(policy),
              Sheet("专业指导性目录", main, catalog_headers(catalog, "guiding_catalog"), CATALOG_PERCENT,
                    CATALOG_MISSING, {"demand_supply_ratio": 2}, {"warning_level": WARNING_COLORS}, NARROW,
                    CATALOG_FOLDED, caption="专业指导性目录"), more_notes_sheet(policy)]
    paths = [folder / "guiding_catalog.xlsx", folder / "restriction_list.xlsx"]
    write_workbook(paths[0], sheets, info.timestamp, heading(info, "专业指导性目录"))
    r_main = restrictions.drop("basis") if "basis" in restrictions.columns else restrictions
    write_workbook(paths[1], [notes_sheet(policy), Sheet("禁限目录", r_main, catalog_headers(restrictions, "restriction_list"),
                                                         widths=NARROW, caption="禁限目录"), more_notes_sheet(policy)],
                   info.timestamp, heading(info, "专业禁限目录"))
    if "basis" in catalog.columns:
        basis = catalog.select([c for c in BASIS_HEADERS if c in catalog.columns])
        channels = tables.get("major_channels")
        if channels is not None:  # issue 29: the channels behind the major's industries
            basis = basis.join(channels, on="major_code", how="left").with_columns(pl.col("channels").fill_null("无对应行业大类"))
        paths.append(folder / "guiding_catalog_basis.xlsx")
        write_workbook(paths[-1], [Sheet("详细依据", basis, BASIS_HEADERS, widths={**NARROW, "basis": 90, "channels": 60},
                                         caption="各专业的详细依据（评分各部分、数据和规则）及对应行业大类的需求渠道")],
                       info.timestamp, heading(info, BASIS_NAME))
    return paths


def write_province_lists(folder: Path, tables: dict[str, pl.DataFrame], policy: Policy,
                         info: EditionInfo) -> list[Path]:
    """急需紧缺/鼓励, 改造升级 and 限制/撤销 lists in the shape other provinces publish them."""
    paths = []
    for stem, df in province_lists(tables["guiding_catalog"], tables["restriction_list"]).items():
        title = PROVINCE_LISTS[stem][0]
        path = folder / f"{stem}.xlsx"
        write_workbook(path, [notes_sheet(policy), Sheet(title.replace("/", "、")[:31], df, LIST_HEADERS, widths=NARROW,
                                                         caption=title), more_notes_sheet(policy)],
                       info.timestamp, heading(info, title))
        paths.append(path)
    return paths


def over_under(groups: pl.DataFrame, n: int = 10) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The n most over-supplied and the n most under-supplied groups (by enrolment minus demand share)."""
    covered = groups.filter(pl.col("gap").is_not_null())
    over = covered.filter(pl.col("gap") > 0).sort(["gap", "group_code"], descending=[True, False]).head(n)
    under = covered.filter(pl.col("gap") < 0).sort(["gap", "group_code"]).head(n)
    return over, under


def write_matching_report(folder: Path, report: dict[str, pl.DataFrame], info: EditionInfo) -> Path:
    """matching_report.xlsx from the edition's matching tables: the city and the districts. Each school's
    own figure is in matching_scores.parquet, served to that school only (like school_major_scores)."""
    groups, scores = report["matching_groups"], report["matching_scores"]
    over, under = over_under(groups)
    notes = pl.DataFrame(MATCH_NOTES, schema=["kind", "term", "definition"], orient="row")
    units = scores.filter(pl.col("unit_type") != "学校").select(list(MATCH_SCORE_HEADERS))
    majors = report["matching_majors"].filter(pl.col("lift") > 0).head(30)
    sheets = [
        Sheet("全市及各区匹配度", units, MATCH_SCORE_HEADERS, MATCH_PERCENT, widths=NARROW,
              caption="表一　全市及各区专业设置与产业需求匹配度", one_page=True),
        Sheet("行业大类匹配", groups, MATCH_GROUP_HEADERS, MATCH_PERCENT, "无数据", widths=NARROW,
              caption="表二　各行业大类需求与招生结构（人数单位：人）"),
        Sheet("供给偏多前十", over, MATCH_GROUP_HEADERS, MATCH_PERCENT, "无数据", widths=NARROW,
              caption="表三　供给偏多的十个行业大类（人数单位：人）", one_page=True),
        Sheet("供给不足前十", under, MATCH_GROUP_HEADERS, MATCH_PERCENT, "无数据", widths=NARROW,
              caption="表四　供给不足的十个行业大类（人数单位：人）", one_page=True),
        Sheet("降低匹配度的专业", majors.select([c for c in MATCH_MAJOR_HEADERS if c in majors.columns]),
              MATCH_MAJOR_HEADERS, MATCH_PERCENT, widths=NARROW, caption="表五　最降低全市匹配度的专业（前 30 个）", one_page=True),
        Sheet("说明", notes, {"kind": "类别", "term": "名称", "definition": "含义"}, widths=NARROW,
              caption="说明：口径与指标"),
    ]
    path = folder / "matching_report.xlsx"
    write_workbook(path, sheets, info.timestamp, heading(info, "专业设置与产业发展匹配分析"))
    return path
