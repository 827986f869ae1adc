"""Models: how the warnings and P(红) at graduation fared on past years, beside two simple baselines.

The very call `majorwatch evaluate` makes (``scoring.calibration.backtest_warnings``): each past year scored by the rules
in force with only the data up to it, the flags' back-test, P(红) at graduation against carrying this year's
verdict forward and against the base rate (Brier score, reliability, precision, recall, lift). Part of the
``evaluate_models`` job (group models) and of every full run, since the bulletin's 往年预警回溯 reads the past
verdicts. Like the models, the result is kept in the home and reused while the inputs, the policy and the scoring
code are unchanged (``ml.registry.train_or_reuse``); the evaluate_models job recomputes it on purpose.
"""

import pkgutil

import dagster as dg
import polars as pl

import scoring
from assets.charts import bar_chart_md, preview_md
from assets.ingest.sources import PUBLISHED_EDITIONS
from assets.resources import PolicyFile, Warehouse
from scoring.calibration import backtest_warnings, calibration_table, reliability_table
from warehouse.db import WRITER_POOL
from warehouse.editions import published_flags

MODELS = {"group_name": "models", "kinds": {"polars", "duckdb"}, "owners": ["team:data"]}
BRIER_COLUMNS = {"method_name": "方法", "brier": "布赖尔分数（越小越好）", "precision": "精确率", "recall": "召回率",
                 "lift": "提升度"}
RELIABILITY_COLUMNS = {"method": "方法", "bin": "预测区间", "predicted": "平均预测", "observed": "实际比例", "count": "个数"}


class BacktestConfig(dg.Config):
    """retrain: compute the back-test again even when a saved result matches (the evaluate_models job)."""

    seed: int = 0
    retrain: bool = False


def _md(frame: pl.DataFrame, columns: dict[str, str]) -> str:
    """A figure table as markdown with Chinese headers, floats to four decimals."""
    shown = frame.select([pl.col(c).round(4) if frame.schema[c] == pl.Float64 else pl.col(c) for c in columns])
    return preview_md(shown.rename(columns), rows=max(shown.height, 1), width=60)


@dg.multi_asset(
    outs={
        "backtest_verdicts": dg.AssetOut(**MODELS, description=(
            "往年预警回算：每个往年数据年份、每个专业一行，按现行规则、只用当年及以前的数据评出的预警等级（往年预警回溯在"
            "没有当年已发布目录时用它）。")),
        "model_calibration": dg.AssetOut(**MODELS, description=(
            "毕业时红色预警可能性的回测：模型与两个简单基线（沿用当年结论、当年红色预警比例）的布赖尔分数、精确率、召回率与"
            "提升度，与 majorwatch evaluate 所报相同。")),
    },
    pool=WRITER_POOL,
    deps=[PUBLISHED_EDITIONS],  # the flags the earlier editions issued
)
def warning_backtest(context: dg.AssetExecutionContext, config: BacktestConfig, warehouse: Warehouse,
                     policy: PolicyFile, majors: pl.DataFrame,
                     industries: pl.DataFrame, major_industry_map: pl.DataFrame, major_occupation_map: pl.DataFrame,
                     industry_adjustments: pl.DataFrame, labor_market: pl.DataFrame, school_majors: pl.DataFrame):
    """Score the past years, back-test the flags and calibrate P(红) at graduation (the evaluate command's call)."""
    frames = {"majors": majors, "industries": industries, "major_industry_map": major_industry_map,
              "major_occupation_map": major_occupation_map,
              "industry_adjustments": industry_adjustments, "labor_market": labor_market,
              "school_majors": school_majors}
    from ml.registry import train_or_reuse

    rules = policy.load()
    published = published_flags(warehouse.paths.published)  # the flags earlier editions issued, as `evaluate --home`
    code = [m.name for m in pkgutil.walk_packages(scoring.__path__, "scoring.")]  # any scoring change recomputes
    kept = train_or_reuse(warehouse.paths.models / "warning_backtest", "warning_backtest", code,
                          {k: v for k, v in {**frames, "published_flags": published}.items() if v.width},
                          {"policy": rules.sha256, "seed": config.seed},
                          config.seed, lambda: (backtest_warnings(frames, rules, config.seed, published), {}),
                          retrain=config.retrain)
    context.log.info(f"warning_backtest: {kept.reason}")
    result = kept.model
    calibration, flags = result["graduation_calibration"], result["flags_backtest"]
    table = calibration_table(calibration)
    verdicts = result["verdicts"]
    computed = "沿用上次的回测结果（输入、评分政策和评分代码均未变）" if kept.reused else "已重新回测"
    yield dg.Output(verdicts, output_name="backtest_verdicts", metadata={
        "computed": computed, "reused": kept.reused,
        "data_years": dg.MetadataValue.json(sorted(verdicts["data_year"].unique().to_list())),
        "flags_lift": flags.get("lift"), "flags_precision": flags.get("precision"), "flags_recall": flags.get("recall"),
        "flags_verdict": flags.get("verdict") or flags.get("skipped", ""),
    })
    if calibration.get("skipped"):
        yield dg.Output(table, output_name="model_calibration", metadata={"note": calibration["skipped"],
                                                                         "computed": computed})
        return
    reliability = reliability_table(calibration).with_columns(pl.col("method").replace(
        dict(zip(table["method"], table["method_name"], strict=True))))
    yield dg.Output(table, output_name="model_calibration", metadata={
        "computed": computed, "pairs": calibration["pairs"], "origins": dg.MetadataValue.json(calibration["origins"]),
        "observed_red_rate": calibration["observed_red_rate"],
        "brier": dg.MetadataValue.json(dict(zip(table["method"], table["brier"], strict=True))),
        "model_beats_baselines": calibration["model_beats_baselines"],
        "brier_table": dg.MetadataValue.md(_md(table, BRIER_COLUMNS)),
        "reliability_table": dg.MetadataValue.md(_md(reliability, RELIABILITY_COLUMNS)),
        "brier_chart": dg.MetadataValue.md(bar_chart_md(
            "布赖尔分数（越小越好）", dict(zip(table["method_name"], table["brier"].round(4), strict=True)))),
    })
