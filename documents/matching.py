"""专业设置与产业发展匹配分析: how the enrolment in majors is spread over industry groups, against demand.

Definitions (stated the same way in the report's 说明):
- demand share of a group: its 需求人数 (labor_market demand, latest year) over the total of all groups;
  postings share: its job postings' openings (industry as given, else as proposed by the model) likewise;
- enrolment (graduates) share: the latest year's enrolment (graduates) of the majors mapped to the group,
  each major's figure split over its industries by the map's weights (no weight = equal shares);
- 结构偏离度 of a group = enrolment share / demand share − 1 (0 = in balance, > 0 over-supplied);
- 匹配度 of a unit (city, district, school) = 1 − ½ Σ|enrolment share − demand share| over the groups with
  labour-market data (100% = enrolment spread exactly as demand, 0% = no overlap); a district or school
  is compared with the city's demand (Beijing is one labour market);
- a major lowers the match by how much the city's 匹配度 would rise without its enrolment.
Only groups with labour-market demand enter the shares; the rest is reported as 未覆盖.
"""

from __future__ import annotations

import polars as pl

from documents.groups import roll_up, settled

GROUP_KEYS = ["group_code", "group_name", "section_name"]
CITY = "北京市"
# 行政区划代码 (GB/T 2260) of Beijing and its districts: a unit's 代码 in the matching report (a district has no
# code of its own in the inputs; a school's is its 学校代码)
DIVISION_CODES = {CITY: "110000", "东城区": "110101", "西城区": "110102", "朝阳区": "110105", "丰台区": "110106",
                  "石景山区": "110107", "海淀区": "110108", "门头沟区": "110109", "房山区": "110111", "通州区": "110112",
                  "顺义区": "110113", "昌平区": "110114", "大兴区": "110115", "怀柔区": "110116", "平谷区": "110117",
                  "密云区": "110118", "延庆区": "110119"}


def major_group_weights(major_industry_map: pl.DataFrame, groups: pl.DataFrame) -> pl.DataFrame:
    """major_code, group_code, w: each major's share in each group (weights normalised to sum 1)."""
    m = major_industry_map.select("major_code", "industry_code", "weight").with_columns(
        w=pl.col("weight").fill_null(1.0 / pl.len().over("major_code")))
    m = m.with_columns(w=pl.col("w") / pl.col("w").sum().over("major_code"))
    return settled(m.join(groups.select("industry_code", "group_code"), on="industry_code", how="inner")
                   ).group_by("major_code", "group_code").agg(pl.col("w").sum())


def latest_supply(school_majors: pl.DataFrame) -> pl.DataFrame:
    """The latest year's offerings: school_code, major_code, enrolled, graduates."""
    year = school_majors["year"].max()
    return (school_majors.filter(pl.col("year") == year)
            .group_by("school_code", "major_code")
            .agg(pl.col("enrolled").fill_null(0).sum(), pl.col("graduates").fill_null(0).sum()))


def demand_by_group(labor_market: pl.DataFrame, posting_demand: pl.DataFrame, groups: pl.DataFrame) -> pl.DataFrame:
    """group_code, demand (需求人数, latest year), postings (openings in the latest posting year, counted in
    DuckDB by the posting_demand asset: uncoded postings under the industry the classifier proposed)."""
    lm = labor_market.filter(pl.col("industry_code").is_not_null())
    lm = lm.filter(pl.col("year") == lm["year"].max()).select("industry_code", "demand")
    demand = roll_up(lm, groups, [], ["demand"])
    posts = posting_demand.select("industry_code", pl.col("openings").alias("postings"))
    postings = posts.join(groups.select("industry_code", "group_code"), on="industry_code").group_by(
        "group_code").agg(pl.col("postings").sum())
    return demand.join(postings, on="group_code", how="full", coalesce=True).with_columns(
        pl.col("demand").fill_null(0), pl.col("postings").fill_null(0))


def supply_by_group(supply: pl.DataFrame, weights: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Enrolment and graduates per ``by`` + group, majors split over their groups."""
    return (settled(supply.join(weights, on="major_code", how="inner"))
            .group_by([*by, "group_code"])
            .agg((pl.col("enrolled") * pl.col("w")).sum(), (pl.col("graduates") * pl.col("w")).sum()))


def matching_groups(demand: pl.DataFrame, supply: pl.DataFrame, weights: pl.DataFrame,
                    groups: pl.DataFrame) -> pl.DataFrame:
    """One row per industry group with demand or enrolment: figures, shares, 结构偏离度 and a status."""
    names = groups.filter(pl.col("industry_code") == pl.col("group_code")).select(GROUP_KEYS).unique("group_code")
    city = supply_by_group(supply, weights, [])
    df = demand.join(city, on="group_code", how="full", coalesce=True).join(names, on="group_code", how="left")
    df = settled(df.with_columns(pl.col("demand", "postings", "enrolled", "graduates").fill_null(0)))
    covered = pl.col("demand") > 0
    total = {c: df.filter(covered)[c].sum() or None for c in ("demand", "postings", "enrolled", "graduates")}
    shares = [pl.when(covered).then(pl.col(c) / total[c]).alias(f"{c}_share") if total[c] else
              pl.lit(None, pl.Float64).alias(f"{c}_share") for c in total]
    df = df.with_columns(shares).with_columns(
        deviation=pl.when(covered).then(pl.col("enrolled_share") / pl.col("demand_share") - 1),
        gap=pl.col("enrolled_share") - pl.col("demand_share"))
    status = (pl.when(~covered).then(pl.lit("无人才需求数据，未计入"))
              .when(pl.col("deviation") > 0.2).then(pl.lit("供给偏多"))
              .when(pl.col("deviation") < -0.2).then(pl.lit("供给不足"))
              .otherwise(pl.lit("基本匹配")))
    return df.with_columns(status=status, enrolled=pl.col("enrolled").round(0).cast(pl.Int64),
                           graduates=pl.col("graduates").round(0).cast(pl.Int64)).select(
        *GROUP_KEYS, "demand", "demand_share", "postings", "postings_share", "enrolled", "enrolled_share",
        "graduates", "graduates_share", "gap", "deviation", "status").sort("group_code")


def match_index(unit_supply: pl.DataFrame, demand_share: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """1 − ½ Σ|s − d| per unit over the covered groups; ``unit_supply`` has by + group_code + enrolled."""
    covered = unit_supply.join(demand_share, on="group_code", how="inner")
    covered = settled(covered)
    shares = covered.with_columns(s=pl.col("enrolled") / pl.col("enrolled").sum().over(by))
    # every unit × every covered group: the grid holds a unit number, not the unit's texts (50,000 schools ×
    # the groups nationally: 0.7 GB less at its peak). Units are numbered in their sorted order, so the grid's
    # rows stay where they were; it is grouped by two keys as it was by three, since polars sums a group on a
    # single sorted key another way (the last bits of some schools' 匹配度 moved, and editions are compared
    # byte for byte).
    units = settled(shares.select(by).unique()).with_row_index("_unit")
    numbered = shares.join(units, on=by, how="left", nulls_equal=True).select("_unit", "group_code", "s")
    grid = units.select("_unit", _key=pl.lit(0)).join(demand_share, how="cross").join(
        numbered, on=["_unit", "group_code"], how="left")
    out = units.join(settled(grid).group_by("_unit", "_key").agg(
        match=1 - 0.5 * (pl.col("s").fill_null(0) - pl.col("demand_share")).abs().sum()), on="_unit"
    ).drop("_unit", "_key")
    total = settled(unit_supply).group_by(by).agg(pl.col("enrolled").sum().alias("enrolled_mapped"))
    inside = settled(covered).group_by(by).agg(pl.col("enrolled").sum().alias("enrolled_covered"))
    return (out.join(total, on=by, how="left", nulls_equal=True).join(inside, on=by, how="left", nulls_equal=True)
            .with_columns(covered_share=pl.col("enrolled_covered") / pl.col("enrolled_mapped")))


def matching_scores(supply: pl.DataFrame, weights: pl.DataFrame, groups_table: pl.DataFrame,
                    schools: pl.DataFrame) -> pl.DataFrame:
    """匹配度 for the city, each district and each school: unit_type, unit_code, unit_name, district, …"""
    d = groups_table.filter(pl.col("demand_share").is_not_null()).select("group_code", "demand_share")
    s = supply.join(schools.select("school_code", "school_name", "district"), on="school_code", how="left")
    s = s.with_columns(pl.col("district").fill_null("未知区"), pl.col("school_name").fill_null(pl.col("school_code")))
    units = {"全市": (pl.lit(DIVISION_CODES[CITY]), pl.lit(CITY), pl.lit(None, pl.String)),
             "区": (pl.col("district").replace_strict(DIVISION_CODES, default=None, return_dtype=pl.String),
                   pl.col("district"), pl.col("district")),
             "学校": (pl.col("school_code"), pl.col("school_name"), pl.col("district"))}
    by = ["unit_code", "unit_name", "district"]
    parts = []
    for unit_type, (code, name, district) in units.items():
        u = s.with_columns(code.alias("unit_code"), name.alias("unit_name"), district.alias("_d")).drop(
            "district").rename({"_d": "district"})
        parts.append(match_index(supply_by_group(u, weights, by), d, by).with_columns(unit_type=pl.lit(unit_type)))
    order = pl.col("unit_type").replace_strict({"全市": 0, "区": 1, "学校": 2}, return_dtype=pl.Int8)
    return (pl.concat(parts).sort(order, "match", "unit_code")
            .select("unit_type", *by, pl.col("enrolled_mapped").round(0).cast(pl.Int64), "covered_share", "match"))


def majors_lowering_match(supply: pl.DataFrame, weights: pl.DataFrame, groups_table: pl.DataFrame,
                          majors: pl.DataFrame) -> pl.DataFrame:
    """Each major with enrolment: how much the city's 匹配度 rises without it (``lift``), largest first."""
    d = groups_table.filter(pl.col("demand_share").is_not_null()).select("group_code", "demand_share")
    per_major = supply_by_group(supply, weights, ["major_code"]).join(d, on="group_code", how="inner")
    per_major = settled(per_major)
    city = settled(per_major.group_by("group_code").agg(pl.col("enrolled").sum().alias("city_e")))
    total = city["city_e"].sum()
    base = 1 - 0.5 * settled(d.join(city, on="group_code", how="left")).select(
        (pl.col("city_e").fill_null(0) / total - pl.col("demand_share")).abs().sum()).item()
    m_total = per_major.group_by("major_code").agg(pl.col("enrolled").sum().alias("m_e"))
    grid = (m_total.filter(pl.col("m_e") > 0).join(d, how="cross")
            .join(city, on="group_code", how="left")
            .join(per_major.select("major_code", "group_code", pl.col("enrolled").alias("e")),
                  on=["major_code", "group_code"], how="left")
            .with_columns(pl.col("city_e", "e").fill_null(0)))
    without = settled(grid).group_by("major_code", "m_e").agg(
        match_without=1 - 0.5 * ((pl.col("city_e") - pl.col("e")) / (total - pl.col("m_e"))
                                 - pl.col("demand_share")).abs().sum())
    # rounded before sorting, to 12 decimals (not significant digits: a lift is the difference of two values
    # near 1, so the last bits of their sums are a large part of a small lift), so the figures and their order
    # do not depend on the order rows arrive in
    return (without.with_columns(lift=(pl.col("match_without") - base).round(12), match=pl.lit(base))
            .join(majors.select("major_code", "major_name", *(["level"] if "level" in majors.columns else []))
                  .unique("major_code"), on="major_code", how="left")
            .with_columns(pl.col("m_e").round(0).cast(pl.Int64)).rename({"m_e": "enrolled"})
            .select("major_code", "major_name", *(["level"] if "level" in majors.columns else []), "enrolled", "match",
                    "match_without", "lift")
            .sort(["lift", "major_code"], descending=[True, False]))
