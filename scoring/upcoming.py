"""The 即将生效 section of the catalog and the bulletin: list entries that take effect within the
look-ahead window after the edition's reference date, per major, so schools can plan.

Built from the ``upcoming`` column of :func:`scoring.exposure.industry_exposure` (never scored).
"""

from __future__ import annotations

import polars as pl

from scoring.dates import month_phrase
from scoring.exposure import CITYWIDE
from scoring.reasons import CATEGORY_CN, list_title, pct

UPCOMING_COLUMNS = ("major_code", "major_name", "effective_from", "category", "scope", "list_name", "share", "note")
UPCOMING_HEADERS = {"major_code": "专业代码", "major_name": "专业名称", "effective_from": "生效日期",
                    "category": "清单类别", "scope": "适用区域", "list_name": "清单", "share": "涉及对应行业占比",
                    "note": "说明"}


def upcoming_section(exposure: pl.DataFrame, majors: pl.DataFrame) -> pl.DataFrame:
    """One row per (major, upcoming entry), soonest first: what takes effect when, and a sentence such as
    "2030年1月起相关行业列入禁止类（《清单》，占对应行业 40%）"."""
    schema = {"major_code": pl.String, "major_name": pl.String, "effective_from": pl.Date, "category": pl.String,
              "scope": pl.String, "list_name": pl.String, "share": pl.Float64, "note": pl.String}
    if "upcoming" not in exposure.columns:
        return pl.DataFrame(schema=schema)
    rows = (exposure.select("major_code", "upcoming").explode("upcoming").drop_nulls("upcoming")
            .unnest("upcoming"))
    if rows.height == 0:
        return pl.DataFrame(schema=schema)
    names = majors.select("major_code", "major_name").unique("major_code")
    notes = [f"{month_phrase(r['effective_from'])}起相关行业{'' if r['scope'] == CITYWIDE else '在' + r['scope']}"
             f"列入{CATEGORY_CN.get(r['category'], r['category'])}（{list_title(r['list_name']) or '未具名清单'}，"
             f"占对应行业 {pct(r['share'])}）" for r in rows.iter_rows(named=True)]
    return (rows.with_columns(note=pl.Series(notes, dtype=pl.String),
                              category=pl.col("category").replace(CATEGORY_CN), share=pl.col("share").round(4))
            .join(names, on="major_code", how="left")
            .select(UPCOMING_COLUMNS).sort("effective_from", "major_code", "category", "scope", "list_name"))
