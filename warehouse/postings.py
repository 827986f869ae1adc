"""Job postings summed in DuckDB by industry code, so millions of postings never leave the warehouse."""

from __future__ import annotations

import polars as pl

from warehouse.db import query_frame

EMPTY = {"industry_code": pl.String, "year": pl.Int32, "openings": pl.Int64, "postings": pl.Int64,
         "proposed_openings": pl.Int64}

# Openings per industry code in the latest posting year; postings without a code count under the code the
# classifier proposed for them (and are counted apart as `proposed_openings`). Fixed SQL, no values.
POSTING_DEMAND_SQL = """
    WITH latest AS (SELECT max(year(posted_on)) AS y FROM job_postings),
    coded AS (
        SELECT coalesce(p.industry_code, x.proposed_industry_code) AS industry_code, p.posted_on, p.openings,
               p.industry_code IS NULL AS proposed
        FROM job_postings p LEFT JOIN posting_industry_proposals x ON x.posting_id = p.posting_id
    )
    SELECT industry_code, CAST(year(posted_on) AS INTEGER) AS year,
           CAST(sum(coalesce(openings, 1)) AS BIGINT) AS openings, count(*) AS postings,
           CAST(sum(CASE WHEN proposed THEN coalesce(openings, 1) ELSE 0 END) AS BIGINT) AS proposed_openings
    FROM coded, latest
    WHERE year(posted_on) = latest.y AND industry_code IS NOT NULL
    GROUP BY 1, 2 ORDER BY 1
"""


def posting_demand_by_industry(con) -> pl.DataFrame:
    """The posting demand table computed on a warehouse connection (the asset runs the same SQL)."""
    frame = query_frame(con, POSTING_DEMAND_SQL)
    return frame if frame.height else pl.DataFrame(schema=EMPTY)
