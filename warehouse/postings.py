"""Job postings summed in DuckDB by industry code, so millions of postings never leave the warehouse."""

from __future__ import annotations

import duckdb
import polars as pl

from warehouse.db import query_frame, table_exists

EMPTY = {"industry_code": pl.String, "year": pl.Int32, "openings": pl.Int64, "postings": pl.Int64,
         "proposed_openings": pl.Int64}


def posting_demand_by_industry(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Openings per industry code in the latest posting year; postings without a code count under the
    code the classifier proposed for them (and are counted apart as `proposed_openings`)."""
    if not table_exists(con, "job_postings"):
        return pl.DataFrame(schema=EMPTY)
    proposals = table_exists(con, "posting_industry_proposals")
    code = "coalesce(p.industry_code, x.proposed_industry_code)" if proposals else "p.industry_code"
    join = "LEFT JOIN posting_industry_proposals x USING (posting_id)" if proposals else ""
    sql = f"""
        WITH latest AS (SELECT max(year(posted_on)) AS y FROM job_postings)
        SELECT {code} AS industry_code, CAST(year(p.posted_on) AS INTEGER) AS year,
               CAST(sum(coalesce(p.openings, 1)) AS BIGINT) AS openings, count(*) AS postings,
               CAST(sum(CASE WHEN p.industry_code IS NULL THEN coalesce(p.openings, 1) ELSE 0 END) AS BIGINT)
                   AS proposed_openings
        FROM job_postings p {join}, latest
        WHERE year(p.posted_on) = latest.y AND {code} IS NOT NULL
        GROUP BY 1, 2 ORDER BY 1
    """  # noqa: S608 - fixed SQL, no values
    frame = query_frame(con, sql)
    return frame if frame.height else pl.DataFrame(schema=EMPTY)
