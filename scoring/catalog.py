"""The published frames: 专业指导性目录 (guiding_catalog), 禁限目录 (restriction_list), per-school scores.

Column order and Chinese headers follow the output contract; rows are sorted so the same inputs
always give the same files.
"""

from __future__ import annotations

import polars as pl

from scoring.exposure import CATEGORIES, CITYWIDE
from scoring.reasons import PART_CN
from scoring.rules import STRENGTH
from scoring.schools import SCHOOL_COLUMNS, school_major_scores
from scoring.whatif import COMPARISON_HEADERS

__all__ = ["CATALOG_COLUMNS", "CHINESE_HEADERS", "RESTRICTION_COLUMNS", "SCHOOL_COLUMNS", "guiding_catalog",
           "restriction_list", "school_major_scores"]

CATALOG_COLUMNS = ("major_code", "major_name", "level", "category_name", "guidance", "warning_level",
                   "certainty", "cause", "risk_score", "risk_score_low", "risk_score_high",
                   *[f"exposure_{c}" for c in CATEGORIES], "schools_offering", "demand_supply_ratio", "demand_note",
                   "employment_rate", "employment_note", "new_major", "p_red_at_graduation", "p_red_at_graduation_low",
                   "p_red_at_graduation_high", "p_restriction_at_graduation", "reasons", "what_would_change",
                   "watch_note", "basis")
OUTLOOK = ("p_red_at_graduation", "p_red_at_graduation_low", "p_red_at_graduation_high",
           "p_restriction_at_graduation")  # scoring.outlook; null where a caller scored without it
RESTRICTION_COLUMNS = ("major_code", "major_name", "level", "restriction", "scope", "cause", "reasons")
NO_FLAG = "无（未预警）"

_NAMES = {
    "major_code": "专业代码", "major_name": "专业名称", "level": "层次", "category_name": "专业大类",
    "guidance": "指导类别", "warning_level": "预警等级", "risk_score": "风险分值", "reasons": "依据",
    "exposure_prohibited": "禁止占比", "exposure_restricted": "限制占比", "exposure_transforming": "调整转型占比",
    "exposure_high_end": "高精尖占比", "exposure_urban_service": "城市服务紧缺占比",
    "exposure_relocated": "疏解转移占比", "demand_supply_ratio": "求人倍率", "employment_rate": "毕业去向落实率",
    "restriction": "限制类型", "scope": "适用区域", "certainty": "结论确定性", "cause": "主要原因",
    "risk_score_low": "风险分值下限", "risk_score_high": "风险分值上限", "schools_offering": "开设学校数",
    "demand_note": "求人倍率说明", "employment_note": "毕业去向落实率说明", "what_would_change": "如何改变结论",
    "watch_note": "临界说明", "basis": "详细依据", "new_major": "新设专业", "p_red_at_graduation": "毕业时红色预警可能性",
    "p_red_at_graduation_low": "毕业时红色预警可能性下限", "p_red_at_graduation_high": "毕业时红色预警可能性上限",
    "p_restriction_at_graduation": "毕业时列入禁限可能性",
}
_SCHOOL_NAMES = {
    **_NAMES, "school_code": "学校代码", "school_name": "学校名称", "district": "所在区", "latest_year": "年份",
    "enrolled": "招生人数", "enrolled_prev": "上年招生人数", "graduates": "毕业生人数",
    "employment_rate": "本校毕业去向落实率", "in_field_rate": "本校对口就业率",
    "city_employment_rate": "全市同专业毕业去向落实率", "city_in_field_rate": "全市同专业对口就业率",
    "city_avg_enrolled": "全市同专业校均招生人数", "school_flags": "专业点提示", "school_risk_score": "专业点风险分值",
    **{part: f"风险分项：{label}" for part, label in PART_CN.items()},
}
# output table → column → Chinese header, in column order (the writers use these for CSV/XLSX headers)
CHINESE_HEADERS: dict[str, dict[str, str]] = {
    "guiding_catalog": {c: _NAMES[c] for c in CATALOG_COLUMNS},
    "restriction_list": {c: _NAMES[c] for c in RESTRICTION_COLUMNS},
    "school_major_scores": {c: _SCHOOL_NAMES[c] for c in SCHOOL_COLUMNS},
    "policy_comparisons": COMPARISON_HEADERS,
}


def guiding_catalog(majors: pl.DataFrame, scored: pl.DataFrame) -> pl.DataFrame:
    """专业指导性目录: one row per major of the catalog (concern or not), sorted by major_code."""
    scored = scored.with_columns(pl.lit(None, pl.Float64).alias(c) for c in OUTLOOK if c not in scored.columns)
    if "new_major" not in scored.columns:  # scored before 新设专业 were told apart
        scored = scored.with_columns(new_major=pl.lit(None, pl.String))
    cols = [c for c in CATALOG_COLUMNS if c in scored.columns and c != "major_code"]
    df = (majors.select("major_code", "major_name", "level", "category_name").unique("major_code")
          .join(scored.select("major_code", *cols), on="major_code", how="left"))
    return df.select(
        *[pl.col(c) for c in CATALOG_COLUMNS[:6]], pl.col("certainty"), pl.col("cause").fill_null(NO_FLAG),
        *[pl.col(c).round(1) for c in ("risk_score", "risk_score_low", "risk_score_high")],
        *[pl.col(f"exposure_{c}").round(4) for c in CATEGORIES], pl.col("schools_offering"),
        pl.col("demand_supply_ratio").round(3), "demand_note", pl.col("employment_rate").round(4),
        "employment_note", pl.col("new_major").fill_null("否"), *[pl.col(c).round(3) for c in OUTLOOK], "reasons",
        pl.col("what_would_change").fill_null(NO_FLAG),
        pl.col("watch_note").fill_null("—"), "basis",
    ).sort("major_code")


def restriction_list(scored: pl.DataFrame, majors: pl.DataFrame) -> pl.DataFrame:
    """禁限目录: one row per (major, restriction, scope); citywide rows first, then districts and zones."""
    rows = (scored.select("major_code", "restrictions").explode("restrictions").drop_nulls("restrictions")
            .unnest("restrictions"))
    if rows.height == 0:
        return pl.DataFrame(schema={c: pl.String for c in RESTRICTION_COLUMNS})
    return (rows.join(majors.select("major_code", "major_name", "level").unique("major_code"),
                      on="major_code", how="left")
            .with_columns(_order=(pl.col("scope") != CITYWIDE).cast(pl.Int8),
                          _strength=-pl.col("restriction").replace_strict(STRENGTH, return_dtype=pl.Int8))
            .sort("major_code", "_order", "scope", "_strength")
            .select("major_code", "major_name", "level", "restriction", "scope", "cause",
                    pl.col("basis").alias("reasons")))
