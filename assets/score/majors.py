"""Score: each major's industry exposure, market signals and risk score (thin wrappers over scoring/)."""


import dagster as dg

from assets.charts import PALETTE, bar_chart_md, histogram_md, preview_md, value_counts
from pipelines.resources import PolicyFile
from scoring.exposure import industry_exposure
from scoring.forecast_signal import forecast_trend
from scoring.postings_signal import posting_demand
from scoring.risk import score_majors
from scoring.signals import market_signals
from warehouse.db import WRITER_POOL, Warehouse, replace_table
from warehouse.postings import posting_demand_by_industry

WARNING_ORDER = ["红", "黄", "绿"]
PROPOSED = "proposed_major_industries"


@dg.asset(
    group_name="score", kinds={"duckdb", "polars"}, pool=WRITER_POOL,
    deps=["majors", "industries", "major_industry_map", "industry_adjustments", PROPOSED],
)
def major_industry_exposure(warehouse: Warehouse) -> dg.MaterializeResult:
    """每个专业所对应行业在六类产业清单（禁止、限制、调整转型、高精尖、城市服务紧缺、疏解转移）中的占比。"""
    f = warehouse.read("majors", "industries", "major_industry_map", "industry_adjustments", PROPOSED)
    exposure = industry_exposure(
        f["majors"], f["industries"], f["major_industry_map"], f["industry_adjustments"],
        proposed=f[PROPOSED] if f[PROPOSED].height else None,
    )
    with warehouse.writer() as con:
        replace_table(con, "major_industry_exposure", exposure)
    sources = value_counts(exposure, "mapping_source", ["map", "proposed", "none"])
    return dg.MaterializeResult(metadata={
        "dagster/row_count": exposure.height,
        "mapping_source": dg.MetadataValue.json(sources),
        "preview": dg.MetadataValue.md(preview_md(exposure.drop("scoped_restrictions", strict=False))),
    })


@dg.asset(
    group_name="score", kinds={"duckdb", "polars"}, pool=WRITER_POOL,
    deps=["majors", "industries", "major_industry_map", "major_occupation_map", "labor_market",
          "school_majors", PROPOSED, "labor_forecasts", "job_postings", "posting_industry_proposals"],
)
def major_market_signals(warehouse: Warehouse) -> dg.MaterializeResult:
    """每个专业的人才供需信号：求人倍率及趋势（含经回测验证的模型预测）、毕业去向落实率、对口率、招生趋势、开设学校数。"""
    f = warehouse.read("majors", "industries", "major_industry_map", "major_occupation_map", "labor_market",
                       "school_majors", PROPOSED, "labor_forecasts", "forecast_quality")
    proposed = f[PROPOSED] if f[PROPOSED].height else None
    signals = market_signals(
        f["majors"], f["major_industry_map"], f["major_occupation_map"], f["labor_market"], f["school_majors"],
        proposed=proposed, industries=f["industries"],
    )
    if f["labor_forecasts"].height:
        trend = forecast_trend(f["majors"], f["major_industry_map"], f["major_occupation_map"], f["labor_market"],
                               f["labor_forecasts"], f["forecast_quality"], proposed, f["industries"])
        signals = signals.join(trend, on="major_code", how="left")
    with warehouse.writer() as con:
        by_industry = posting_demand_by_industry(con)
    signals = signals.join(posting_demand(f["majors"], f["major_industry_map"], by_industry, proposed),
                           on="major_code", how="left")
    with warehouse.writer() as con:
        replace_table(con, "major_market_signals", signals)
    with_forecast = int(signals["ratio_trend_forecast"].is_not_null().sum()) if "ratio_trend_forecast" in \
        signals.columns else 0
    return dg.MaterializeResult(metadata={
        "dagster/row_count": signals.height,
        "with_demand_ratio": int(signals["demand_supply_ratio"].is_not_null().sum()),
        "with_employment_rate": int(signals["employment_rate"].is_not_null().sum()),
        "with_forecast_trend": with_forecast,
        "with_posting_evidence": int(signals["posting_openings"].is_not_null().sum()),
        "preview": dg.MetadataValue.md(preview_md(signals)),
    })


@dg.asset(
    group_name="score", kinds={"duckdb", "polars"}, pool=WRITER_POOL,
    deps=[major_industry_exposure, major_market_signals],
)
def major_risk_scores(warehouse: Warehouse, policy: PolicyFile) -> dg.MaterializeResult:
    """每个专业的风险分值（0–100，各组成部分可解释）、预警等级、指导类别与中文依据。"""
    rules = policy.load()
    f = warehouse.read("majors", "major_industry_exposure", "major_market_signals")
    scored = score_majors(f["majors"], f["major_industry_exposure"], f["major_market_signals"], rules)
    with warehouse.writer() as con:
        replace_table(con, "major_risk_scores", scored)
    guidance = value_counts(scored, "guidance", list(rules.guidance_precedence))
    warnings = value_counts(scored, "warning_level", WARNING_ORDER)
    return dg.MaterializeResult(metadata={
        "dagster/row_count": scored.height,
        "policy_version": rules.version,
        "policy_sha256": rules.sha256,
        "score_distribution": dg.MetadataValue.md(histogram_md("风险分值分布", scored["risk_score"].to_list())),
        "guidance": dg.MetadataValue.md(bar_chart_md("指导类别", guidance)),
        "warning_level": dg.MetadataValue.md(bar_chart_md("预警等级", warnings, PALETTE)),
        "preview": dg.MetadataValue.md(preview_md(
            scored.sort("risk_score", descending=True).select(
                "major_code", "risk_score", "warning_level", "guidance", "reasons"), rows=10, width=80)),
    })
