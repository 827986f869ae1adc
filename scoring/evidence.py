"""Evidence sufficiency and intervals for the market signals (policy section `evidence`).

* A signal whose sample, pooled over the last `pool_years` years, is below its minimum (graduates
  for 毕业去向落实率, 需求人数 for 求人倍率, base-year enrolment for the enrolment trend) is
  「证据不足」: its figures are moved to `*_observed` and the scored columns set to null, so it neither
  raises nor lowers the score and no rule fires on it. `*_evidence` says ok / insufficient / none.
  A frame without the count columns (sample size unknown) is taken at face value.
* Intervals: Wilson for each year's 落实率; for 求人倍率 and trends, the log-ratio interval
  r·exp(±z·√(1/a + 1/b)) on the counts behind them. Without counts an interval is the point.
* Fujian-style bottom share: `employment_bottom_years` counts the consecutive latest years in which
  the major's rate is in the lowest `rules.employment_bottom_share` of the majors with enough evidence.
"""

from __future__ import annotations

import math

import polars as pl

from scoring.policy import Policy

OK, INSUFFICIENT, NONE = "ok", "insufficient", "none"
RATE_YEARS = ("", "_prev", "_prev2")
_DEMAND_COLS = ("demand_supply_ratio", "ratio_prev", "ratio_trend", "ratio_trend_forecast", "forecast_ratio")


def wilson(k: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score interval of a proportion k/n (n > 0)."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def _wilson_expr(k: str, n: str, rate: str, z: float) -> tuple[pl.Expr, pl.Expr]:
    nn, p = pl.col(n).cast(pl.Float64), pl.col(rate)
    centre = (p + z * z / (2 * nn)) / (1 + z * z / nn)
    half = z / (1 + z * z / nn) * (p * (1 - p) / nn + z * z / (4 * nn * nn)).sqrt()
    has = pl.col(n).is_not_null() & (pl.col(n) > 0) & p.is_not_null()
    low = pl.when(has).then((centre - half).clip(0.0, 1.0)).otherwise(p)
    high = pl.when(has).then((centre + half).clip(0.0, 1.0)).otherwise(p)
    return low, high


def _log_ratio(value: pl.Expr, counts: list[str], z: float, offset: float = 0.0) -> tuple[pl.Expr, pl.Expr]:
    """Interval of (value + offset) = a/b… as exp(±z·√Σ1/count) − offset; point when a count is missing."""
    var = pl.sum_horizontal(*[1.0 / pl.col(c).cast(pl.Float64).clip(lower_bound=1.0) for c in counts])
    ok = pl.all_horizontal(*[pl.col(c).is_not_null() for c in counts]) & value.is_not_null()
    spread = (z * var.sqrt()).exp()
    low = pl.when(ok).then((value + offset) / spread - offset).otherwise(value)
    high = pl.when(ok).then((value + offset) * spread - offset).otherwise(value)
    return low, high


def _col(df: pl.DataFrame, name: str, dtype: pl.DataType = pl.Float64) -> pl.Expr:
    return pl.col(name) if name in df.columns else pl.lit(None, dtype).alias(name)


def apply_evidence(df: pl.DataFrame, p: Policy) -> pl.DataFrame:
    """Gate the signals by their minimums and add intervals (see module doc)."""
    ev, z = p.evidence, p.evidence.interval_z
    pooled = ["", "_prev", "_prev2"][: ev.pool_years]
    counts = [f"graduates{s}" for s in RATE_YEARS] + [f"employed{s}" for s in RATE_YEARS] + [
        "demand_count", "supply_count", "demand_count_prev", "supply_count_prev"]
    df = df.with_columns(*[_col(df, c) for c in counts if c not in df.columns])
    df = df.with_columns(
        employment_pool_graduates=pl.sum_horizontal(*[pl.col(f"graduates{s}") for s in pooled]),
        employment_pool_employed=pl.sum_horizontal(*[pl.col(f"employed{s}") for s in pooled]),
        employment_pool_known=pl.col("graduates").is_not_null(),
        demand_pool=pl.sum_horizontal(*[pl.col(c) for c in ("demand_count", "demand_count_prev")[: ev.pool_years]]),
        demand_pool_known=pl.col("demand_count").is_not_null())
    emp_state = (pl.when(pl.col("employment_rate").is_null() & ~(pl.col("employment_pool_graduates").fill_null(0) > 0))
                 .then(pl.lit(NONE))
                 .when(pl.col("employment_pool_known") & (pl.col("employment_pool_graduates") < ev.min_graduates))
                 .then(pl.lit(INSUFFICIENT)).otherwise(pl.lit(OK)))
    dem_state = (pl.when(pl.col("demand_supply_ratio").is_null()).then(pl.lit(NONE))
                 .when(pl.col("demand_pool_known") & (pl.col("demand_pool") < ev.min_demand))
                 .then(pl.lit(INSUFFICIENT)).otherwise(pl.lit(OK)))
    enr_state = (pl.when(pl.col("enrolment_trend").is_null()).then(pl.lit(NONE))
                 .when(pl.col("enrolled_base").is_not_null() & (pl.col("enrolled_base") < ev.min_enrolled))
                 .then(pl.lit(INSUFFICIENT)).otherwise(pl.lit(OK)))
    df = df.with_columns(employment_evidence=emp_state, demand_evidence=dem_state, enrolment_evidence=enr_state)
    df = df.with_columns(
        employment_rate_observed=pl.col("employment_rate"), demand_supply_ratio_observed=pl.col("demand_supply_ratio"),
        enrolment_trend_observed=pl.col("enrolment_trend"))
    short = {"employment": [f"employment_rate{s}" for s in RATE_YEARS], "demand": list(_DEMAND_COLS),
             "enrolment": ["enrolment_trend"]}
    df = df.with_columns(*[pl.when(pl.col(f"{kind}_evidence") == INSUFFICIENT).then(None).otherwise(pl.col(c))
                           .alias(c) for kind, cols in short.items() for c in cols])
    bounds: list[pl.Expr] = []
    for s in RATE_YEARS:
        low, high = _wilson_expr(f"employed{s}", f"graduates{s}", f"employment_rate{s}", z)
        bounds += [low.alias(f"employment_rate{s}_low"), high.alias(f"employment_rate{s}_high")]
    r_low, r_high = _log_ratio(pl.col("demand_supply_ratio"), ["demand_count", "supply_count"], z)
    t_low, t_high = _log_ratio(pl.col("ratio_trend"), ["demand_count", "supply_count", "demand_count_prev",
                                                       "supply_count_prev"], z, offset=1.0)
    e_low, e_high = _log_ratio(pl.col("enrolment_trend"), ["enrolled_latest", "enrolled_base"], z, offset=1.0)
    df = df.with_columns(*bounds, demand_supply_ratio_low=r_low, demand_supply_ratio_high=r_high,
                         ratio_trend_low=t_low, ratio_trend_high=t_high,
                         enrolment_trend_low=e_low.clip(lower_bound=-1.0), enrolment_trend_high=e_high)
    return _bottom_years(df, p)


def _bottom_years(df: pl.DataFrame, p: Policy) -> pl.DataFrame:
    share = p.rules.employment_bottom_share
    flags = []
    for s in RATE_YEARS:
        rate = pl.col(f"employment_rate{s}")
        rank = rate.rank("max") / rate.count()
        flags.append((share > 0) & rate.is_not_null() & (rank <= share))
    # consecutive years from the latest: 1 if latest, 2 if latest and prev, ...
    consecutive = flags[0].cast(pl.Int32) * (1 + flags[1].cast(pl.Int32) * (1 + flags[2].cast(pl.Int32)))
    return df.with_columns(employment_bottom_years=consecutive.fill_null(0))


def employment_consecutive_below(r: dict, floor: float) -> int:
    """How many consecutive years, from the latest, the (sufficiently evidenced) rate is below `floor`."""
    n = 0
    for s in RATE_YEARS:
        x = r.get(f"employment_rate{s}")
        if x is None or x >= floor:
            break
        n += 1
    return n
