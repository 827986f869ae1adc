"""The action plan of an edition (专业调整行动清单): what each verdict asks of the school and the city.

One row per affected school offering (撤销: it exits for want of students; 撤并: its major is 停止新设;
限制招生: it is restricted where it is; 改造升级 / 合作办学: its major's guidance) and one citywide row
(no school) per 改造升级, 合作办学, 优先发展 and 重点建设 major. Columns as in the output contract; the texts are
in ``scoring/actions_text.py``, the thresholds in the policy's ``actions`` section.

Students in school are the enrolments of the cohorts within the programme length (3 years; 4 for 职业本科);
a cohort entering in year Y graduates in Y + length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from scoring import actions_text as t
from scoring.candidates import candidate_schools
from scoring.partners import partner_regions
from scoring.policy import Policy
from scoring.receiving import receiving_majors, similarity
from scoring.upgrade import industry_growth_text, rising_occupations, rising_terms

COLUMNS = {"school_code": pl.String, "school_name": pl.String, "district": pl.String, "major_code": pl.String,
           "major_name": pl.String, "action": pl.String, "students_in_school": pl.Int64,
           "last_cohort_graduates": pl.Int32, "receiving_majors": pl.String, "upgrade_toward": pl.String,
           "partner_regions": pl.String, "candidate_schools": pl.String, "shortage_kind": pl.String,
           "evidence": pl.String}
HEADERS = {"school_code": "学校代码", "school_name": "学校名称", "district": "所在区", "major_code": "专业代码",
           "major_name": "专业名称", "action": "调整措施", "students_in_school": "在校生（估算）",
           "last_cohort_graduates": "末届毕业年份", "receiving_majors": "可承接专业", "upgrade_toward": "改造升级方向",
           "partner_regions": "合作地区", "candidate_schools": "适宜开设学校", "shortage_kind": "缺口类型",
           "evidence": "依据"}
CITYWIDE = (t.UPGRADE, t.PARTNER, t.PRIORITY, t.KEY)


@dataclass(frozen=True)
class ActionInputs:
    """The published verdicts and the warehouse tables the plan reads."""

    majors: pl.DataFrame
    schools: pl.DataFrame
    major_risk_scores: pl.DataFrame
    school_major_scores: pl.DataFrame
    school_majors: pl.DataFrame  # school_code, major_code, year, enrolled, starting_salary (every year)
    major_industry_map: pl.DataFrame
    major_occupation_map: pl.DataFrame
    labor_market: pl.DataFrame
    industry_adjustments: pl.DataFrame
    industries: pl.DataFrame
    posting_terms: pl.DataFrame  # industry_code, year, term, postings, total
    posting_districts: pl.DataFrame  # district, industry_code, openings (latest year)
    occupations: pl.DataFrame | None = None


def program_years(level: str | None) -> int:
    return 4 if level == "职业本科" else 3


def offering_action(offerings: pl.DataFrame) -> pl.Expr:
    flags = pl.col("school_flags").fill_null("")
    return (pl.when(flags.str.contains("退出")).then(pl.lit(t.CLOSE))
            .when(pl.col("guidance") == "停止新设").then(pl.lit(t.MERGE))
            .when(pl.col("restriction").is_not_null() | (pl.col("guidance") == "限制")).then(pl.lit(t.LIMIT))
            .when(pl.col("guidance").is_in([t.UPGRADE, t.PARTNER])).then(pl.col("guidance"))
            .otherwise(None))


def cohorts(rows: pl.DataFrame, affected: pl.DataFrame, latest: int) -> pl.DataFrame:
    """school_code, major_code, students_in_school, last_cohort_graduates (for the winding-down actions)."""
    length = pl.col("level").map_elements(program_years, return_dtype=pl.Int32)
    keyed = affected.select("school_code", "major_code", "level", "action").with_columns(length=length)
    history = rows.join(keyed, on=["school_code", "major_code"])
    within = history.filter(pl.col("year") > latest - pl.col("length"))
    students = within.group_by("school_code", "major_code").agg(
        students_in_school=pl.col("enrolled").fill_null(0).sum().cast(pl.Int64))
    last = (history.filter(pl.col("enrolled").fill_null(0) > 0).group_by("school_code", "major_code")
            .agg(pl.col("year").max().alias("last_entry"), pl.col("length").first()))
    out = keyed.join(students, on=["school_code", "major_code"], how="left").join(
        last.drop("length"), on=["school_code", "major_code"], how="left")
    graduates = (pl.col("last_entry") + pl.col("length")).cast(pl.Int32)
    return out.select("school_code", "major_code", pl.col("students_in_school").fill_null(0),
                      last_cohort_graduates=pl.when(pl.col("action").is_in(t.WINDING_DOWN)
                                                    & (pl.col("students_in_school").fill_null(0) > 0))
                      .then(graduates).otherwise(None), years=pl.col("length"))


def shortage(inputs: ActionInputs, policy: Policy, latest: int) -> pl.DataFrame:
    """major_code, shortage_kind, shortage_text: 训练缺口 / 留任缺口 / 无缺口 / 数据不足 from 求人倍率 and pay."""
    rules = policy.actions
    pay = inputs.school_majors.filter((pl.col("year") == latest) & pl.col("starting_salary").is_not_null())
    median = pay["starting_salary"].median() if pay.height else None
    own = pay.group_by("major_code").agg(pay=pl.col("starting_salary").median())
    rows = []
    for code, ratio, value in (inputs.major_risk_scores.select("major_code", "demand_supply_ratio")
                               .join(own, on="major_code", how="left").iter_rows()):
        figures = {"ratio": f"{ratio:.2f}" if ratio is not None else "无数据", "high": f"{rules.high_demand_ratio:g}",
                   "pay": f"{value:,.0f}元" if value is not None else "无数据",
                   "median": f"{median:,.0f}元" if median is not None else "无数据",
                   "floor": f"{1 - rules.pay_lag_share:.0%}"}
        if ratio is None:
            kind = t.NO_DATA
        elif ratio < rules.high_demand_ratio:
            kind = t.NO_GAP
        elif value is None or median is None:
            kind = t.NO_DATA
        else:
            kind = t.RETENTION_GAP if value < median * (1 - rules.pay_lag_share) else t.TRAINING_GAP
        rows.append((code, kind, t.shortage_text(kind, **figures)))
    return pl.DataFrame(rows, orient="row", schema=["major_code", "shortage_kind", "shortage_text"])


def action_plan(inputs: ActionInputs, policy: Policy, as_of: date) -> pl.DataFrame:
    """The edition's action rows (COLUMNS), school rows by school and major, then the citywide rows."""
    if policy.actions is None:
        raise ValueError("评分政策缺少 actions 一节（专业调整行动清单的取值），无法生成行动清单")
    rules = policy.actions
    latest = int(inputs.school_majors["year"].max()) if inputs.school_majors.height else as_of.year
    offers = inputs.school_major_scores
    affected = (offers.with_columns(action=offering_action(offers)).filter(pl.col("action").is_not_null())
                .select("school_code", "school_name", "district", "major_code", "major_name", "level", "action"))
    city = (inputs.major_risk_scores.filter(pl.col("guidance").is_in(CITYWIDE))
            .select("major_code", action="guidance").join(inputs.majors.select("major_code", "major_name"),
                                                           on="major_code"))
    pairs = similarity(inputs.majors, inputs.major_occupation_map, inputs.major_industry_map)
    down = affected.filter(pl.col("action").is_in(t.WINDING_DOWN))
    receiving = receiving_majors(down, offers, pairs, rules.receiving_min_similarity, rules.receiving_max)
    upgrade_codes = sorted(set(affected.filter(pl.col("action") == t.UPGRADE)["major_code"])
                           | set(city.filter(pl.col("action") == t.UPGRADE)["major_code"]))
    occupations = rising_occupations(upgrade_codes, inputs.major_industry_map, inputs.major_occupation_map,
                                     inputs.labor_market, inputs.occupations, rules.rising_min_growth)
    terms = rising_terms(upgrade_codes, inputs.major_industry_map, inputs.posting_terms, rules.rising_min_growth,
                         rules.rising_min_postings)
    demand = industry_growth_text(upgrade_codes, inputs.major_industry_map, inputs.labor_market, inputs.industries,
                                  rules.rising_min_growth)
    toward = (pl.DataFrame({"major_code": upgrade_codes}, schema={"major_code": pl.String})
              .join(occupations, on="major_code", how="left").join(terms, on="major_code", how="left")
              .join(demand, on="major_code", how="left")
              .select("major_code", upgrade_toward=pl.concat_list(
                  pl.col("occupations").fill_null([]).list.eval(pl.lit("职业：") + pl.element()),
                  pl.col("terms").fill_null([]).list.eval(pl.lit("技能：") + pl.element()),
                  pl.col("industry_demand").fill_null([]).list.eval(pl.lit("行业：") + pl.element()))))
    toward = toward.with_columns(upgrade_toward=pl.when(pl.col("upgrade_toward").list.len() > 0)
                                 .then(pl.col("upgrade_toward").list.join("；")).otherwise(pl.lit(t.NO_UPGRADE_DATA)))
    partner_codes = sorted(set(affected.filter(pl.col("action") == t.PARTNER)["major_code"])
                           | set(city.filter(pl.col("action") == t.PARTNER)["major_code"]))
    partners = partner_regions(partner_codes, inputs.major_industry_map, inputs.industry_adjustments,
                               inputs.labor_market, inputs.industries, as_of)
    grow_codes = sorted(set(city.filter(pl.col("action").is_in([t.PRIORITY, t.KEY]))["major_code"]))
    candidates = candidate_schools(grow_codes, inputs.majors, offers, inputs.schools, inputs.major_industry_map,
                                   inputs.posting_districts, policy.no_vocational_districts,
                                   rules.candidate_schools_max)
    gaps = shortage(inputs, policy, latest)
    school_rows = (affected.join(cohorts(inputs.school_majors, affected, latest), on=["school_code", "major_code"],
                                 how="left")
                   .join(receiving, on=["school_code", "major_code"], how="left"))
    city_rows = city.with_columns(school_code=pl.lit(None, pl.String), school_name=pl.lit(None, pl.String),
                                  district=pl.lit(None, pl.String))
    rows = (pl.concat([school_rows, city_rows], how="diagonal_relaxed")
            .join(toward, on="major_code", how="left").join(partners, on="major_code", how="left")
            .join(candidates, on="major_code", how="left").join(gaps, on="major_code", how="left"))
    rows = rows.with_columns(
        upgrade_toward=pl.when(pl.col("action") == t.UPGRADE).then("upgrade_toward"),
        partner_regions=pl.when(pl.col("action") == t.PARTNER).then("partner_regions"),
        candidate_schools=pl.when(pl.col("action").is_in([t.PRIORITY, t.KEY])).then("candidate_schools"),
        receiving_majors=pl.when(pl.col("action").is_in(t.WINDING_DOWN))
        .then(pl.when(pl.col("receiving").list.len() > 0).then(pl.col("receiving").list.join("；"))
              .otherwise(pl.lit(t.NONE_RECEIVING))),
        shortage_kind=pl.col("shortage_kind").fill_null(t.NO_DATA),
        shortage_text=pl.col("shortage_text").fill_null(t.SHORTAGE[t.NO_DATA]))
    rows = rows.with_columns(evidence=pl.struct(pl.all()).map_elements(_evidence, return_dtype=pl.String))
    return (rows.select([pl.col(c).cast(d) for c, d in COLUMNS.items()])
            .sort(["school_code", "major_code", "action"], nulls_last=True))


def _evidence(row: dict) -> str:
    action = row["action"]  # the action's definition is said once, in the 说明 sheet and beside the rows
    parts = []
    if action in t.WINDING_DOWN:
        years = row.get("years") or 3
        students = row.get("students_in_school") or 0
        parts.append(t.IN_SCHOOL.format(students=students, years=years) if students
                     else t.NO_STUDENTS.format(years=years))
        if row.get("last_cohort_graduates"):
            parts.append(t.LAST_COHORT[action].format(year=row["last_cohort_graduates"]))
        found = row.get("receiving_majors") not in (None, t.NONE_RECEIVING)
        if action != t.LIMIT or found:
            parts.append(t.RECEIVING.format(names=row["receiving_majors"]) if found else t.NO_RECEIVING)
    elif action == t.UPGRADE:
        parts.append(t.UPGRADE_TOWARD.format(toward=row["upgrade_toward"]))
    elif action == t.PARTNER:
        parts.append(f"合作地区：{row['partner_regions']}")
    else:
        parts.append(row["candidate_schools"])
    return "；".join(p for p in parts if p) + "。" + row["shortage_text"]
