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
from scoring.rules import DISTRICT, ENROLMENT, LISTS, STRENGTH

NO_FLAG = "无（未预警）"

# the score parts stay last (the portal reads them as the tail of the row)
SCHOOL_COLUMNS = (
    "school_code", "school_name", "district", "major_code", "major_name", "level", "category_name", "risk_score",
    "warning_level", "certainty", "guidance", "restriction", "cause", "reasons", "what_would_change", "latest_year",
    "enrolled", "enrolled_prev", "graduates", "employment_rate", "employment_note", "in_field_rate",
    "city_employment_rate", "city_in_field_rate", "city_avg_enrolled", "school_flags", "school_risk_score", "basis",
    *PARTS)


def school_major_scores(schools: pl.DataFrame, majors: pl.DataFrame, school_majors: pl.DataFrame,
                        scored: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """One row per school offering, sorted by school_code and major_code (see module doc)."""
    if school_majors.height == 0:
        return pl.DataFrame(schema={c: pl.String for c in SCHOOL_COLUMNS})
    n = int(policy.rules.exit_zero_enrolment_years)
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
          .join(at(emp_year - 1 if emp_year else None, pl.col("graduates").alias("graduates_prev")), on=key, how="left")
          .join(at(emp_year, "graduates",
                   pl.when(pl.col("graduates") > 0).then(pl.col("employed") / pl.col("graduates"))
                   .alias("employment_rate"),
                   pl.when(pl.col("employed") > 0).then(pl.col("employed_in_field") / pl.col("employed"))
                   .alias("in_field_rate")), on=key, how="left")
          .join(schools.select("school_code", "school_name", "district"), on="school_code", how="left")
          .join(majors.select("major_code", "major_name", "level", "category_name").unique("major_code"),
                on="major_code", how="left")
          .join(scored.select("major_code", "risk_score", "warning_level", "guidance", "reasons", "restrictions",
                              "certainty", "cause", "what_would_change", "basis", *PARTS,
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
                                 "school_risk_score": pl.Float64, "school_short": pl.String,
                                 "school_cause": pl.String, "school_change": pl.String,
                                 "employment_note": pl.String})
    joined = df.join(extra, on=key, how="left")
    change = pl.concat_str([pl.col("school_change"), pl.col("what_would_change")], separator=rs.SEP,
                           ignore_nulls=True)
    return (joined
            .with_columns(
                reasons=pl.Series([_short(a, b) for a, b in zip(joined["school_short"], joined["reasons"], strict=True)],
                                  dtype=pl.String),
                basis=pl.concat_str([pl.col("basis").fill_null(""), pl.col("school_reasons")], separator=rs.SEP)
                .str.strip_chars(rs.SEP),
                cause=pl.coalesce("school_cause", "cause").fill_null(NO_FLAG),
                # both parts null gives "" (not null) with ignore_nulls: an unflagged offering says 无（未预警）
                what_would_change=pl.when(change.str.len_chars() > 0).then(change).otherwise(pl.lit(NO_FLAG)),
                risk_score=pl.col("risk_score").round(1), school_risk_score=pl.col("school_risk_score").round(1))
            .with_columns(pl.col(part).round(2) for part in PARTS)
            .select(SCHOOL_COLUMNS).sort(key))


def _short(school: str | None, major: str | None) -> str:
    """依据 of an offering: the school's own sentence (which replaces the major's advice), three at most."""
    major_s = [s + "。" for s in (major or "").split("。") if s]
    if school:
        own = [s + "。" for s in school.split("。") if s]
        citywide = [("就全市该专业而言，" + major_s[0]) if major_s else "", *major_s[1:-1]]
        return "".join((own + [s for s in citywide if s])[:3])
    return "".join(major_s)


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
    pooled = (r["graduates"] or 0) + (r["graduates_prev"] or 0 if p.evidence.pool_years > 1 else 0)
    thin = rate is not None and pooled < p.evidence.min_graduates
    if thin:
        years = rs.years_span(emp_year, p.evidence.pool_years)
        notes.append(f"本校{years}毕业生共 {pooled} 人，样本不足，未据此与全市比较")
        employment_note = f"证据不足：本校{years}毕业生共 {pooled} 人"
        rate = None
    else:
        employment_note = rs.pct(rate, 1) if rate is not None else "无毕业生数据"
    if rate is not None and city is not None:
        word = "低于" if rate < city - 0.0005 else "高于" if rate > city + 0.0005 else "持平于"
        notes.append(f"{emp_year}年本校毕业去向落实率 {rs.pct(rate, 1)}，{word}全市同专业 {rs.pct(city, 1)}")
        gap = max(-1.0, min(1.0, (city - rate) / s.employment_gap_full))
    if rate is not None and rate < p.rules.employment_floor:
        flags.append(f"本校毕业去向落实率低于{rs.pct(p.rules.employment_floor)}")
    applicable = [x for x in (r["restrictions"] or [])
                  if x["scope"] == CITYWIDE or district in p.districts_in(x["scope"])]
    strongest = max(applicable, key=lambda x: STRENGTH[x["restriction"]]) if applicable else None
    short: list[str] = []
    cause, change = None, []
    if exit_:
        short.append(f"本校该专业连续{n}年（{first}—{latest}年）无招生，按规则予以退出。")
        cause = ENROLMENT
        change.append("恢复招生可解除退出提示")
    if in_banned_district:
        short.append(f"学校位于{district}，该区不再举办职业教育，该专业点需疏解转移或停办。")
        cause = cause or DISTRICT
        change.append("所在区不再举办职业教育，须疏解转移或停办（指标变化不能解除）")
    if strongest and strongest["scope"] != CITYWIDE:
        notes.append(f"本校位于{district}，适用{strongest['scope']}{strongest['restriction']}")
        short.append(f"本校位于{district}，适用{strongest['scope']}{strongest['restriction']}。")
        cause = cause or LISTS
    score = ((r["risk_score"] or 0.0) + s.employment_gap_points * gap + s.exit_points * exit_
             + s.district_points * in_banned_district)
    return {"school_code": r["school_code"], "major_code": r["major_code"],
            "restriction": strongest["restriction"] if strongest else None, "school_flags": "；".join(flags),
            "school_reasons": rs.SEP.join(notes), "school_risk_score": max(0.0, min(100.0, score)),
            "school_short": "".join(short) or None, "school_cause": cause, "school_change": rs.SEP.join(change) or None,
            "employment_note": employment_note}
