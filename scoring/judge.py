"""Risk score (风险分值) per major and its verdict: a sum of named, policy-weighted parts, then the rules.

Each part is a non-decreasing function of one risk signal (list exposure, a low or falling 求人倍率,
a low 毕业去向落实率, falling enrolment, many schools), scaled by its weight in `policy.yaml`; 高精尖
and 城市服务紧缺 exposure subtract. The score is the sum, clipped to [0, 100]. Because every part is
monotone in its own signal, more prohibited/restricted exposure never lowers the score and a better
employment rate or demand ratio never raises it.
"""

from __future__ import annotations

import polars as pl

from scoring.exposure import CATEGORIES, HITS_DTYPE, SCOPED_DTYPE, UPCOMING_DTYPE
from scoring.newness import newness, set_history_aside
from scoring.policy import Policy
from scoring.rules import evaluate

PARTS = ("part_prohibited", "part_restricted", "part_transforming", "part_relocated", "part_demand",
         "part_employment", "part_enrolment", "part_saturation", "part_high_end", "part_urban_service")
# Columns score_majors can do without: absent → null (no evidence, no points).
_OPTIONAL = {
    **{f"exposure_{c}": pl.Float64 for c in CATEGORIES}, "mapping_source": pl.String,
    "mapping_confidence": pl.Float64, "demand_supply_ratio": pl.Float64, "ratio_prev": pl.Float64,
    "ratio_trend": pl.Float64, "demand_source": pl.String, "labor_year": pl.Int32, "employment_rate": pl.Float64,
    "employment_rate_prev": pl.Float64, "employment_rate_prev2": pl.Float64, "in_field_rate": pl.Float64,
    "employment_year": pl.Int32,
    "enrolled_latest": pl.Int64, "enrolled_base": pl.Int64, "enrolment_trend": pl.Float64,
    "enrolment_base_year": pl.Int32, "schools_offering": pl.Int64, "latest_year": pl.Int32,
    # the model's forecast trend (only where its backtest beat seasonal naive); null → observed trend
    "forecast_ratio": pl.Float64, "ratio_trend_forecast": pl.Float64, "forecast_year": pl.Int32,
    "forecast_mase": pl.Float64,
    # job postings: evidence in the reasons only, never points
    "posting_year": pl.Int32, "posting_openings": pl.Int64, "posting_openings_proposed": pl.Int64,
    "first_enrolled_year": pl.Int32, "first_data_year": pl.Int32,
    # a renumbered, merged or split major's history (scoring.revisions): said in its reasons
    "code_history": pl.String,
    # 数据缺年 (scoring.gaps): the base year of 求人倍率's trend and the missing years a trend or a run crosses
    "labor_prev_year": pl.Int32, "labor_gap_years": pl.String, "enrolment_gap_years": pl.String,
    "outcome_gap_years": pl.String}
RESTRICTIONS_DTYPE = pl.List(pl.Struct({"restriction": pl.String, "scope": pl.String, "basis": pl.String,
                                        "cause": pl.String, "rule_id": pl.String}))
SCOPED_GUIDANCE_DTYPE = pl.List(pl.Struct({"scope": pl.String, "guidance": pl.String, "rule_id": pl.String,
                                           "basis": pl.String, "text": pl.String}))
VERDICT_SCHEMA = {"major_code": pl.String, "warning_level": pl.String, "guidance": pl.String,
                  "restriction": pl.String, "restriction_scope": pl.String, "restrictions": RESTRICTIONS_DTYPE,
                  "cause": pl.String, "rule_id": pl.String, "guidance_rule": pl.String, "basis": pl.String,
                  "scoped_guidance": SCOPED_GUIDANCE_DTYPE}


def _ramp(x: pl.Expr, zero_at: float, full_at: float) -> pl.Expr:
    """0 at `zero_at`, 1 at `full_at`, linear between, clipped; null input → 0 (no evidence, no points)."""
    return ((x - zero_at) / (full_at - zero_at)).clip(0.0, 1.0).fill_null(0.0)


def _scoped_max(category: str) -> pl.Expr:
    return (pl.col("scoped_restrictions").list.eval(
        pl.element().struct.field("share").filter(pl.element().struct.field("category") == category))
        .list.max().fill_null(0.0))


def score_parts(df: pl.DataFrame, p: Policy) -> pl.DataFrame:
    """Add the part_* columns and risk_score to a frame holding exposure and signal columns."""
    w, c, rel = p.weights, p.curves, p.relief
    f = c.scoped_exposure_factor

    def with_scope(cat: str) -> pl.Expr:
        city = pl.col(f"exposure_{cat}")
        return (city + f * (_scoped_max(cat) - city).clip(lower_bound=0.0)).clip(0.0, 1.0)

    emp_latest = _ramp(pl.col("employment_rate"), c.employment_no_risk, c.employment_full_risk)
    emp_prev = _ramp(pl.col("employment_rate_prev").fill_null(pl.col("employment_rate")),
                     c.employment_no_risk, c.employment_full_risk)
    share = c.employment_prev_share
    demand = ((1 - c.demand_trend_share) * _ramp(pl.col("demand_supply_ratio"), c.demand_ratio_no_risk,
                                                    c.demand_ratio_full_risk)
              + c.demand_trend_share * _ramp(pl.coalesce("ratio_trend_forecast", "ratio_trend"), 0.0,
                                                -c.demand_fall_full_risk))
    df = df.with_columns(
        part_prohibited=w.prohibited * with_scope("prohibited"),
        part_restricted=w.restricted * with_scope("restricted"),
        part_transforming=w.transforming * pl.col("exposure_transforming"),
        part_relocated=w.relocated * pl.col("exposure_relocated"),
        part_demand=w.demand * demand,
        part_employment=pl.when(pl.col("employment_rate").is_null()).then(0.0)
        .otherwise(w.employment * ((1 - share) * emp_latest + share * emp_prev)),
        part_enrolment=w.enrolment * _ramp(pl.col("enrolment_trend"), 0.0, -c.enrolment_drop_full_risk),
        part_saturation=w.saturation * _ramp(pl.col("schools_offering").cast(pl.Float64),
                                                c.saturation_start, p.rules.saturation_max_schools),
        part_high_end=-rel.high_end * pl.col("exposure_high_end"),
        part_urban_service=-rel.urban_service * pl.col("exposure_urban_service"),
    )
    # Rounded to 1e-6: polars may evaluate the same arithmetic with or without fused multiply-adds
    # depending on how a frame is chunked, which moves the last bit; the catalog must not move with it.
    df = df.with_columns(*[pl.col(part).round(6) for part in PARTS])
    return df.with_columns(risk_score=pl.sum_horizontal(*PARTS).clip(0.0, 100.0).round(6))


def prepare(majors: pl.DataFrame, exposure: pl.DataFrame, signals: pl.DataFrame) -> pl.DataFrame:
    """One row per major with every column scoring reads (absent → null or empty)."""
    base = majors.select("major_code").unique()
    df = base.join(exposure, on="major_code", how="left").join(signals, on="major_code", how="left")
    df = set_history_aside(df.join(newness(majors, signals), on="major_code", how="left"))
    for name, dtype in (("scoped_restrictions", SCOPED_DTYPE), ("scoped_lists", SCOPED_DTYPE), ("list_hits", HITS_DTYPE),
                        ("upcoming", UPCOMING_DTYPE)):
        df = df.with_columns(pl.col(name).fill_null(pl.lit([], dtype)) if name in df.columns
                             else pl.lit([], dtype).alias(name))
    for col, dtype in _OPTIONAL.items():
        if col not in df.columns:
            df = df.with_columns(pl.lit(None, dtype).alias(col))
    return df.with_columns(
        *[pl.col(f"exposure_{cat}").cast(pl.Float64).fill_null(0.0) for cat in CATEGORIES],
        pl.col("mapping_source").fill_null("none"),
        pl.col("schools_offering").fill_null(0), pl.col("enrolled_latest").fill_null(0)).sort("major_code")


def judge(df: pl.DataFrame, p: Policy, basis: bool = True) -> pl.DataFrame:
    """Score parts, risk score and the rules' verdict for prepared (and evidence-gated) rows
    (``basis=False``: the verdict without its basis text)."""
    df = score_parts(df.drop([c for c in VERDICT_SCHEMA if c != "major_code" and c in df.columns]), p)
    verdicts = pl.DataFrame([evaluate(r, p, basis) for r in df.iter_rows(named=True)], schema=VERDICT_SCHEMA)
    return pl.concat([df, verdicts.drop("major_code")], how="horizontal")
