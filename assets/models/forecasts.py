"""Models: next year's talent demand and supply per series, trusted only where the backtest says so.

The backtest and the forecasts are computed only when labor_market, the parameters or the forecasting
code changed; otherwise the saved result (the backtest per level and the fitted forecasts) is reused.
"""

import math

import dagster as dg
import polars as pl

from assets.charts import bar_chart_md
from assets.models.mapping import model_metadata
from assets.resources import Warehouse
from ml.workers import in_worker
from warehouse.db import WRITER_POOL
from warehouse.pause_points import pause_point

LEVELS = {"industry_code": "按行业", "occupation_code": "按职业"}
EMPTY = {"industry_code": pl.String, "occupation_code": pl.String, "region": pl.String, "period": pl.String,
         "demand_hat": pl.Float64, "supply_hat": pl.Float64, "ratio_hat": pl.Float64}
QUALITY = {"level": pl.String, "usable": pl.Boolean, "n_series": pl.Int64, "mase_model": pl.Float64,
           "mase_seasonal_naive": pl.Float64, "relative_mase": pl.Float64, "note": pl.String}


class ForecastConfig(dg.Config):
    horizon: int = 4
    seed: int = 0
    retrain: bool = False


def _mean(values) -> float | None:
    """The mean MASE over the horizons; None when any horizon has none (a backtest over a missing year)."""
    found = list(values)
    return None if not found or any(v is None or not math.isfinite(v) for v in found) else sum(found) / len(found)


def _round(value: float | None) -> float | None:
    return round(value, 3) if value is not None and math.isfinite(value) else None


def quality_and_charts(results: dict) -> tuple[list[dict], list[str]]:
    quality_rows, charts = [], []
    for key, label in LEVELS.items():
        result = results.get(key)
        if result is None:
            quality_rows.append({"level": key, "usable": False, "n_series": 0, "mase_model": None,
                                 "mase_seasonal_naive": None, "relative_mase": None, "note": "无季度数据"})
            continue
        usable = bool(result["beats_seasonal_naive"])
        mase = result["mase"]
        model_mean, snaive_mean = _mean(mase["model"].values()), _mean(mase["seasonal_naive"].values())
        quality_rows.append({"level": key, "usable": usable, "n_series": result["n_series"],
                             "mase_model": model_mean, "mase_seasonal_naive": snaive_mean,
                             "relative_mase": model_mean / snaive_mean if model_mean is not None and snaive_mean else None,
                             "note": "回测优于季节性朴素预测，用于需求趋势" if usable else "回测未优于季节性朴素预测，不用于评分"})
        charts.append(bar_chart_md(f"{label} MASE（越低越好）", {
            f"h={h} 模型": _round(mase["model"][h]) for h in mase["model"]} | {
            f"h={h} 季节性朴素": _round(mase["seasonal_naive"][h]) for h in mase["seasonal_naive"]}))
    return quality_rows, charts


@dg.multi_asset(
    outs={
        "labor_forecasts": dg.AssetOut(group_name="models", kinds={"scikitlearn", "duckdb"}, owners=["team:data"],
                                       description="人才供需预测：各行业、职业下一年的需求、求职与求人倍率；仅在回测优于季节性朴素预测时用于评分。"),
        "forecast_quality": dg.AssetOut(group_name="models", kinds={"duckdb"}, owners=["team:data"],
                                        description="预测质量：按行业、按职业的滚动回测误差，与季节性朴素预测相比是否更好、能否用于评分。"),
    },
    pool=WRITER_POOL,
)
def labor_forecasts(context: dg.AssetExecutionContext, config: ForecastConfig, warehouse: Warehouse,
                    labor_market: pl.DataFrame):
    """Backtest per level, forecast the levels that beat the seasonal naive forecast (or reuse both)."""
    from ml.registry import train_or_reuse

    def train() -> tuple[dict, dict]:  # in a worker, where scikit-learn is imported already (ml.workers)
        pause_point("models")
        return in_worker("ml.forecast:fit_forecasts", labor_market, config.horizon, config.seed)

    trained = train_or_reuse(warehouse.paths.models / "labor_forecast", "labor_forecast",
                             ("ml.forecast", "ml.forecast_data"), labor_market,
                             {"horizon": config.horizon, "origins": 4, "seed": config.seed}, config.seed,
                             train, retrain=config.retrain)
    context.log.info(f"labor_forecast: {trained.reason}")
    quality_rows, charts = quality_and_charts(trained.model["backtest"])
    forecasts = [trained.model["forecasts"][key] for key in LEVELS if key in trained.model["forecasts"]]
    quality = pl.DataFrame(quality_rows, schema=QUALITY)
    table = pl.concat(forecasts) if forecasts else pl.DataFrame(schema=EMPTY)
    yield dg.Output(table, output_name="labor_forecasts", metadata={
        "beats_seasonal_naive": dg.MetadataValue.json({r["level"]: r["usable"] for r in quality_rows}),
        "mase": dg.MetadataValue.md("\n\n".join(charts) or "_无数据_"),
        **model_metadata(trained),
    })
    yield dg.Output(quality, output_name="forecast_quality")
