"""Industry groups: every industry code rolled up to its 大类 (the group the reports compare) and 门类."""

from __future__ import annotations

import polars as pl

from scoring.hierarchy import roll_up, settled

__all__ = ["industry_groups", "roll_up", "settled"]

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
