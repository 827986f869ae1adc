"""Backbone candidates (骨干专业推荐名单): the school offerings best fitted to be the plan's ~100 backbone majors.

Section 7 of the plan asks for about 100 backbone majors "紧贴产业转型发展、校企深度融合、社会认可度高". Each
healthy offering (green, no restriction, not exiting, its district still running vocational education) with enough graduates (``backbone.min_graduates`` in its
latest year) gets six parts, each its own column, weighted by the policy's ``backbone`` section (total 100):
- industry_fit: the major's share of 高精尖 plus 城市服务紧缺 industries (capped at 1);
- employment, in_field: the school's own 毕业去向落实率 and 对口率 in the latest year;
- demand: the major's 求人倍率;
- enrolment_stability: 1 − the coefficient of variation of the school's enrolment over the last three years;
- pay: the school's starting salary for the major in the latest year.
Every figure but industry_fit is turned into its percentile rank among the eligible offerings (0–1, ties
share the mean rank) before weighting; a missing figure scores 0 for its part and is named in the evidence.
The ``count`` best totals are listed; offerings tied with the last one are all listed. Equal totals share a
rank (1, 2, 2, 4) and the evidence says with whom they tie; rows are ordered by rank then codes.
"""

from __future__ import annotations

import polars as pl

from scoring.policy import BACKBONE_PARTS, Policy
from scoring.receiving import healthy

PART_NAMES = {"industry_fit": "产业契合", "employment": "毕业去向落实率", "in_field": "对口就业率", "demand": "求人倍率",
              "enrolment_stability": "招生稳定", "pay": "起薪"}
HEADERS = {"rank": "排名", "school_code": "学校代码", "school_name": "学校名称", "district": "所在区",
           "major_code": "专业代码", "major_name": "专业名称", "guidance": "指导类别",
           **{f"part_{k}": f"{v}得分" for k, v in PART_NAMES.items()}, "total": "总分", "evidence": "依据"}
STABLE_YEARS = 3


def offering_figures(school_majors: pl.DataFrame, latest: int) -> pl.DataFrame:
    """school_code, major_code, graduates, employment, in_field, pay (latest year), stability (last 3 years)."""
    now = school_majors.filter(pl.col("year") == latest).select(
        "school_code", "major_code", "graduates", pay=pl.col("starting_salary").cast(pl.Float64),
        employment=pl.when(pl.col("graduates") > 0).then(pl.col("employed") / pl.col("graduates")),
        in_field=pl.when(pl.col("employed") > 0).then(pl.col("employed_in_field") / pl.col("employed")))
    recent = school_majors.filter(pl.col("year") > latest - STABLE_YEARS).group_by("school_code", "major_code").agg(
        mean=pl.col("enrolled").cast(pl.Float64).mean(), std=pl.col("enrolled").cast(pl.Float64).std(ddof=0),
        years=pl.col("enrolled").is_not_null().sum())
    stability = recent.select("school_code", "major_code", stability=pl.when(
        (pl.col("years") == STABLE_YEARS) & (pl.col("mean") > 0)).then(1 - pl.col("std") / pl.col("mean")))
    return now.join(stability, on=["school_code", "major_code"], how="left")


def _pct(column: str) -> pl.Expr:
    """Percentile rank in 0–1 among the non-missing values (average rank for ties; one value → 1)."""
    n = pl.col(column).count()
    rank = pl.col(column).rank("average")
    return pl.when(n > 1).then((rank - 1) / (n - 1)).otherwise(pl.when(pl.col(column).is_not_null()).then(1.0))


def backbone_candidates(school_major_scores: pl.DataFrame, major_risk_scores: pl.DataFrame,
                        school_majors: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """The ranked list (columns in HEADERS order)."""
    weights = policy.backbone
    if weights is None:
        raise ValueError("评分政策缺少 backbone 一节（骨干专业推荐的权重），无法生成推荐名单")
    latest = int(school_majors["year"].max())
    majors = major_risk_scores.select(
        "major_code", "demand_supply_ratio",
        fit=(pl.col("exposure_high_end").fill_null(0) + pl.col("exposure_urban_service").fill_null(0)).clip(0, 1))
    pool = (school_major_scores.filter(healthy(school_major_scores))
            .select("school_code", "school_name", "district", "major_code", "major_name", "guidance")
            .join(offering_figures(school_majors, latest), on=["school_code", "major_code"], how="left")
            .join(majors, on="major_code", how="left")
            .filter(pl.col("graduates").fill_null(0) >= weights.min_graduates))
    raw = {"industry_fit": "fit", "employment": "employment", "in_field": "in_field",
           "demand": "demand_supply_ratio", "enrolment_stability": "stability", "pay": "pay"}
    scaled = pool.with_columns(
        [(pl.col(raw[p]) if p == "industry_fit" else _pct(raw[p])).fill_null(0.0).mul(getattr(weights, p))
         .round(2).alias(f"part_{p}") for p in BACKBONE_PARTS])
    scaled = scaled.with_columns(total=pl.sum_horizontal([f"part_{p}" for p in BACKBONE_PARTS]).round(2))
    scaled = scaled.with_columns(rank=pl.col("total").rank("min", descending=True).cast(pl.Int64))
    listed = scaled.filter(pl.col("rank") <= weights.count).sort(["rank", "school_code", "major_code"])
    ties = listed.group_by("total").agg(tied=pl.concat_str("school_name", "major_name", separator="·"))
    listed = listed.join(ties, on="total", how="left")
    listed = listed.with_columns(evidence=pl.struct(pl.all()).map_elements(
        lambda row: _evidence(row, raw), return_dtype=pl.String))
    return listed.select(list(HEADERS))


def _evidence(row: dict, raw: dict[str, str]) -> str:
    figures = [f"产业契合（高精尖与城市服务紧缺行业占比）{row['fit']:.0%}",
               _figure("本校毕业去向落实率", row["employment"], "{:.1%}"), _figure("对口就业率", row["in_field"], "{:.1%}"),
               _figure("求人倍率", row["demand_supply_ratio"], "{:.2f}"),
               _figure("近三年招生稳定度", row["stability"], "{:.2f}"), _figure("起薪", row["pay"], "{:,.0f}元")]
    text = "；".join(figures) + f"。总分{row['total']:g}，第{row['rank']}名"
    others = [n for n in row["tied"] if n != f"{row['school_name']}·{row['major_name']}"]
    if others:
        text += f"，与{'、'.join(others[:3])}{'等' if len(others) > 3 else ''}同分并列（各项得分见本行）"
    return text + "。"


def _figure(name: str, value: float | None, fmt: str) -> str:
    return f"{name}{fmt.format(value)}" if value is not None else f"{name}无数据（该项计0分）"
