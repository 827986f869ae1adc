"""Models: next year's talent demand and supply per series, trusted only where the backtest says so."""

import dagster as dg
import polars as pl

from assets.charts import bar_chart_md
from ml.forecast import backtest_by_level, forecast
from warehouse.db import WRITER_POOL

LEVELS = {"industry_code": "按行业", "occupation_code": "按职业"}


class ForecastConfig(dg.Config):
    horizon: int = 4
    seed: int = 0


@dg.multi_asset(
    outs={
        "labor_forecasts": dg.AssetOut(group_name="models", kinds={"scikitlearn", "duckdb"}, owners=["team:data"],
                                       description="人才供需预测：各行业、职业下一年的需求、求职与求人倍率；仅在回测优于季节性朴素预测时用于评分。"),
        "forecast_quality": dg.AssetOut(group_name="models", kinds={"duckdb"}, owners=["team:data"],
                                        description="预测质量：按行业、按职业的滚动回测误差，与季节性朴素预测相比是否更好、能否用于评分。"),
    },
    pool=WRITER_POOL,
)
def labor_forecasts(context: dg.AssetExecutionContext, config: ForecastConfig, labor_market: pl.DataFrame):
    """Backtest per level, forecast the levels that beat the seasonal naive forecast."""
    labor = labor_market
    horizons = tuple(range(1, config.horizon + 1))
    results = backtest_by_level(labor, horizons=horizons, origins=4, seed=config.seed)
    quality_rows, forecasts, charts = [], [], []
    for key, label in LEVELS.items():
        result = results[key]
        if result is None:
            quality_rows.append({"level": key, "usable": False, "n_series": 0, "mase_model": None,
                                 "mase_seasonal_naive": None, "relative_mase": None, "note": "无季度数据"})
            continue
        usable = bool(result["beats_seasonal_naive"])
        mase = result["mase"]
        model_mean = sum(mase["model"].values()) / len(mase["model"])
        snaive_mean = sum(mase["seasonal_naive"].values()) / len(mase["seasonal_naive"])
        quality_rows.append({"level": key, "usable": usable, "n_series": result["n_series"],
                             "mase_model": model_mean, "mase_seasonal_naive": snaive_mean,
                             "relative_mase": model_mean / snaive_mean if snaive_mean else None,
                             "note": "回测优于季节性朴素预测，用于需求趋势" if usable else "回测未优于季节性朴素预测，不用于评分"})
        charts.append(bar_chart_md(f"{label} MASE（越低越好）", {
            f"h={h} 模型": round(mase["model"][h], 3) for h in mase["model"]} | {
            f"h={h} 季节性朴素": round(mase["seasonal_naive"][h], 3) for h in mase["seasonal_naive"]}))
        if usable:
            part = labor.filter(pl.col("quarter").is_not_null() & pl.col(key).is_not_null())
            forecasts.append(forecast(part, h=config.horizon, seed=config.seed))
    quality = pl.DataFrame(quality_rows, schema={"level": pl.String, "usable": pl.Boolean, "n_series": pl.Int64,
                                                 "mase_model": pl.Float64, "mase_seasonal_naive": pl.Float64,
                                                 "relative_mase": pl.Float64, "note": pl.String})
    table = pl.concat(forecasts) if forecasts else pl.DataFrame(schema={
        "industry_code": pl.String, "occupation_code": pl.String, "region": pl.String, "period": pl.String,
        "demand_hat": pl.Float64, "supply_hat": pl.Float64, "ratio_hat": pl.Float64})
    yield dg.Output(table, output_name="labor_forecasts", metadata={
        "beats_seasonal_naive": dg.MetadataValue.json({r["level"]: r["usable"] for r in quality_rows}),
        "mase": dg.MetadataValue.md("\n\n".join(charts) or "_无数据_"),
    })
    yield dg.Output(quality, output_name="forecast_quality")
