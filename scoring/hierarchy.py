"""Code trees: which industry (GB/T 4754) or occupation (职业分类大典) codes sit above or below others.

A list entry or a labor-market series keyed on a coarse code (门类 letter, 大类, 中类) speaks for every
code below it; these helpers answer "what is above this code" and "which finest-level codes lie under
it" so that exposure and market signals resolve codes the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import polars as pl

_SECTION = re.compile(r"^[A-Z]$")


def is_section(code: str) -> bool:
    """A 门类 is a single capital letter (A–T)."""
    return bool(_SECTION.match(code))


def section_map(industries: pl.DataFrame) -> dict[str, str]:
    """大类 (2 digits) → 门类 letter, from `section` or else `parent_code` of the industries table."""
    out: dict[str, str] = {}
    cols = industries.columns
    for row in industries.select(
        "industry_code",
        pl.col("section") if "section" in cols else pl.lit(None, pl.String).alias("section"),
        pl.col("parent_code") if "parent_code" in cols else pl.lit(None, pl.String).alias("parent_code"),
    ).iter_rows():
        code, section, parent = row
        if code and not is_section(code) and len(code) >= 2:
            letter = section if section else (parent if parent and is_section(parent) else None)
            if letter and code[:2] not in out:
                out[code[:2]] = letter
    return out


def ancestors(code: str, sections: dict[str, str]) -> list[str]:
    """The code itself and every code above it, most specific first.

    Industry codes: 小类 `1311` → `1311, 131, 13, C`. Occupation codes: `2-02-01-01` →
    `2-02-01-01, 2-02-01, 2-02, 2`.
    """
    if "-" in code:
        parts = code.split("-")
        return ["-".join(parts[:i]) for i in range(len(parts), 0, -1)]
    if is_section(code):
        return [code]
    out = [code[:n] for n in range(len(code), 1, -1)]
    letter = sections.get(code[:2])
    return out + ([letter] if letter else [])


def depth(code: str) -> int:
    """How specific a code is: 门类 0, 大类 1, 中类 2, 小类 3 (occupations: number of segments)."""
    if "-" in code:
        return code.count("-") + 1
    return 0 if is_section(code) else len(code) - 1


def leaf_table(codes: Iterable[str], sections: dict[str, str]) -> pl.DataFrame:
    """(ancestor, leaf, depth) for every finest-level code and each code above it, itself included.

    A leaf is a code with nothing below it among `codes` (normally the 小类). A 门类 or 大类 with no
    children in the table is its own leaf, so a truncated industry table still resolves.
    """
    universe = sorted(set(codes))
    has_child: set[str] = set()
    for code in universe:
        for anc in ancestors(code, sections)[1:]:
            has_child.add(anc)
    rows: list[tuple[str, str, int]] = []
    for leaf in universe:
        if leaf in has_child:
            continue
        for anc in ancestors(leaf, sections):
            rows.append((anc, leaf, depth(anc)))
    return pl.DataFrame(rows, schema={"ancestor": pl.String, "leaf": pl.String, "depth": pl.Int32},
                        orient="row")


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
