"""Where a 合作办学 major could be run jointly: the 津冀 regions with demand for its relocated industries.

The major's relocated industries are its mapped codes covered by a 疏解转移 list entry in force (or covering
one). labor_market rows of another region (天津市, 河北省, or their cities, as the data names them) whose
industry code covers or lies below one of those industries give the region's demand and 求人倍率 in the
latest year that region has data for. Without such rows the plan says 数据不足 and names what is missing;
nothing is estimated.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from scoring.exposure import normalize_adjustments
from scoring.signals import BEIJING

NO_DATA = "数据不足"
TOP = 3


def _covers(a: str, b: str) -> pl.Expr:
    return pl.col(b).str.starts_with(pl.col(a)) | pl.col(a).str.starts_with(pl.col(b))


def relocated_industries(codes: list[str], major_industry_map: pl.DataFrame, industry_adjustments: pl.DataFrame,
                         as_of: date) -> pl.DataFrame:
    """major_code, industry_code: each given major's mapped industries that a 疏解转移 entry in force covers."""
    entries = normalize_adjustments(industry_adjustments, as_of).filter(pl.col("category") == "relocated")
    mapped = major_industry_map.filter(pl.col("major_code").is_in(codes)).select("major_code", "industry_code")
    return (mapped.join(entries.select(pl.col("industry_code").alias("listed")), how="cross")
            .filter(_covers("industry_code", "listed")).select("major_code", "industry_code").unique()
            .sort("major_code", "industry_code"))


def partner_regions(codes: list[str], major_industry_map: pl.DataFrame, industry_adjustments: pl.DataFrame,
                    labor_market: pl.DataFrame, industries: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """major_code, partner_regions (text), partner_found (bool): the regions outside Beijing with the most
    demand in the major's relocated industries, with their demand and 求人倍率."""
    schema = {"major_code": pl.String, "partner_regions": pl.String, "partner_found": pl.Boolean}
    if not codes:
        return pl.DataFrame(schema=schema)
    moved = relocated_industries(codes, major_industry_map, industry_adjustments, as_of)
    names = dict(industries.select("industry_code", "industry_name").iter_rows())
    away = (labor_market.filter(pl.col("industry_code").is_not_null() & pl.col("region").is_not_null()
                                & (pl.col("region") != BEIJING))
            if "region" in labor_market.columns and labor_market.height else labor_market.clear())
    away = away.select("region", pl.col("industry_code").alias("code"), "demand", "supply",
                       year=pl.col("period").str.slice(0, 4).cast(pl.Int32))
    away = away.filter(pl.col("year") == pl.col("year").max().over("region"))
    found = (moved.join(away, how="cross").filter(_covers("industry_code", "code"))
             .unique(["major_code", "region", "code"])
             .group_by("major_code", "region").agg(pl.col("demand").sum(), pl.col("supply").sum(),
                                                    pl.col("year").max())
             .sort(["major_code", "demand", "region"], descending=[False, True, False]))
    rows = []
    for code in sorted(set(codes)):
        own = found.filter(pl.col("major_code") == code).head(TOP)
        industries_text = "、".join(names.get(c, c) for c in moved.filter(pl.col("major_code") == code)["industry_code"])
        if own.height:
            parts = [f"{r['region']}（{r['year']}年）需求{r['demand']:,}人，求人倍率{_ratio(r)}"
                     for r in own.iter_rows(named=True)]
            rows.append((code, f"{industries_text}：" + "；".join(parts), True))
        elif industries_text:
            rows.append((code, f"{NO_DATA}：人才供需数据中没有天津市、河北省等地{industries_text}的需求", False))
        else:
            rows.append((code, f"{NO_DATA}：该专业对应行业不在现行疏解转移清单中", False))
    return pl.DataFrame(rows, orient="row", schema=schema)


def _ratio(row: dict) -> str:
    return f"{row['demand'] / row['supply']:.2f}" if row["supply"] else "无求职人数"
