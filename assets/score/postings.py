"""Score: job postings counted by industry in DuckDB, so millions of postings never leave the warehouse."""

import dagster as dg
import polars as pl

from assets.partitions import EDITIONS
from assets.resources import Warehouse
from warehouse.db import WRITER_POOL
from warehouse.postings import EMPTY, OPENINGS_EMPTY, POSTING_DEMAND_SQL, POSTING_OPENINGS_SQL


@dg.asset(group_name="score", kinds={"duckdb"}, pool=WRITER_POOL, owners=["team:data"],
          deps=["job_postings", "posting_industry_proposals"], partitions_def=EDITIONS)
def posting_demand(context: dg.AssetExecutionContext, warehouse: Warehouse) -> pl.DataFrame:
    """招聘需求：最近一年各行业的招聘人数与条数（无行业代码的招聘按模型推断的行业计入并单列），仅作参考，不计分。"""
    frame = warehouse.query(context, POSTING_DEMAND_SQL)
    return frame if frame.height else pl.DataFrame(schema=EMPTY)


@dg.asset(group_name="score", kinds={"duckdb"}, pool=WRITER_POOL, owners=["team:data"],
          deps=["job_postings", "posting_industry_proposals"], partitions_def=EDITIONS)
def posting_openings(context: dg.AssetExecutionContext, warehouse: Warehouse) -> pl.DataFrame:
    """网络招聘需求（去重）：各年各月各行业去重后的招聘人数与条数，及去掉的重复信息条数（与公共就业服务机构的求人倍率并列，不计分）。"""
    frame = warehouse.query(context, POSTING_OPENINGS_SQL)
    frame = frame if frame.height else pl.DataFrame(schema=OPENINGS_EMPTY)
    context.add_output_metadata({"duplicates_dropped": int(frame["duplicates"].sum()),
                                 "postings_kept": int(frame["postings"].sum())})
    return frame
