"""Where a 改造升级 major should move: occupations and skill terms rising around its industries.

- Occupations: the major's own occupations and those of majors sharing one of its industries (大类), whose
  Beijing demand (labor_market, occupation rows) grew by at least ``actions.rising_min_growth`` from the
  previous data year to the latest (the same quarters of both years, so a part-year is not a fall).
- Skill terms: the phrases of job postings in the major's industries (``posting_terms``: postings per year,
  industry and term, counted in the warehouse) whose share of the industries' postings grew by at least
  that much, with at least ``actions.rising_min_postings`` postings in the latest year; a phrase absent the year before
  (while the industries had postings) is named as new, after the measured rises.
- Industries: the major's mapped industries whose Beijing demand rose by at least that much. A phrase used in at
  least half of all industries' postings (五险一金, 沟通能力强) is a generic phrase, not a skill.
A posting counts for a major when its industry code lies at or below a mapped code, or a mapped code lies
below it (as in ``scoring/postings_signal.py``).
"""

from __future__ import annotations

import polars as pl

from scoring.signals import BEIJING

GENERIC_SHARE = 0.5
GENERIC_MIN_INDUSTRIES = 4
TOP = 3


def home_rows(labor_market: pl.DataFrame) -> pl.DataFrame:
    """Beijing's rows of labor_market (rows without a region are Beijing's)."""
    if "region" not in labor_market.columns:
        return labor_market
    return labor_market.filter(pl.col("region").is_null() | (pl.col("region") == BEIJING))


def yearly_growth(labor_market: pl.DataFrame, key: str) -> pl.DataFrame:
    """code, demand (latest year), growth (latest vs previous year, the latest year's quarters only)."""
    schema = {"code": pl.String, "demand": pl.Int64, "growth": pl.Float64}
    frame = home_rows(labor_market).filter(pl.col(key).is_not_null()) if key in labor_market.columns else None
    if frame is None or frame.height == 0:
        return pl.DataFrame(schema=schema)
    frame = frame.select(pl.col(key).alias("code"), pl.col("period").str.slice(0, 4).cast(pl.Int32).alias("year"),
                         pl.col("period").str.slice(4).alias("part"), pl.col("demand").cast(pl.Int64))
    latest = int(frame["year"].max())
    parts = frame.filter(pl.col("year") == latest)["part"].unique().implode()
    both = frame.filter(pl.col("year").is_in([latest - 1, latest]) & pl.col("part").is_in(parts))
    wide = both.group_by("code").agg(
        demand=pl.col("demand").filter(pl.col("year") == latest).sum(),
        before=pl.col("demand").filter(pl.col("year") == latest - 1).sum())
    return wide.filter(pl.col("before") > 0).select(
        "code", "demand", growth=(pl.col("demand") / pl.col("before") - 1).round(4)).cast(schema)


def _covers(mapped: str, other: str) -> pl.Expr:
    return pl.col(other).str.starts_with(pl.col(mapped)) | pl.col(mapped).str.starts_with(pl.col(other))


def rising_occupations(codes: list[str], major_industry_map: pl.DataFrame, major_occupation_map: pl.DataFrame,
                       labor_market: pl.DataFrame, occupations: pl.DataFrame | None, min_growth: float
                       ) -> pl.DataFrame:
    """major_code, occupations (list of `名称（需求+x%）`), for the given majors."""
    growth = yearly_growth(labor_market, "occupation_code").filter(pl.col("growth") >= min_growth)
    schema = {"major_code": pl.String, "occupations": pl.List(pl.String)}
    if growth.height == 0 or major_occupation_map.height == 0:
        return pl.DataFrame(schema=schema)
    groups = major_industry_map.select("major_code", group=pl.col("industry_code").str.slice(0, 2)).unique()
    neighbours = (groups.filter(pl.col("major_code").is_in(codes))
                  .join(groups.rename({"major_code": "neighbour"}), on="group")
                  .select("major_code", "neighbour"))
    own = pl.DataFrame({"major_code": codes, "neighbour": codes})
    around = pl.concat([own, neighbours]).unique()
    names = (occupations.select(pl.col("occupation_code").alias("code"), pl.col("occupation_name").alias("name"))
             if occupations is not None and occupations.height and "occupation_name" in occupations.columns
             else pl.DataFrame(schema={"code": pl.String, "name": pl.String}))
    found = (around.join(major_occupation_map.select(pl.col("major_code").alias("neighbour"),
                                                     pl.col("occupation_code").alias("code")), on="neighbour")
             .unique(["major_code", "code"]).join(growth, on="code").join(names, on="code", how="left")
             .sort(["major_code", "growth", "code"], descending=[False, True, False])
             .group_by("major_code", maintain_order=True).head(TOP))
    text = pl.format("{}（需求{}）", pl.coalesce("name", "code"), _signed_pct("growth"))
    return found.group_by("major_code", maintain_order=True).agg(occupations=text)


def _signed_pct(column: str) -> pl.Expr:
    pct = (pl.col(column) * 100).round(0).cast(pl.Int64)
    return pl.when(pct >= 0).then(pl.format("+{}%", pct)).otherwise(pl.format("{}%", pct))


def rising_terms(codes: list[str], major_industry_map: pl.DataFrame, posting_terms: pl.DataFrame,
                 min_growth: float, min_postings: int) -> pl.DataFrame:
    """major_code, terms (list of `用语（招聘占比+x%）`): the posting phrases rising in the major's industries."""
    schema = {"major_code": pl.String, "terms": pl.List(pl.String)}
    if posting_terms.height == 0:
        return pl.DataFrame(schema=schema)
    latest = int(posting_terms["year"].max())
    recent = posting_terms.filter(pl.col("year").is_in([latest - 1, latest]))
    spread = recent.filter(pl.col("year") == latest).group_by("term").agg(pl.col("industry_code").n_unique())
    industries = recent.filter(pl.col("year") == latest)["industry_code"].n_unique()
    generic = (spread.filter(pl.col("industry_code") >= GENERIC_SHARE * industries)["term"]
               if industries >= GENERIC_MIN_INDUSTRIES else pl.Series("term", [], pl.String))
    mapped = major_industry_map.filter(pl.col("major_code").is_in(codes)).select("major_code", "industry_code")
    pairs = (mapped.join(recent.rename({"industry_code": "posting_code"}), how="cross")
             .filter(_covers("industry_code", "posting_code")).unique(["major_code", "posting_code", "year", "term"]))
    totals = (pairs.unique(["major_code", "posting_code", "year"])
              .group_by("major_code", "year").agg(pl.col("total").sum()))
    counts = pairs.group_by("major_code", "year", "term").agg(pl.col("postings").sum())
    share = counts.join(totals, on=["major_code", "year"]).with_columns(share=pl.col("postings") / pl.col("total"))
    now = share.filter(pl.col("year") == latest).select("major_code", "term", "postings", now="share")
    before = share.filter(pl.col("year") == latest - 1).select("major_code", "term", before="share")
    rising = (now.join(before, on=["major_code", "term"], how="left")
              .filter(~pl.col("term").is_in(generic.implode()) & (pl.col("postings") >= min_postings))
              .with_columns(growth=pl.when(pl.col("before").fill_null(0) > 0)
                            .then(pl.col("now") / pl.col("before") - 1).otherwise(None))
              .filter(pl.col("growth").is_null() | (pl.col("growth") >= min_growth))
              .sort(["major_code", "growth", "postings", "term"], descending=[False, True, True, False],
                    nulls_last=True)
              .group_by("major_code", maintain_order=True).head(TOP))
    text = pl.when(pl.col("growth").is_null()).then(pl.format("{}（{}年新出现，{}条招聘）", "term", pl.lit(latest),
                                                                "postings"))
    text = text.otherwise(pl.format("{}（招聘占比{}）", "term", _signed_pct("growth")))
    return rising.group_by("major_code", maintain_order=True).agg(terms=text)


def industry_growth_text(codes: list[str], major_industry_map: pl.DataFrame, labor_market: pl.DataFrame,
                         industries: pl.DataFrame, min_growth: float) -> pl.DataFrame:
    """major_code, industry_demand: `行业名称需求+x%` for the major's mapped industries whose Beijing demand rose
    by at least ``min_growth``."""
    growth = yearly_growth(labor_market, "industry_code").filter(pl.col("growth") >= min_growth)
    mapped = major_industry_map.filter(pl.col("major_code").is_in(codes)).select("major_code", "industry_code")
    names = industries.select(pl.col("industry_code").alias("code"), pl.col("industry_name").alias("name"))
    found = (mapped.join(growth, how="cross").filter(_covers("industry_code", "code"))
             .unique(["major_code", "code"]).join(names, on="code", how="left")
             .sort(["major_code", "demand", "code"], descending=[False, True, False])
             .group_by("major_code", maintain_order=True).head(2))
    text = pl.format("{}需求{}", pl.coalesce("name", "code"), _signed_pct("growth"))
    return found.group_by("major_code", maintain_order=True).agg(industry_demand=text)
