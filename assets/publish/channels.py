"""Publish: 求人倍率 by channel (issue 29), the public employment service's figures beside de-duplicated postings,
with each channel's coverage; the bulletin and the catalog's full basis print these tables (scoring/channels.py)."""

import dagster as dg
import polars as pl

from assets.charts import preview_md
from assets.partitions import EDITIONS
from documents.groups import industry_groups
from scoring.channels import GROUP, OCCUPATION, channel_coverage, demand_channels, major_channels
from scoring.upgrade import home_rows
from warehouse.db import WRITER_POOL

PUBLISH = {"group_name": "publish", "owners": ["team:data"], "kinds": {"duckdb", "polars"}}
CHANNEL_OUTS = {
    "demand_channels": "需求渠道对照：每个行业大类和职业一行，公共就业服务机构的需求、求职人数与求人倍率，网络招聘去重后的招聘人数，"
                       "两者较上年同期的增减及方向是否一致。",
    "channel_coverage": "需求渠道覆盖面：行业大类和职业中，公共就业服务机构和网络招聘各覆盖多少、占比多少，两个渠道变化方向相反的有多少。",
    "major_channels": "各专业对应行业大类的需求渠道：公共就业服务机构的求人倍率与网络招聘人数（专业指导性目录详细依据引用）。",
}


@dg.multi_asset(outs={name: dg.AssetOut(**PUBLISH, description=text) for name, text in CHANNEL_OUTS.items()},
                pool=WRITER_POOL, partitions_def=EDITIONS)
def channel_figures(labor_market: pl.DataFrame, posting_openings: pl.DataFrame, industries: pl.DataFrame,
                    occupations: pl.DataFrame, major_industry_map: pl.DataFrame):
    """求人倍率 by channel and each channel's coverage, from the labour market and the de-duplicated postings."""
    groups = industry_groups(industries)
    channels = demand_channels(home_rows(labor_market), posting_openings, groups, occupations)
    coverage = channel_coverage(channels)
    by = {r["level"]: r for r in coverage.iter_rows(named=True)}
    figures = {f"{key}_{part}": (round(by[level][part], 4) if part.endswith("share") else by[level][part])
               for key, level in (("industry", GROUP), ("occupation", OCCUPATION)) if level in by
               for part in ("units", "pes_units", "pes_share", "posting_units", "posting_share", "opposite_units")}
    both = channels.filter(pl.col("pes_ratio").is_not_null() & pl.col("posting_openings").is_not_null())
    yield dg.Output(channels, output_name="demand_channels", metadata={**figures, "both_channels": dg.MetadataValue.md(
        preview_md(both.select("code", "name", "pes_ratio", "pes_growth", "posting_openings", "posting_growth",
                               "direction").with_columns(pl.col(pl.Float64).round(3)), rows=10))})
    yield dg.Output(coverage, output_name="channel_coverage", metadata={
        **figures, "coverage": dg.MetadataValue.md(preview_md(coverage.with_columns(pl.col(pl.Float64).round(3))))})
    yield dg.Output(major_channels(channels, major_industry_map, groups), output_name="major_channels")
