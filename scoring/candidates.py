"""Which schools are best placed to open or expand a 优先发展 / 重点建设 major.

A school qualifies when it runs at least one healthy related major (same 专业类, or same 专业大类 where the
catalog has no 专业类), its level fits the major (中职 schools for 中职 majors, 高职 schools for the others)
and its district still runs vocational education. Among those, a school ranks by
  0.5 × its related majors (over the most any school has)
+ 0.3 × its district's share of the major's posting openings (job postings by district and industry)
+ 0.2 × (1 − the district's saturation: the major's offerings in the district over the most in any district),
ties broken by school code. A school that already offers the major is told to expand, the others to open.
"""

from __future__ import annotations

import polars as pl

from scoring import actions_text as t
from scoring.receiving import healthy

WEIGHTS = {"related": 0.5, "demand": 0.3, "room": 0.2}


def _fits(level: str) -> str:
    return "中职" if level == "中职" else "高职"


def candidate_schools(codes: list[str], majors: pl.DataFrame, offerings: pl.DataFrame, schools: pl.DataFrame,
                      major_industry_map: pl.DataFrame, posting_districts: pl.DataFrame,
                      no_vocational: tuple[str, ...], limit: int) -> pl.DataFrame:
    """major_code, candidate_schools (text), candidate_codes (list of school codes), best first."""
    schema = {"major_code": pl.String, "candidate_schools": pl.String, "candidate_codes": pl.List(pl.String)}
    if not codes:
        return pl.DataFrame(schema=schema)
    group = pl.coalesce(pl.col("class_name") if "class_name" in majors.columns else pl.lit(None, pl.String),
                        pl.col("category_name"))
    groups = majors.select("major_code", "level", group=group)
    able = offerings.filter(healthy(offerings)).select("school_code", "major_code").join(groups, on="major_code")
    open_schools = schools.filter(~pl.col("district").is_in(list(no_vocational))).select(
        "school_code", "school_name", "district", school_level="level")
    targets = groups.filter(pl.col("major_code").is_in(codes)).rename({"major_code": "target",
                                                                        "level": "target_level"})
    related = (targets.join(able, on="group").filter(pl.col("major_code") != pl.col("target"))
               .group_by("target", "school_code").agg(related=pl.len()))
    offered = offerings.select(pl.col("major_code").alias("target"), "school_code", "district").unique()
    saturation = offered.group_by("target", "district").agg(n=pl.len()).with_columns(
        room=1 - pl.col("n") / pl.col("n").max().over("target"))
    demand = _district_demand(codes, major_industry_map, posting_districts)
    ranked = (related.join(open_schools, on="school_code").join(targets, on="target")
              .filter(pl.col("school_level") == pl.col("target_level").map_elements(_fits, return_dtype=pl.String))
              .join(saturation.select("target", "district", "room"), on=["target", "district"], how="left")
              .join(demand, on=["target", "district"], how="left")
              .join(offered.select("target", "school_code", offers=pl.lit(True)), on=["target", "school_code"],
                    how="left")
              .with_columns(pl.col("room").fill_null(1.0), pl.col("share").fill_null(0.0),
                            pl.col("openings").fill_null(0), pl.col("offers").fill_null(False))
              .with_columns(score=WEIGHTS["related"] * pl.col("related") / pl.col("related").max().over("target")
                            + WEIGHTS["demand"] * pl.col("share") + WEIGHTS["room"] * pl.col("room"))
              .sort(["target", "score", "school_code"], descending=[False, True, False])
              .group_by("target", maintain_order=True).head(limit))
    label = pl.struct("school_name", "district", "offers", "related", "openings").map_elements(
        t.candidate_label, return_dtype=pl.String)
    found = ranked.group_by("target", maintain_order=True).agg(names=label, candidate_codes=pl.col("school_code"))
    return (pl.DataFrame({"major_code": sorted(set(codes))})
            .join(found.rename({"target": "major_code"}), on="major_code", how="left")
            .select("major_code", candidate_schools=pl.when(pl.col("names").list.len() > 0)
                    .then(pl.format(t.CANDIDATES.replace("{names}", "{}"), pl.col("names").list.join("；")))
                    .otherwise(pl.lit(t.NO_CANDIDATES)),
                    candidate_codes=pl.col("candidate_codes").fill_null([])).cast(schema))


def _district_demand(codes: list[str], major_industry_map: pl.DataFrame, posting_districts: pl.DataFrame
                     ) -> pl.DataFrame:
    """target, district, openings, share: the major's posting openings by district."""
    schema = {"target": pl.String, "district": pl.String, "openings": pl.Int64, "share": pl.Float64}
    if posting_districts.height == 0:
        return pl.DataFrame(schema=schema)
    mapped = major_industry_map.filter(pl.col("major_code").is_in(codes)).select(
        pl.col("major_code").alias("target"), "industry_code")
    hits = (mapped.join(posting_districts.rename({"industry_code": "code"}), how="cross")
            .filter(pl.col("code").str.starts_with(pl.col("industry_code"))
                    | pl.col("industry_code").str.starts_with(pl.col("code")))
            .unique(["target", "district", "code"])
            .group_by("target", "district").agg(pl.col("openings").sum()))
    return hits.with_columns(share=pl.col("openings") / pl.col("openings").sum().over("target")).cast(schema)
