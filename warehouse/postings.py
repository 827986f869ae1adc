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


OPENINGS_EMPTY = {"industry_code": pl.String, "year": pl.Int32, "month": pl.Int32, "openings": pl.Int64,
                  "postings": pl.Int64, "duplicates": pl.Int64, "proposed_openings": pl.Int64}

# De-duplicated openings per industry code and month (the demand channel of online postings, issue 29). A posting
# re-listed (on another site, or again the same year) carries the same title, description and district: postings
# of one year alike in those three count once, with the most openings any copy names; `duplicates` is the copies
# dropped. The postings carry no employer, so two employers' word-for-word postings in one district also count
# once. A copy's own industry code wins over a code the classifier proposed for another copy. Fixed SQL, no values.
POSTING_OPENINGS_SQL = """
    WITH coded AS (
        SELECT CAST(year(p.posted_on) AS INTEGER) AS year, CAST(month(p.posted_on) AS INTEGER) AS month,
               lower(trim(p.title)) AS title, coalesce(trim(p.description), '') AS description,
               coalesce(trim(p.district), '') AS district, p.industry_code AS given,
               x.proposed_industry_code AS proposed, coalesce(p.openings, 1) AS openings
        FROM job_postings p LEFT JOIN posting_industry_proposals x ON x.posting_id = p.posting_id
        WHERE p.posted_on IS NOT NULL
    ),
    once AS (
        SELECT year, min(month) AS month, coalesce(min(given), min(proposed)) AS industry_code,
               min(given) IS NULL AS proposed, max(openings) AS openings, count(*) - 1 AS duplicates
        FROM coded GROUP BY year, title, description, district
    )
    SELECT industry_code, year, month, CAST(sum(openings) AS BIGINT) AS openings, count(*) AS postings,
           CAST(sum(duplicates) AS BIGINT) AS duplicates,
           CAST(sum(CASE WHEN proposed THEN openings ELSE 0 END) AS BIGINT) AS proposed_openings
    FROM once WHERE industry_code IS NOT NULL
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
"""
