"""Job postings as evidence of demand: the openings in each major's industries, latest posting year.

Scraped postings are not a labour-market statistic (one site, one search, uneven coverage), so this
is shown in the reasons as evidence and does not enter the risk score; 求人倍率 stays the measure.
A posting counts for a major when its industry code lies at or below one of the major's mapped codes
(a 小类 posting counts for a major mapped to its 大类), or when a mapped 小类 lies below the
posting's coarser code.
"""

from __future__ import annotations

import polars as pl

from scoring.exposure import mapping_weights

COLUMNS = {"major_code": pl.String, "posting_year": pl.Int32, "posting_openings": pl.Int64,
           "posting_openings_proposed": pl.Int64}


def posting_demand(majors: pl.DataFrame, major_industry_map: pl.DataFrame, by_industry: pl.DataFrame,
                   proposed: pl.DataFrame | None = None) -> pl.DataFrame:
    """major_code, posting_year, posting_openings (and how many of them had a model-proposed code)."""
    if by_industry.height == 0:
        return pl.DataFrame(schema=COLUMNS)
    mapped = mapping_weights(majors, major_industry_map, proposed).select("major_code", "industry_code").unique()
    pairs = mapped.join(by_industry.rename({"industry_code": "posting_code"}), how="cross").filter(
        pl.col("posting_code").str.starts_with(pl.col("industry_code"))
        | pl.col("industry_code").str.starts_with(pl.col("posting_code")))
    # a posting code is counted once per major even when two mapped codes both cover it
    per_major = pairs.unique(["major_code", "posting_code"]).group_by("major_code").agg(
        posting_year=pl.col("year").max().cast(pl.Int32),
        posting_openings=pl.col("openings").sum().cast(pl.Int64),
        posting_openings_proposed=pl.col("proposed_openings").sum().cast(pl.Int64))
    return per_major.sort("major_code")
