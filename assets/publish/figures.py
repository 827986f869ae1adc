"""Publish: every table an edition tells, each computed once as an asset before anything is published.

The catalogs, the report figures (labour market, matching), the watch list, the districts and every count
are warehouse tables here; the publish step only writes them out, and the documents, the portal (through
the published Parquet files) and the asset metadata read these same tables.
"""

import dagster as dg
import polars as pl

from assets.charts import PALETTE, bar_chart_md, preview_md
from assets.ingest.sources import PUBLISHED_EDITIONS
from assets.partitions import EDITIONS
from assets.resources import PolicyFile, Warehouse
from documents import FIGURE_TABLES, figure_tables, outcome_tables
from scoring.catalog import guiding_catalog as build_catalog
from scoring.catalog import restriction_list as build_restrictions
from scoring.counts import counts_of
from scoring.palette import WARNING_ORDER
from scoring.revisions import follow_current_codes, major_revisions, schools_in_year
from scoring.rulebook import TRACK
from scoring.track_record import past_flags, track_record
from scoring.upgrade import home_rows
from warehouse.db import WRITER_POOL
from warehouse.editions import published_verdicts
from warehouse.table import WarehouseTable

PUBLISH = {"group_name": "publish", "owners": ["team:data"]}
TABLE = {**PUBLISH, "kinds": {"duckdb", "polars"}, "pool": WRITER_POOL, "partitions_def": EDITIONS}
LATEST_COLUMNS = ("school_code", "major_code", "year", "enrolled", "graduates")
LATEST_YEAR = "year = (SELECT max(year) FROM school_majors)"  # fixed SQL, no values
HISTORY_COLUMNS = ("school_code", "major_code", "year", "enrolled", "graduates", "employed")


def latest_offerings(school_majors: WarehouseTable) -> pl.DataFrame:
    """What the figures read of school_majors (millions of offering-years nationally): the latest year's rows,
    the columns the documents' supply figures use."""
    return school_majors.read(LATEST_COLUMNS, where=LATEST_YEAR)


@dg.asset(**TABLE)
def guiding_catalog(majors: pl.DataFrame, major_risk_scores: pl.DataFrame) -> pl.DataFrame:
    """专业指导性目录：每个专业一行，含指导类别、预警等级、结论确定性、风险分值与依据。"""
    return build_catalog(majors, major_risk_scores)


@dg.asset(**TABLE)
def code_history(majors: pl.DataFrame, code_changes: pl.DataFrame) -> pl.DataFrame:
    """专业代码变更：目录中每个专业的原专业代码（代码变更、合并或拆分），变化对比和历年趋势据此把原代码接续到现代码。"""
    return major_revisions(majors, code_changes).select("new_code", "old_code", "share", "year")


@dg.asset(**TABLE)
def restriction_list(majors: pl.DataFrame, major_risk_scores: pl.DataFrame) -> pl.DataFrame:
    """禁限目录：停止新设或限制招生的专业，含适用区域与依据。"""
    return build_restrictions(major_risk_scores, majors)


@dg.multi_asset(
    outs={name: dg.AssetOut(**PUBLISH, kinds={"duckdb", "polars"}, description=text) for name, text in {
        "labour_market_summary": "人才供需序列：各行业门类与全市每期的需求、求职人数与求人倍率（含标明的预测）。",
        "matching_groups": "各行业大类的需求占比、招生占比与结构偏离度（专业设置与产业发展匹配分析）。",
        "matching_scores": "全市、各区、各校的专业设置与产业需求匹配度。",
        "matching_majors": "不计该专业时全市匹配度提高多少：最降低匹配度的专业。",
    }.items()},
    pool=WRITER_POOL,
    partitions_def=EDITIONS,
)
def report_figures(industries: pl.DataFrame, majors: pl.DataFrame, major_industry_map: pl.DataFrame,
                   school_majors: WarehouseTable, schools: pl.DataFrame, labor_market: pl.DataFrame,
                   posting_demand: pl.DataFrame, industry_adjustments: pl.DataFrame, labor_forecasts: pl.DataFrame,
                   code_changes: pl.DataFrame, school_districts: pl.DataFrame):
    """The bulletin's and the matching report's figures, from the warehouse's inputs (the latest year's offerings
    under their current major codes, each school in the district it was in that year)."""
    latest = follow_current_codes(latest_offerings(school_majors), major_revisions(majors, code_changes))
    year = int(latest["year"].max()) if latest.height else None
    figures = figure_tables({
        "industries": industries, "majors": majors, "major_industry_map": major_industry_map,
        "school_majors": latest, "schools": schools_in_year(schools, school_districts, year),
        "labor_market": home_rows(labor_market),
        "posting_demand": posting_demand, "industry_adjustments": industry_adjustments,
        **({"labor_forecasts": home_rows(labor_forecasts)} if labor_forecasts.height else {})})
    for name in FIGURE_TABLES:
        yield dg.Output(figures[name], output_name=name)


@dg.multi_asset(
    outs={
        "watch_list": dg.AssetOut(**PUBLISH, kinds={"duckdb", "polars"}, description=(
            "临界专业观察名单：目录中结论确定性为「临界」的专业（分值区间跨越预警线），公报、目录与门户共用这一张表。")),
        "district_summary": dg.AssetOut(**PUBLISH, kinds={"duckdb", "polars"}, description=(
            "各区专业布点：学校数、专业点数、招生人数、需关注专业点与红黄预警专业点数。")),
        "edition_counts": dg.AssetOut(**PUBLISH, kinds={"duckdb", "polars"}, description=(
            "本版的全部计数：专业按预警等级、指导类别、主要原因、结论确定性，专业点按区、限制与等级，禁限条目按类型。")),
    },
    pool=WRITER_POOL,
    partitions_def=EDITIONS,
)
def edition_outcomes(policy: PolicyFile, guiding_catalog: pl.DataFrame, restriction_list: pl.DataFrame,
                     school_major_scores: pl.DataFrame):
    """The watch list, the districts and the counts, from the published tables themselves."""
    tables = outcome_tables({"guiding_catalog": guiding_catalog, "restriction_list": restriction_list,
                             "school_major_scores": school_major_scores})
    counts = tables["edition_counts"]
    yield dg.Output(tables["watch_list"], output_name="watch_list", metadata={
        "watch_majors": tables["watch_list"].height,
        "preview": dg.MetadataValue.md(preview_md(tables["watch_list"].select("major_code", "major_name",
                                                                            "warning_level", "risk_score")))})
    yield dg.Output(tables["district_summary"], output_name="district_summary")
    guidance = counts_of(counts, "guiding_catalog", "guidance")
    yield dg.Output(counts, output_name="edition_counts", metadata={
        "guidance": dg.MetadataValue.md(bar_chart_md(
            "指导类别", {g: guidance.get(g, 0) for g in policy.load().guidance_precedence})),
        "warning_level": dg.MetadataValue.md(bar_chart_md(
            "预警等级", {lv: counts_of(counts, "guiding_catalog", "warning_level").get(lv, 0) for lv in WARNING_ORDER},
            PALETTE)),
        "restriction": dg.MetadataValue.md(bar_chart_md("限制类型", counts_of(counts, "restriction_list", "restriction"))),
    })


@dg.asset(**TABLE, deps=[PUBLISHED_EDITIONS])  # reads the verdicts the earlier editions published
def warning_track_record(context: dg.AssetExecutionContext, warehouse: Warehouse, policy: PolicyFile,
                         school_majors: WarehouseTable, backtest_verdicts: pl.DataFrame,
                         guiding_catalog: pl.DataFrame) -> pl.DataFrame:
    """往年预警回溯：近几年列为红、黄预警的专业到最新年份有多少下降、撤销或停招、恢复，与两个简单基线（全部专业、沿用上年变化）相比。"""
    history = school_majors.read(HISTORY_COLUMNS)
    latest = int(history["year"].max()) if history.height else 0
    published = published_verdicts(warehouse.paths.published, latest)  # the flags people were really given
    table = track_record(history, past_flags(backtest_verdicts, published), guiding_catalog,
                         policy.load().evidence.min_graduates)
    flags = table.filter(pl.col("method") == "flags")
    context.add_output_metadata({
        "published_years": dg.MetadataValue.json(sorted(published["data_year"].unique().to_list())),
        "preview": dg.MetadataValue.md(preview_md(table.drop("latest_year"), rows=table.height or 1)),
        "decline_share": dg.MetadataValue.md(bar_chart_md(f"{TRACK.texts['share']}（到{latest}年）", {
            f"{r['data_year']} {TRACK.texts[r['method']]}": round(r["decline_share"] or 0, 3)
            for r in table.iter_rows(named=True)})) if table.height else "_（历史太短，无回溯）_",
        "flags_lift": dg.MetadataValue.json(dict(zip(flags["data_year"].cast(pl.String), flags["lift"], strict=True))),
    })
    return table
