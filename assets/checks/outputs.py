"""Blocking checks on what an edition publishes: they run after each table is made and before the publish step,
so a failed one stops the run with CURRENT and every edition untouched (scoring/output_checks.py says what holds)."""

import dagster as dg
import polars as pl

from scoring import output_checks as oc

MAJOR, OFFERING = ["major_code"], ["school_code", "major_code"]


def _result(problems: list[str]) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=not problems, severity=dg.AssetCheckSeverity.ERROR,
                               metadata={"problems": "；".join(problems) or "无"})


@dg.asset_check(asset="major_risk_scores", blocking=True,
                description="每个专业一个结论；风险分值及其区间在 0–100 之内；每个红色预警都有主要原因和依据；"
                            "每个红色预警和禁限都有规则手册中的规则编号。")
def risk_scores_valid(major_risk_scores: pl.DataFrame) -> dg.AssetCheckResult:
    what = "风险评分"
    return _result([*oc.one_row_each(major_risk_scores, MAJOR, what),
                    *oc.scores_in_range(major_risk_scores, MAJOR, what),
                    *oc.reds_explained(major_risk_scores, MAJOR, what),
                    *oc.rules_named(major_risk_scores, MAJOR, what)])


@dg.asset_check(asset="guiding_catalog", blocking=True, additional_ins={"major_risk_scores": dg.AssetIn()},
                description="目录每个专业一行、分值在 0–100 之内、红色预警有原因和依据，且与风险评分的结论一致。")
def catalog_valid(guiding_catalog: pl.DataFrame, major_risk_scores: pl.DataFrame) -> dg.AssetCheckResult:
    what = "专业指导性目录"
    return _result([*oc.one_row_each(guiding_catalog, MAJOR, what), *oc.scores_in_range(guiding_catalog, MAJOR, what),
                    *oc.reds_explained(guiding_catalog, MAJOR, what),
                    *oc.catalog_agrees(guiding_catalog, major_risk_scores)])


@dg.asset_check(asset="restriction_list", blocking=True, additional_ins={"guiding_catalog": dg.AssetIn()},
                description="禁限目录每条都有限制类型、主要原因和依据，且只列目录中的专业。")
def restrictions_valid(restriction_list: pl.DataFrame, guiding_catalog: pl.DataFrame) -> dg.AssetCheckResult:
    return _result([*oc.restrictions_explained(restriction_list),
                    *oc.within_catalog(restriction_list, guiding_catalog, "禁限目录")])


@dg.asset_check(asset="school_major_scores", blocking=True, additional_ins={"guiding_catalog": dg.AssetIn()},
                description="每个专业点一个结论；分值在 0–100 之内；红色预警有原因和依据；专业都在目录中。")
def school_scores_valid(school_major_scores: pl.DataFrame, guiding_catalog: pl.DataFrame) -> dg.AssetCheckResult:
    what = "专业点评分"
    return _result([*oc.one_row_each(school_major_scores, OFFERING, what),
                    *oc.scores_in_range(school_major_scores, OFFERING, what),
                    *oc.reds_explained(school_major_scores, OFFERING, what),
                    *oc.within_catalog(school_major_scores, guiding_catalog, what)])


@dg.asset_check(asset="edition_counts", blocking=True,
                additional_ins={name: dg.AssetIn() for name in ("watch_list", "guiding_catalog", "restriction_list",
                                                                "school_major_scores")},
                description="每个发布的计数都等于对目录、禁限目录和专业点评分的重新计数；观察名单即目录中的临界专业。")
def counts_agree(edition_counts: pl.DataFrame, watch_list: pl.DataFrame, guiding_catalog: pl.DataFrame,
                 restriction_list: pl.DataFrame, school_major_scores: pl.DataFrame) -> dg.AssetCheckResult:
    return _result(oc.counts_agree(edition_counts, watch_list, guiding_catalog, restriction_list, school_major_scores))


OUTPUT_CHECKS = [risk_scores_valid, catalog_valid, restrictions_valid, school_scores_valid, counts_agree]
