"""Ingest: the whole years missing from each input's time series (数据缺年), named once for every telling."""

import dagster as dg

from assets.charts import preview_md
from assets.ingest.inputs import OWNERS
from data_contracts.spec import load_contracts
from scoring.gaps import gap_sentences, merge_years, series_years, year_gaps
from warehouse.db import WRITER_POOL
from warehouse.table import WarehouseTable

GAPS_CHECK = "gaps_named"
YEAR_COLUMNS = {"school_majors": ("year", "graduates", "employed"), "labor_market": ("year", "period"),
                "job_postings": ("posted_on",)}


def _years(name: str, table: WarehouseTable):
    """Each series' years of one input, read a batch at a time (millions of rows nationally)."""
    columns = [c for c in YEAR_COLUMNS[name] if c in table.columns]
    return merge_years(series_years(name, part) for part in table.batches(columns)) if columns else {}


@dg.asset(group_name="ingest", kinds={"duckdb", "polars"}, pool=WRITER_POOL, owners=OWNERS,
          check_specs=[dg.AssetCheckSpec(GAPS_CHECK, asset="data_gaps", description=(
              "按年报送的数据（专业点招生就业、人才供需、招聘信息）在首末年份之间是否缺少整年：缺年只警告、不阻断，"
              "并在运行摘要、公报的数据说明和所涉专业的依据中列明。"))])
def data_gaps(school_majors: WarehouseTable, labor_market: WarehouseTable, job_postings: WarehouseTable):
    """数据缺年：各项按年报送的数据在其首末年份之间缺少的整年，及缺年前后最近的有数据年份。"""
    tables = {"school_majors": school_majors, "labor_market": labor_market, "job_postings": job_postings}
    gaps = year_gaps(merge_years(_years(name, table) for name, table in tables.items()))
    named = "；".join(gap_sentences(gaps, {n: c.title for n, c in load_contracts().items()}))
    yield dg.Output(gaps, metadata={
        "gap_years": gaps.height, "gaps": named or "无",
        "preview": dg.MetadataValue.md(preview_md(gaps) if gaps.height else "_无缺年_")})
    yield dg.AssetCheckResult(check_name=GAPS_CHECK, passed=gaps.height == 0, severity=dg.AssetCheckSeverity.WARN,
                              metadata={"gaps": named or "无", "gap_years": gaps.height})
