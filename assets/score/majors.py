"""Score: each major's industry exposure, market signals and risk score (thin wrappers over scoring/)."""

import dagster as dg
import polars as pl

from assets.charts import PALETTE, bar_chart_md, histogram_md, value_counts
from assets.partitions import EDITIONS
from assets.resources import PolicyFile
from assets.score.offerings import by_school_groups
from scoring.edition import EditionFacts
from scoring.exposure import industry_exposure
from scoring.forecast_signal import forecast_trend
from scoring.outlook import graduation_outlook
from scoring.overrides import apply_major_overrides
from scoring.palette import WARNING_ORDER
from scoring.postings_signal import posting_demand as posting_signal
from scoring.revisions import follow_current_codes, industry_crosswalk, major_revisions, revision_notes
from scoring.risk import score_majors
from scoring.signals import SupplyTotals, market_signals, supply_totals
from warehouse.db import WRITER_POOL
from warehouse.pause_points import pause_point
from warehouse.table import WarehouseTable

SCORE = {"group_name": "score", "kinds": {"duckdb", "polars"}, "pool": WRITER_POOL, "owners": ["team:data"],
         "partitions_def": EDITIONS}


def _or_none(frame: pl.DataFrame) -> pl.DataFrame | None:
    return frame if frame.height else None


@dg.asset(**SCORE)
def major_industry_exposure(context: dg.AssetExecutionContext, majors: pl.DataFrame, industries: pl.DataFrame,
                            major_industry_map: pl.DataFrame, industry_adjustments: pl.DataFrame,
                            proposed_major_industries: pl.DataFrame, edition_facts: pl.DataFrame,
                            code_changes: pl.DataFrame) -> pl.DataFrame:
    """每个专业所对应行业在六类产业清单（禁止、限制、调整转型、高精尖、城市服务紧缺、疏解转移）中的占比（按版本基准日生效的条目；新版行业代码按代码变更沿用旧代码的清单条目）。"""
    as_of = EditionFacts.from_frame(edition_facts).as_of
    crosswalk = industry_crosswalk(code_changes)
    exposure = industry_exposure(majors, industries, major_industry_map, industry_adjustments,
                                 proposed=_or_none(proposed_major_industries), as_of=as_of, crosswalk=crosswalk)
    context.add_output_metadata({"industry_code_changes": crosswalk.height})
    context.add_output_metadata({"as_of": as_of.isoformat()})
    context.add_output_metadata({"mapping_source": dg.MetadataValue.json(
        value_counts(exposure, "mapping_source", ["map", "proposed", "none"]))})
    return exposure


@dg.asset(**SCORE)
def major_market_signals(
    context: dg.AssetExecutionContext, majors: pl.DataFrame, industries: pl.DataFrame,
    major_industry_map: pl.DataFrame, major_occupation_map: pl.DataFrame, labor_market: pl.DataFrame,
    school_majors: WarehouseTable, proposed_major_industries: pl.DataFrame, labor_forecasts: pl.DataFrame,
    forecast_quality: pl.DataFrame, posting_demand: pl.DataFrame, code_changes: pl.DataFrame,
    data_gaps: pl.DataFrame,
) -> pl.DataFrame:
    """每个专业的人才供需信号：求人倍率及趋势（含经回测验证的模型预测）、毕业去向落实率、对口率、招生趋势、开设学校数；原专业代码的历史数据随现专业代码计算。"""
    proposed = _or_none(proposed_major_industries)
    revisions = major_revisions(majors, code_changes)
    sums, years = by_school_groups(  # never the whole table in one frame
        school_majors, lambda rows, years: supply_totals(follow_current_codes(rows, revisions), years))
    signals = market_signals(majors, major_industry_map, major_occupation_map, labor_market,
                             SupplyTotals(sums, years), proposed=proposed, industries=industries, gaps=data_gaps)
    if labor_forecasts.height:
        trend = forecast_trend(majors, major_industry_map, major_occupation_map, labor_market, labor_forecasts,
                               forecast_quality, proposed, industries)
        signals = signals.join(trend, on="major_code", how="left")
    signals = signals.join(posting_signal(majors, major_industry_map, posting_demand, proposed),
                           on="major_code", how="left")
    signals = signals.join(revision_notes(revisions), on="major_code", how="left")

    def present(column: str) -> int:
        return int(signals[column].is_not_null().sum()) if column in signals.columns else 0

    context.add_output_metadata({
        "with_demand_ratio": present("demand_supply_ratio"), "with_employment_rate": present("employment_rate"),
        "with_forecast_trend": present("ratio_trend_forecast"), "with_posting_evidence": present("posting_openings"),
        "with_code_history": present("code_history"),
        "trend_over_gap": present("labor_gap_years") + present("enrolment_gap_years") + present("outcome_gap_years"),
    })
    return signals


@dg.asset(**SCORE)
def major_risk_scores(context: dg.AssetExecutionContext, policy: PolicyFile, majors: pl.DataFrame,
                      major_industry_exposure: pl.DataFrame, major_market_signals: pl.DataFrame,
                      edition_facts: pl.DataFrame, overrides: pl.DataFrame) -> pl.DataFrame:
    """每个专业的风险分值（0–100，各组成部分可解释）、预警等级、指导类别与中文依据；市教委复核调整在规则之后生效。"""
    rules = policy.load()
    scored = score_majors(majors, major_industry_exposure, major_market_signals, rules)
    scored = scored.join(graduation_outlook(scored, majors, rules), on="major_code", how="left")
    pause_point("scoring")
    scored = apply_major_overrides(scored, _or_none(overrides), EditionFacts.from_frame(edition_facts).as_of)
    guidance = value_counts(scored, "guidance", list(rules.guidance_precedence))
    context.add_output_metadata({
        "overridden": int(scored["overridden"].sum()),
        "policy_version": rules.version,
        "policy_sha256": rules.sha256,
        "score_distribution": dg.MetadataValue.md(histogram_md("风险分值分布", scored["risk_score"].to_list())),
        "guidance": dg.MetadataValue.md(bar_chart_md("指导类别", guidance)),
        "warning_level": dg.MetadataValue.md(
            bar_chart_md("预警等级", value_counts(scored, "warning_level", WARNING_ORDER), PALETTE)),
    })
    return scored
