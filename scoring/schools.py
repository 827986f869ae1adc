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

import polars as pl

from scoring import reasons as rs
from scoring import rulebook as rb
from scoring.exposure import CITYWIDE
from scoring.judge import PARTS, SCOPED_GUIDANCE_DTYPE
from scoring.policy import Policy
from scoring.rules import DISTRICT, ENROLMENT, LISTS, STRENGTH
from scoring.signals import data_years

OUTLOOK = ("p_red_at_graduation", "p_red_at_graduation_low", "p_red_at_graduation_high")  # the major's (scoring.outlook)

NO_FLAG = "无（未预警）"

# the score parts stay last (the portal reads them as the tail of the row)
SCHOOL_COLUMNS = (
    "school_code", "school_name", "district", "major_code", "major_name", "level", "category_name", "risk_score",
    "warning_level", "certainty", "guidance", "restriction", "cause", "reasons", "what_would_change", "latest_year",
    "enrolled", "enrolled_prev", "graduates", "employment_rate", "employment_note", "in_field_rate",
    "city_employment_rate", "city_in_field_rate", "city_avg_enrolled", "school_flags", "school_risk_score", *OUTLOOK,
    "basis", *PARTS)


def school_major_scores(schools: pl.DataFrame, majors: pl.DataFrame, school_majors: pl.DataFrame,
                        scored: pl.DataFrame, policy: Policy,
                        years: tuple[int | None, int | None] | None = None) -> pl.DataFrame:
    """One row per school offering, sorted by school_code and major_code (see module doc).

    Every figure is the school's own except the data years: ``years`` (``data_years`` of the whole table)
    lets the offerings be scored a group of schools at a time with the same rows as all at once."""
    if school_majors.height == 0:
        return pl.DataFrame(schema={c: pl.String for c in SCHOOL_COLUMNS})
    latest, emp_year = years or data_years(school_majors)
    n = int(policy.rules.exit_zero_enrolment_years)
    first = latest - n + 1  # type: ignore[operator]  # rows were given, so there is a latest year
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
          .join(scored.with_columns(pl.lit(None, pl.Float64).alias(c) for c in OUTLOOK if c not in scored.columns)
                .with_columns(*([] if "scoped_guidance" in scored.columns else
                                [pl.lit(None, SCOPED_GUIDANCE_DTYPE).alias("scoped_guidance")]))
                .select("major_code", "risk_score", "warning_level", "guidance", "reasons", "restrictions", "scoped_guidance",
                        "certainty", "cause", "what_would_change", "basis", *PARTS, *[pl.col(c).round(3) for c in OUTLOOK],
                              pl.col("employment_rate").alias("city_employment_rate"),
                              pl.col("in_field_rate").alias("city_in_field_rate"),
                              pl.when(pl.col("schools_offering") > 0)
                              .then(pl.col("enrolled_latest") / pl.col("schools_offering"))
                              .alias("city_avg_enrolled")), on="major_code", how="left")
          .with_columns(latest_year=pl.lit(latest, pl.Int32))
          .sort(key))
    joined = _with_verdicts(df, policy, n, first, latest, emp_year)
    change = pl.concat_str([pl.col("school_change"), pl.col("what_would_change")], separator=rs.SEP,
                           ignore_nulls=True)
    return (_per_distinct(joined.rename({"reasons": "_major_reasons"}), ["school_short", "_major_reasons", "_lclause"],
                          _short, "reasons")
            .with_columns(
                basis=pl.concat_str([pl.col("basis").fill_null(""), pl.col("school_reasons")], separator=rs.SEP)
                .str.strip_chars(rs.SEP),
                cause=pl.coalesce("school_cause", "cause").fill_null(NO_FLAG),
                # both parts null gives "" (not null) with ignore_nulls: an unflagged offering says 无（未预警）
                what_would_change=pl.when(change.str.len_chars() > 0).then(change).otherwise(pl.lit(NO_FLAG)),
                risk_score=pl.col("risk_score").round(1), school_risk_score=pl.col("school_risk_score").round(1))
            .with_columns(pl.col(part).round(2) for part in PARTS)
            .select(SCHOOL_COLUMNS).sort(key))


def _short(school: str | None, major: str | None, clause: str | None = None) -> str:
    """依据 of an offering: the school's own sentence (which replaces the major's advice), three at most.
    ``clause``: the major's clause naming the scoped guidance the school's own sentence already states (left out)."""
    parts = [s for s in (major or "").split("。") if s]
    if clause:  # a sentence left empty keeps its place (the first one is the city-wide verdict)
        parts = [next((s.replace(x, "", 1) for x in (f"；{clause}", f"{clause}；", clause) if x in s), s)
                 for s in parts]
    major_s = [s + "。" if s else "" for s in parts]
    if school:
        own = [s + "。" for s in school.split("。") if s]
        citywide = [("就全市该专业而言，" + major_s[0]) if major_s and major_s[0] else "", *major_s[1:-1]]
        return "".join((own + [s for s in citywide if s])[:3])
    return "".join(major_s)


def _with_verdicts(df: pl.DataFrame, p: Policy, n: int, first: int, latest: int, emp_year: int | None
                   ) -> pl.DataFrame:
    """Every offering with the school's own flags, reasons, applicable restriction and adjusted score,
    computed column-wise (a national run has a million offerings: no Python value per row)."""
    s, ev, sep = p.school, p.evidence, rs.SEP
    district, pooled = pl.col("_district"), pl.col("_pooled")
    exit_, banned, thin, rate, city = (pl.col(c) for c in ("_exit", "_banned", "_thin", "_rate",
                                                           "city_employment_rate"))
    scoped, where = pl.col("_scoped"), pl.concat_str([pl.lit("本校位于"), district, pl.lit("，适用"),
                                                      pl.col("_scope"), pl.col("_restriction")])
    compared = rate.is_not_null() & city.is_not_null()
    word = pl.when(rate < city - 0.0005).then(pl.lit("低于")).when(rate > city + 0.0005).then(pl.lit("高于"))
    years = rs.years_span(emp_year, ev.pool_years)
    exit_entry, district_entry = rb.entry("action.exit"), rb.entry("district.no_vocational")
    ruled_out = exit_entry.text("ruled_out", p, n=n, first=first, latest=latest)

    def joined(parts: list[pl.Expr], separator: str = "") -> pl.Expr:  # "" (not null) when every part is null
        return pl.concat_str(parts, separator=separator, ignore_nulls=True)

    def or_none(text: pl.Expr) -> pl.Expr:
        return pl.when(text != "").then(text)

    df = df.with_columns(_district=pl.col("district").fill_null(""),
                         _exit=((pl.col("years_enrolling") == 0) & (pl.col("years_reported") == n)).fill_null(False),
                         _pooled=pl.col("graduates").fill_null(0)
                         + (pl.col("graduates_prev").fill_null(0) if ev.pool_years > 1 else 0))
    df = df.with_columns(_banned=district.is_in(list(p.no_vocational_districts)),
                         _thin=pl.col("employment_rate").is_not_null() & (pooled < ev.min_graduates))
    df = _strongest(df.with_columns(_rate=pl.when(~thin).then(pl.col("employment_rate"))), p)
    df = _local_guidance(df, p)
    local = pl.col("_local_text")
    df = _per_distinct(_per_distinct(df, ["_rate"], _pct, "_rate_pct"), ["city_employment_rate"], _pct, "_city_pct")
    df = df.with_columns(_scoped=pl.col("_restriction").is_not_null() & (pl.col("_scope") != CITYWIDE))
    # the school takes its district's scoped guidance: said once, in its own sentence, with the list and share
    # the major's reason gave for it ("（《…目录》城市服务紧缺类占比 100%）")
    own_local = local.is_not_null() & ~scoped
    evidence = pl.col("_ltext").str.extract(r"」(（[^」]*）)$", 1).fill_null("")
    thin_note = pl.concat_str([pl.lit(f"本校{years}毕业生共 "), pooled.cast(pl.String), pl.lit(" 人")])
    gap = pl.when(compared).then(((city - rate) / s.employment_gap_full).clip(-1.0, 1.0)).otherwise(0.0)
    score = (pl.col("risk_score").fill_null(0.0) + s.employment_gap_points * gap
             + s.exit_points * exit_.cast(pl.Float64) + s.district_points * banned.cast(pl.Float64))
    return df.with_columns(
        restriction=pl.col("_restriction"),
        school_flags=joined([pl.when(exit_).then(pl.lit("退出")),
                             pl.when(banned).then(pl.concat_str([pl.lit("所在区（"), district,
                                                                 pl.lit("）不再举办职业教育")])),
                             pl.when(rate < p.rules.employment_floor)
                             .then(pl.lit(f"本校毕业去向落实率低于{rs.pct(p.rules.employment_floor)}"))], "；"),
        school_reasons=joined([
            pl.when(exit_).then(pl.lit(ruled_out)),
            pl.when(banned).then(pl.concat_str([pl.lit("学校位于"), district,
                                                pl.lit(district_entry.text("reason", p))])),
            pl.when(thin).then(thin_note + pl.lit("，样本不足，未据此与全市比较")),
            pl.when(compared).then(pl.concat_str([pl.lit(f"{emp_year}年本校毕业去向落实率 "), pl.col("_rate_pct"),
                                                  pl.lit("，"), word.otherwise(pl.lit("持平于")),
                                                  pl.lit("全市同专业 "), pl.col("_city_pct")])),
            pl.when(scoped).then(where), local], sep),
        school_risk_score=score.clip(0.0, 100.0),
        school_short=or_none(joined([pl.when(exit_).then(pl.lit(ruled_out + "。")),
                                     pl.when(banned).then(pl.concat_str([pl.lit("学校位于"), district, pl.lit(
                                         "，该区不再举办职业教育，该专业点需疏解转移或停办。")])),
                                     pl.when(scoped).then(where + pl.lit("。")),
                                     pl.when(own_local).then(local + evidence + pl.lit("。"))])),
        # the major's clause saying the same scoped guidance, left out of the school's short reason (``_short``)
        _lclause=pl.when(own_local).then(pl.col("_ltext")),
        school_cause=pl.coalesce(pl.when(exit_).then(pl.lit(ENROLMENT)), pl.when(banned).then(pl.lit(DISTRICT)),
                                 pl.when(scoped).then(pl.lit(LISTS))),
        school_change=or_none(joined([pl.when(exit_).then(pl.lit(exit_entry.text("lift", p))),
                                      pl.when(banned).then(pl.lit(district_entry.text("lift", p)))],
                                     sep)),
        employment_note=pl.when(thin).then(pl.lit("证据不足：") + thin_note)
        .when(rate.is_not_null()).then(pl.col("_rate_pct")).otherwise(pl.lit("无毕业生数据")),
    )


def _pct(rate: float | None) -> str | None:
    """rs.pct(x, 1) (Python's own rounding, as everywhere else the reasons are written)."""
    return rs.pct(rate, 1) if rate is not None else None


def _per_distinct(frame: pl.DataFrame, columns: list[str], fn, name: str) -> pl.DataFrame:
    """``frame`` with the text ``name`` = fn(*values of ``columns``), called once per distinct combination:
    Python work grows with the distinct values (a major's reasons, a rate), not with the offerings."""
    distinct = frame.select(columns).unique()
    texts = pl.Series(name, [fn(*values) for values in distinct.iter_rows()], dtype=pl.String)
    return frame.join(distinct.with_columns(texts), on=columns, how="left", nulls_equal=True, maintain_order="left")


def _local_guidance(df: pl.DataFrame, p: Policy) -> pl.DataFrame:
    """An offering in a district that a major's scoped guidance covers (``scoped_guidance``: e.g. 合作办学 where a
    疏解转移 entry applies) takes that guidance, and ``_local_text`` says so; the first listed scope that applies
    wins. Other offerings keep the major's guidance (``_local_text`` null)."""
    listed = (df.select(pl.int_range(pl.len()).alias("_row"), "_district", "scoped_guidance")
              .explode("scoped_guidance").filter(pl.col("scoped_guidance").is_not_null())
              .select("_row", "_district", _lscope=pl.col("scoped_guidance").struct.field("scope"),
                      _lguidance=pl.col("scoped_guidance").struct.field("guidance"),
                      _ltext=pl.col("scoped_guidance").struct.field("text")))
    pairs = listed.select("_lscope", "_district").unique()
    pairs = pairs.with_columns(_applies=pl.Series([district in p.districts_in(scope) for scope, district
                                                   in pairs.iter_rows()], dtype=pl.Boolean))
    entry = rb.entry("scope.district")
    best = (listed.join(pairs, on=["_lscope", "_district"], how="left").filter(pl.col("_applies"))
            .group_by("_row", maintain_order=True).first()
            .with_columns(_local_text=pl.struct("_district", "_lscope", "_lguidance").map_elements(
                lambda x: entry.text("school", p, district=x["_district"], scope=x["_lscope"],
                                     guidance=x["_lguidance"]), return_dtype=pl.String))
            .select("_row", "_lguidance", "_local_text", "_ltext"))
    return (df.with_columns(pl.int_range(pl.len()).alias("_row")).join(best, on="_row", how="left", maintain_order="left")
            .with_columns(guidance=pl.coalesce("_lguidance", "guidance")).drop("_row", "_lguidance"))


def _strongest(df: pl.DataFrame, p: Policy) -> pl.DataFrame:
    """Adds _restriction and _scope: the strongest of the major's restrictions that applies in the school's
    district (citywide, its district or a zone holding it); between equally strong ones, the first listed."""
    listed = (df.select(pl.int_range(pl.len()).alias("_row"), "_district", "restrictions")
              .with_columns(pl.col("restrictions").fill_null([]))
              .explode("restrictions").drop_nulls("restrictions")
              .with_columns(_pos=pl.int_range(pl.len()).over("_row"),
                            _restriction=pl.col("restrictions").struct.field("restriction"),
                            _scope=pl.col("restrictions").struct.field("scope")))
    pairs = listed.select("_scope", "_district").unique()
    pairs = pairs.with_columns(_applies=pl.Series([scope == CITYWIDE or district in p.districts_in(scope)
                                                   for scope, district in pairs.iter_rows()], dtype=pl.Boolean))
    best = (listed.join(pairs, on=["_scope", "_district"], how="left").filter(pl.col("_applies"))
            .with_columns(_strength=pl.col("_restriction").replace_strict(STRENGTH, return_dtype=pl.Int64))
            .sort(["_row", "_strength", "_pos"], descending=[False, True, False])
            .group_by("_row", maintain_order=True).first().select("_row", "_restriction", "_scope"))
    return (df.with_columns(pl.int_range(pl.len()).alias("_row")).join(best, on="_row", how="left", maintain_order="left")
            .sort("_row").drop("_row"))
