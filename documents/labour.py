"""The talent market by industry over time, the forecast beside it, and the industry lists' changes."""

from __future__ import annotations

import polars as pl

from documents.groups import roll_up, settled
from scoring.palette import CATEGORY_COLORS

CITY = "全市"


def labour_series(labor_market: pl.DataFrame, forecasts: pl.DataFrame | None,
                  groups: pl.DataFrame) -> pl.DataFrame:
    """section_code, section_name, period, demand, supply, ratio, is_forecast: per 门类 and 全市,
    quarterly where the data are quarterly; forecast rows (ratio from the forecast demand and supply)
    are marked ``is_forecast``."""
    frames = [_by_section(labor_market.filter(pl.col("industry_code").is_not_null()), groups, "demand", "supply")
              .with_columns(is_forecast=pl.lit(False))]
    if forecasts is not None and forecasts.height:
        fc = forecasts.filter(pl.col("industry_code").is_not_null())
        frames.append(_by_section(fc, groups, "demand_hat", "supply_hat")
                      .with_columns(is_forecast=pl.lit(True)))
    out = pl.concat(frames)
    return out.with_columns(ratio=pl.col("demand") / pl.col("supply")).sort("section_code", "period")


def _by_section(frame: pl.DataFrame, groups: pl.DataFrame, demand: str, supply: str) -> pl.DataFrame:
    frame = frame.select("industry_code", "period", pl.col(demand).cast(pl.Float64).alias("demand"),
                         pl.col(supply).cast(pl.Float64).alias("supply"))
    by_group = roll_up(frame, groups, ["period"], ["demand", "supply"])  # a 中类 inside a 大类 row is not added
    names = groups.filter(pl.col("industry_code") == pl.col("group_code")).select(
        "group_code", "section_code", "section_name").unique("group_code")
    sections = (settled(by_group.join(names, on="group_code", how="left"))
                .group_by("section_code", "section_name", "period").agg(pl.col("demand", "supply").sum()))
    city = settled(sections).group_by("period").agg(pl.col("demand", "supply").sum()).with_columns(
        section_code=pl.lit(CITY), section_name=pl.lit(CITY))
    return pl.concat([sections.select(city.columns), city]).select(
        "section_code", "section_name", "period", "demand", "supply")


def forecast_words(quality: pl.DataFrame | None) -> str:
    """The back-test quality of the industry forecast in plain words."""
    if quality is None or quality.height == 0:
        return "本期没有人才供需预测。"
    row = next((r for r in quality.iter_rows(named=True) if r["level"] == "industry_code"), None)
    if row is None or not row["usable"] or row.get("relative_mase") is None:
        return "用过去的数据检验，预测模型没有比“与去年同季相同”的简单推算更准，本期不作预测，图表只显示实际数据。"
    better = (1 - row["relative_mase"]) * 100
    return (f"预测按 {row['n_series']} 个行业序列建模。用过去的数据检验：模型的平均误差比“与去年同季相同”的"
            f"简单推算小约 {better:.0f}%，可作为趋势参考，但不是确定的结果；图表中虚线为预测。")


def list_changes(current: pl.DataFrame, previous: pl.DataFrame | None, industries: pl.DataFrame) -> pl.DataFrame:
    """Entries of the industry lists added, removed or re-scoped since the previous edition:
    category, category_name, industry_code, industry_name, change, scope_old, scope_new, list_name."""
    schema = {"category": pl.String, "category_name": pl.String, "industry_code": pl.String,
              "industry_name": pl.String, "change": pl.String, "scope_old": pl.String, "scope_new": pl.String,
              "list_name": pl.String}
    if previous is None:
        return pl.DataFrame(schema=schema)

    def scopes(df: pl.DataFrame) -> pl.DataFrame:
        return (df.with_columns(pl.col("scope").fill_null("全市"))
                .group_by("category", "industry_code")
                .agg(pl.col("scope").unique().sort().str.join("、"), pl.col("list_name").first()))

    now, was = scopes(current), scopes(previous).rename({"scope": "scope_old", "list_name": "list_old"})
    both = now.rename({"scope": "scope_new"}).join(was, on=["category", "industry_code"], how="full", coalesce=True)
    change = (pl.when(pl.col("scope_old").is_null()).then(pl.lit("新增"))
              .when(pl.col("scope_new").is_null()).then(pl.lit("移除"))
              .when(pl.col("scope_old") != pl.col("scope_new")).then(pl.lit("适用区域调整")))
    labels = {k: v[0] for k, v in CATEGORY_COLORS.items()}
    return (both.with_columns(change=change, list_name=pl.coalesce("list_name", "list_old"))
            .filter(pl.col("change").is_not_null())
            .join(industries.select("industry_code", "industry_name"), on="industry_code", how="left")
            .with_columns(category_name=pl.col("category").replace_strict(labels, default=pl.col("category")))
            .select(list(schema)).sort("category", "change", "industry_code"))
