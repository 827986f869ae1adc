"""Per-school view (专业点): each school's offerings with the major's score and the school's own figures.

An offering is a (school, major) with any row in the last `exit_zero_enrolment_years` years. Beside
the major's citywide verdict it carries the school's own evidence:
* 退出: no enrolment in every one of those years (each year counts only if the school reported data
  for that year at all, so a missing report is not read as zero enrolment);
* the district rule: schools in 东城区/西城区 (policy `districts.no_vocational`) are flagged;
* the school's 毕业去向落实率 against the city's for the same major.
`school_risk_score` = the major's risk_score adjusted by those figures (weights in `policy.school`).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from scoring import reasons as rs
from scoring.exposure import CITYWIDE
from scoring.policy import Policy
from scoring.risk import PARTS
from scoring.rules import STRENGTH

SCHOOL_COLUMNS = (
    "school_code", "school_name", "district", "major_code", "major_name", "level", "category_name", "risk_score",
    "warning_level", "guidance", "restriction", "reasons", "latest_year", "enrolled", "enrolled_prev", "graduates",
    "employment_rate", "in_field_rate", "city_employment_rate", "city_in_field_rate", "city_avg_enrolled",
    "school_flags", "school_risk_score", *PARTS)


def school_major_scores(schools: pl.DataFrame, majors: pl.DataFrame, school_majors: pl.DataFrame,
                        scored: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """One row per school offering, sorted by school_code and major_code (see module doc)."""
    if school_majors.height == 0:
        return pl.DataFrame(schema={c: pl.String for c in SCHOOL_COLUMNS})
    n = int(policy.rules["exit_zero_enrolment_years"])
    latest = int(school_majors["year"].max())
    first = latest - n + 1
    emp_ok = school_majors.filter((pl.col("graduates") > 0) & pl.col("employed").is_not_null())
    emp_year = emp_ok["year"].max() if emp_ok.height else None
    window = school_majors.filter(pl.col("year") >= first)
    reported = window.group_by("school_code").agg(pl.col("year").n_unique().alias("years_reported"))
    key = ["school_code", "major_code"]

    def at(year: int | None, *cols: pl.Expr) -> pl.DataFrame:
        return school_majors.filter(pl.col("year") == year).select(*key, *cols)

    df = (window.group_by(key).agg((pl.col("enrolled") > 0).sum().alias("years_enrolling"))
          .join(reported, on="school_code", how="left")
          .join(at(latest, pl.col("enrolled")), on=key, how="left")
          .join(at(latest - 1, pl.col("enrolled").alias("enrolled_prev")), on=key, how="left")
          .join(at(emp_year, "graduates",
                   pl.when(pl.col("graduates") > 0).then(pl.col("employed") / pl.col("graduates"))
                   .alias("employment_rate"),
                   pl.when(pl.col("employed") > 0).then(pl.col("employed_in_field") / pl.col("employed"))
                   .alias("in_field_rate")), on=key, how="left")
          .join(schools.select("school_code", "school_name", "district"), on="school_code", how="left")
          .join(majors.select("major_code", "major_name", "level", "category_name").unique("major_code"),
                on="major_code", how="left")
          .join(scored.select("major_code", "risk_score", "warning_level", "guidance", "reasons", "restrictions", *PARTS,
                              pl.col("employment_rate").alias("city_employment_rate"),
                              pl.col("in_field_rate").alias("city_in_field_rate"),
                              pl.when(pl.col("schools_offering") > 0)
                              .then(pl.col("enrolled_latest") / pl.col("schools_offering"))
                              .alias("city_avg_enrolled")), on="major_code", how="left")
          .with_columns(latest_year=pl.lit(latest, pl.Int32))
          .sort(key))
    extra = pl.DataFrame([_school_verdict(r, policy, n, first, latest, emp_year) for r in df.iter_rows(named=True)],
                         schema={"school_code": pl.String, "major_code": pl.String, "restriction": pl.String,
                                 "school_flags": pl.String, "school_reasons": pl.String,
                                 "school_risk_score": pl.Float64})
    return (df.join(extra, on=key, how="left")
            .with_columns(reasons=pl.concat_str(
                [pl.col("reasons").fill_null(""), pl.col("school_reasons")], separator=rs.SEP)
                .str.strip_chars(rs.SEP),
                risk_score=pl.col("risk_score").round(1), school_risk_score=pl.col("school_risk_score").round(1),
                *[pl.col(part).round(2) for part in PARTS])
            .select(SCHOOL_COLUMNS).sort(key))


def _school_verdict(r: dict[str, Any], p: Policy, n: int, first: int, latest: int,
                    emp_year: int | None) -> dict[str, Any]:
    """The school's own flags, reasons, applicable restriction and adjusted score for one offering."""
    s = p.school
    flags: list[str] = []
    notes: list[str] = []
    exit_ = r["years_enrolling"] == 0 and r["years_reported"] == n
    if exit_:
        flags.append("退出")
        notes.append(f"本校该专业连续{n}年（{first}—{latest}年）无招生，按规则予以退出")
    district = r["district"] or ""
    in_banned_district = district in p.no_vocational_districts
    if in_banned_district:
        flags.append(f"所在区（{district}）不再举办职业教育")
        notes.append(f"学校位于{district}，按规则{'、'.join(p.no_vocational_districts)}不再举办职业教育，"
                     "该专业点需疏解转移或停办")
    rate, city = r["employment_rate"], r["city_employment_rate"]
    gap = 0.0
    if rate is not None and city is not None:
        word = "低于" if rate < city - 0.0005 else "高于" if rate > city + 0.0005 else "持平于"
        notes.append(f"{emp_year}年本校毕业去向落实率 {rs.pct(rate, 1)}，{word}全市同专业 {rs.pct(city, 1)}")
        gap = max(-1.0, min(1.0, (city - rate) / s["employment_gap_full"]))
    if rate is not None and rate < p.rules["employment_floor"]:
        flags.append(f"本校毕业去向落实率低于{rs.pct(p.rules['employment_floor'])}")
    applicable = [x for x in (r["restrictions"] or [])
                  if x["scope"] == CITYWIDE or district in p.districts_in(x["scope"])]
    strongest = max(applicable, key=lambda x: STRENGTH[x["restriction"]]) if applicable else None
    if strongest and strongest["scope"] != CITYWIDE:
        notes.append(f"本校位于{district}，适用{strongest['scope']}{strongest['restriction']}")
    score = ((r["risk_score"] or 0.0) + s["employment_gap_points"] * gap + s["exit_points"] * exit_
             + s["district_points"] * in_banned_district)
    return {"school_code": r["school_code"], "major_code": r["major_code"],
            "restriction": strongest["restriction"] if strongest else None, "school_flags": "；".join(flags),
            "school_reasons": rs.SEP.join(notes), "school_risk_score": max(0.0, min(100.0, score))}
