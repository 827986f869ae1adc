"""What must hold of an edition's outputs before it is published (the blocking output checks).

Each function returns the problems it found, in Chinese, at most a few examples each; an empty list passes.
Pure polars: the asset checks (assets/checks/outputs.py) call these on the tables the run materialized.
"""

from __future__ import annotations

import polars as pl

from scoring import rulebook
from scoring.catalog import NO_FLAG
from scoring.counts import edition_counts
from scoring.uncertainty import WATCH, watch_list

SCORE_COLUMNS = ("risk_score", "risk_score_low", "risk_score_high")
EXAMPLES = 5


def _examples(frame: pl.DataFrame, keys: list[str]) -> str:
    rows = frame.select(keys).head(EXAMPLES).rows()
    return "、".join("/".join("" if v is None else str(v) for v in row) for row in rows)


def one_row_each(frame: pl.DataFrame, keys: list[str], what: str) -> list[str]:
    """Every key present and at most once (one verdict per major, per offering)."""
    problems = []
    missing = frame.filter(pl.any_horizontal(pl.col(keys).is_null()))
    if missing.height:
        problems.append(f"{what}有 {missing.height} 行缺少{'、'.join(keys)}")
    twice = frame.filter(pl.struct(keys).is_duplicated())
    if twice.height:
        problems.append(f"{what}有重复的结论（同一{'、'.join(keys)}出现多次）：{_examples(twice, keys)}")
    return problems


def scores_in_range(frame: pl.DataFrame, keys: list[str], what: str) -> list[str]:
    """Risk scores (and their interval) within [0, 100], the score inside its interval, a level for each row."""
    problems = []
    for col in (c for c in SCORE_COLUMNS if c in frame.columns):
        bad = frame.filter(pl.col(col).is_not_null() & ~pl.col(col).is_between(0, 100) | pl.col(col).is_nan())
        if bad.height:
            problems.append(f"{what}的 {col} 有 {bad.height} 行超出 0–100：{_examples(bad, [*keys, col])}")
    if set(SCORE_COLUMNS) <= set(frame.columns):
        outside = frame.filter((pl.col("risk_score") < pl.col("risk_score_low") - 1e-9)
                               | (pl.col("risk_score") > pl.col("risk_score_high") + 1e-9))
        if outside.height:
            problems.append(f"{what}有 {outside.height} 行风险分值不在其区间内：{_examples(outside, keys)}")
    if "warning_level" in frame.columns:
        unset = frame.filter(~pl.col("warning_level").is_in(["红", "黄", "绿"]) | pl.col("warning_level").is_null())
        if unset.height:
            problems.append(f"{what}有 {unset.height} 行没有有效的预警等级：{_examples(unset, keys)}")
    return problems


def _blank(col: str) -> pl.Expr:
    return pl.col(col).is_null() | (pl.col(col).cast(pl.String).str.strip_chars() == "")


def reds_explained(frame: pl.DataFrame, keys: list[str], what: str) -> list[str]:
    """Every 红 names its cause (the rule that made it) and gives a reason."""
    red = frame.filter(pl.col("warning_level") == "红")
    unexplained = red.filter(_blank("cause") | (pl.col("cause") == NO_FLAG) | _blank("reasons"))
    if unexplained.height:
        return [f"{what}有 {unexplained.height} 个红色预警没有主要原因或依据：{_examples(unexplained, keys)}"]
    return []


def rules_named(frame: pl.DataFrame, keys: list[str], what: str) -> list[str]:
    """Every 红 and every restriction carries the id of the rulebook clause that gave it (a verdict the commission
    set after review, ``overridden``, carries its decision instead)."""
    if "rule_id" not in frame.columns:
        return [f"{what}没有规则编号（rule_id）列"]
    ids = {c.id for e in rulebook.ENTRIES for c in e.clauses}
    flagged = (pl.col("warning_level") == "红") | pl.col("restriction").is_not_null()
    if "overridden" in frame.columns:
        flagged = flagged & ~pl.col("overridden").fill_null(False)
    bad = frame.filter(flagged & (pl.col("rule_id").is_null() | ~pl.col("rule_id").is_in(list(ids))))
    problems = []
    if bad.height:
        problems.append(f"{what}有 {bad.height} 个红色预警或禁限没有规则手册中的规则编号：{_examples(bad, keys)}")
    if "restrictions" in frame.columns:
        rows = frame.select(*keys, "restrictions").explode("restrictions").drop_nulls("restrictions").unnest(
            "restrictions")
        if rows.height and "rule_id" in rows.columns:
            stray = rows.filter(pl.col("rule_id").is_null() | ~pl.col("rule_id").is_in(list(ids)))
            if stray.height:
                problems.append(f"{what}有 {stray.height} 条禁限没有规则手册中的规则编号：{_examples(stray, keys)}")
    return problems


def restrictions_explained(restrictions: pl.DataFrame) -> list[str]:
    """Every restriction row is one (major, kind, scope) and names its kind, its cause and a reason."""
    # a citywide row has no scope: only the duplicates of one_row_each count here
    problems = [p for p in one_row_each(restrictions, ["major_code", "restriction", "scope"], "禁限目录") if "重复" in p]
    bad = restrictions.filter(_blank("major_code") | _blank("restriction") | _blank("cause")
                              | (pl.col("cause") == NO_FLAG) | _blank("reasons"))
    if bad.height:
        problems.append(f"禁限目录有 {bad.height} 条没有专业、限制类型、主要原因或依据：{_examples(bad, ['major_code'])}")
    return problems


def catalog_agrees(catalog: pl.DataFrame, scored: pl.DataFrame) -> list[str]:
    """The catalog is the scores: the same majors, each with the same level and guidance."""
    both = scored.select("major_code", "warning_level", "guidance").join(
        catalog.select("major_code", "warning_level", "guidance"), on="major_code", how="full", suffix="_catalog",
        coalesce=True)
    missing = both.filter(pl.col("warning_level").is_null() | pl.col("warning_level_catalog").is_null())
    differ = both.filter((pl.col("warning_level") != pl.col("warning_level_catalog"))
                         | (pl.col("guidance") != pl.col("guidance_catalog")))
    problems = []
    if missing.height:
        problems.append(f"目录与风险评分的专业不一致（{missing.height} 个只在一边）：{_examples(missing, ['major_code'])}")
    if differ.height:
        problems.append(f"目录与风险评分的预警等级或指导类别不一致：{_examples(differ, ['major_code'])}")
    return problems


def within_catalog(frame: pl.DataFrame, catalog: pl.DataFrame, what: str) -> list[str]:
    """Every major a table names is a major of the catalog."""
    stray = frame.join(catalog.select("major_code"), on="major_code", how="anti")
    return [f"{what}中有 {stray.height} 行的专业不在目录中：{_examples(stray, ['major_code'])}"] if stray.height else []


def counts_agree(counts: pl.DataFrame, watch: pl.DataFrame, catalog: pl.DataFrame, restrictions: pl.DataFrame,
                 school_scores: pl.DataFrame) -> list[str]:
    """Every published count equals a recount of the tables it counts; the watch list is the catalog's 临界 rows."""
    problems = []
    recount = edition_counts(catalog, restrictions, school_scores)
    key = ["table", "dimension", "value"]
    diff = recount.join(counts, on=key, how="full", suffix="_published", coalesce=True).filter(
        pl.col("count").fill_null(-1) != pl.col("count_published").fill_null(-1))
    if diff.height:
        problems.append(f"有 {diff.height} 个计数与目录、禁限目录或专业点评分不符：{_examples(diff, key)}")
    expected = watch_list(catalog)["major_code"].to_list()
    if watch["major_code"].to_list() != expected:
        problems.append(f"观察名单（{watch.height} 个）不是目录中结论确定性为「{WATCH}」的 {len(expected)} 个专业")
    return problems
