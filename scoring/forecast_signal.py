"""The forecast as a trend signal: next year's 求人倍率 per major from the model's forecast series.

Used only for the levels (industry / occupation series) whose rolling-origin backtest beat the
seasonal-naive forecast (the `labor_forecasts` asset keeps only those). The forecast never decides a
rule on its own: it replaces the observed year-on-year trend in the demand part of the score, and the
reasons say 「模型预测」 with the backtest's MASE.
"""

from __future__ import annotations

import polars as pl

from scoring.signals import market_signals

FORECAST_COLUMNS = {"forecast_ratio": pl.Float64, "ratio_trend_forecast": pl.Float64, "forecast_year": pl.Int32,
                    "forecast_mase": pl.Float64}


def forecast_trend(majors: pl.DataFrame, major_industry_map: pl.DataFrame, major_occupation_map: pl.DataFrame,
                   labor_market: pl.DataFrame, forecasts: pl.DataFrame, quality: pl.DataFrame,
                   proposed: pl.DataFrame | None = None, industries: pl.DataFrame | None = None) -> pl.DataFrame:
    """major_code, forecast_ratio, ratio_trend_forecast (forecast year vs the latest observed year)."""
    empty = pl.DataFrame(schema={"major_code": pl.String, **FORECAST_COLUMNS})
    quarterly = labor_market.filter(pl.col("quarter").is_not_null()) if labor_market.height else labor_market
    if forecasts.height == 0 or quarterly.height == 0:
        return empty
    latest = int(quarterly["year"].max())
    future = (forecasts.with_columns(year=pl.col("period").str.slice(0, 4).cast(pl.Int32),
                                     quarter=pl.col("period").str.slice(6, 1).cast(pl.Int32))
              .filter(pl.col("year") == latest + 1))
    if future.height == 0:
        return empty
    keys = ("industry_code", "occupation_code", "region")
    complete = future.group_by(keys).len().filter(pl.col("len") == 4).drop("len")  # a whole forecast year
    future = future.join(complete, on=list(keys), how="semi", nulls_equal=True)
    observed = quarterly.filter(pl.col("year") == latest).join(
        future.select(keys).unique(), on=list(keys), how="semi", nulls_equal=True)
    combined = pl.concat([
        observed.select("period", "year", "quarter", *keys, "demand", "supply"),
        future.select("period", "year", "quarter", *keys,
                      pl.col("demand_hat").round(0).cast(pl.Int64).alias("demand"),
                      pl.col("supply_hat").round(0).cast(pl.Int64).alias("supply")),
    ], how="vertical_relaxed")
    signals = market_signals(majors, major_industry_map, major_occupation_map, combined,
                             pl.DataFrame(schema={"school_code": pl.String, "major_code": pl.String,
                                                  "year": pl.Int32, "enrolled": pl.Int64, "graduates": pl.Int64,
                                                  "employed": pl.Int64, "employed_in_field": pl.Int64}),
                             proposed=proposed, industries=industries)
    mase = quality.filter(pl.col("usable"))["mase_model"].mean() if quality.height else None
    return (signals.filter(pl.col("labor_year") == latest + 1)
            .select("major_code", pl.col("demand_supply_ratio").alias("forecast_ratio"),
                    pl.col("ratio_trend").alias("ratio_trend_forecast"),
                    pl.col("labor_year").cast(pl.Int32).alias("forecast_year"),
                    pl.lit(mase, pl.Float64).alias("forecast_mase")))
