"""Industry groups: every industry code rolled up to its 大类 (the group the reports compare) and 门类."""

from __future__ import annotations

import polars as pl

GROUP_LEVEL = "大类"
SECTION_LEVEL = "门类"


def industry_groups(industries: pl.DataFrame) -> pl.DataFrame:
    """industry_code → group_code/group_name (its 大类, or itself when it is a 门类) and
    section_code/section_name (its 门类), by walking ``parent_code`` (at most four levels in GB/T 4754)."""
    base = industries.select("industry_code", "industry_name", "parent_code", "industry_level")
    names = base.select("industry_code", "industry_name")
    level = dict(base.select("industry_code", "industry_level").iter_rows())
    parent = dict(base.select("industry_code", "parent_code").iter_rows())
    rows = []
    for code in base["industry_code"]:
        chain, seen = [code], {code}
        while (up := parent.get(chain[-1])) and up not in seen:  # guard against a cycle in bad data
            chain.append(up)
            seen.add(up)
        group = next((c for c in chain if level.get(c) == GROUP_LEVEL), chain[-1])
        section = next((c for c in chain if level.get(c) == SECTION_LEVEL), chain[-1])
        rows.append((code, group, section))
    out = pl.DataFrame(rows, schema={"industry_code": pl.String, "group_code": pl.String,
                                     "section_code": pl.String}, orient="row")
    return (out.join(names.rename({"industry_code": "group_code", "industry_name": "group_name"}),
                     on="group_code", how="left")
            .join(names.rename({"industry_code": "section_code", "industry_name": "section_name"}),
                  on="section_code", how="left"))


def roll_up(frame: pl.DataFrame, groups: pl.DataFrame, by: list[str], values: list[str],
            key: str = "group_code") -> pl.DataFrame:
    """Sum ``values`` per ``key`` (group or section) and ``by`` without double counting: where a row
    is on the group's own code, it is the group's figure; otherwise its descendants' rows are added up."""
    joined = settled(frame.join(groups.select("industry_code", key), on="industry_code", how="inner"))
    own = pl.col("industry_code") == pl.col(key)
    return (joined.group_by([key, *by])
            .agg([pl.when(own.any()).then(pl.col(v).filter(own).sum()).otherwise(pl.col(v).sum()).alias(v)
                  for v in values]))


def settled(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows in one fixed order, so float sums that follow add up in the same order on every run
    (a join's row order may vary between runs, and so would the last bits of a sum)."""
    return frame.sort(frame.columns, nulls_last=True)
