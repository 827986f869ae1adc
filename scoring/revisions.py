"""Revisions as data (issue 27): history follows the current code.

* A major renumbered, split or merged between catalog editions keeps its history: school_majors rows under an
  earlier code (``majors.former_codes`` 原专业代码, or ``code_changes`` of kind 专业) count for the current code.
  A split old code gives each new code its ``share`` of the counts (rounded to whole people), and the major's
  reasons say so; old codes merged into one new code add up. An old code named by several majors'
  ``former_codes`` with no share in ``code_changes`` is split equally, and says so.
* An industry code of a newer GB/T 4754 revision (``code_changes`` of kind 行业, old → new) is covered by the
  list entries on the old code and on every code above it: the exposure's code tree gives the new code the old
  code's ancestors too, so the most specific entry still wins.
* A school that moved district (``school_districts``) is counted, in a data year's figures, under the district
  it was in that year; ``schools.district`` is the latest.

Without these optional inputs every function here returns its input unchanged.
"""

from __future__ import annotations

import polars as pl

from scoring import rulebook as rb
from scoring.hierarchy import ancestors, depth

MAJOR, INDUSTRY = "major", "industry"
SEPARATORS = r"[、;；]"
REVISION_SCHEMA = {"old_code": pl.String, "new_code": pl.String, "share": pl.Float64, "year": pl.Int32,
                   "split": pl.Boolean, "stated": pl.Boolean}
COUNTS = ("enrolled", "graduates", "employed", "employed_in_field")
NOTE = "code_history"


def _changes(code_changes: pl.DataFrame | None, kind: str) -> pl.DataFrame:
    if code_changes is None or code_changes.height == 0 or "kind" not in code_changes.columns:
        return pl.DataFrame(schema={"old_code": pl.String, "new_code": pl.String, "share": pl.Float64,
                                    "year": pl.Int32})
    return code_changes.filter(pl.col("kind") == kind).select(
        pl.col("old_code").cast(pl.String), pl.col("new_code").cast(pl.String),
        pl.col("share").cast(pl.Float64) if "share" in code_changes.columns else pl.lit(None, pl.Float64).alias("share"),
        pl.col("year").cast(pl.Int32))


def major_revisions(majors: pl.DataFrame, code_changes: pl.DataFrame | None = None) -> pl.DataFrame:
    """old_code, new_code, share, year, split, stated: every earlier major code whose rows follow a current major.

    ``code_changes`` (kind 专业) gives the pairs with their year and share; ``majors.former_codes`` adds the pairs
    it lacks (year unknown). A missing share is what the old code's given shares leave, equally among its
    targets without one; ``split`` is true when the old code goes to several current majors, ``stated`` when the
    share was written in code_changes (not derived)."""
    changes = _changes(code_changes, MAJOR)
    current = majors["major_code"].unique().implode()
    if "former_codes" in majors.columns:
        listed = (majors.filter(pl.col("former_codes").is_not_null())
                  .select(pl.col("former_codes").str.replace_all(SEPARATORS, ";").str.split(";"),
                          new_code=pl.col("major_code"))
                  .explode("former_codes")
                  .select(pl.col("former_codes").str.strip_chars().alias("old_code"), "new_code")
                  .filter(pl.col("old_code") != ""))
        extra = listed.join(changes, on=["old_code", "new_code"], how="anti").with_columns(
            share=pl.lit(None, pl.Float64), year=pl.lit(None, pl.Int32))
        changes = pl.concat([changes, extra.select(changes.columns)])
    changes = changes.filter(pl.col("new_code").is_in(current) & ~pl.col("old_code").is_in(current)).unique(
        ["old_code", "new_code"], keep="first", maintain_order=True)
    given = pl.col("share").fill_null(0.0).sum().over("old_code")
    missing = pl.col("share").is_null().sum().over("old_code")
    return (changes.with_columns(
        stated=pl.col("share").is_not_null(),
        share=pl.coalesce(pl.col("share"), ((1.0 - given).clip(0.0, 1.0) / missing)),
        split=pl.len().over("old_code") > 1)
        .select(list(REVISION_SCHEMA)).cast(REVISION_SCHEMA).sort("new_code", "old_code"))


def follow_current_codes(rows: pl.DataFrame, revisions: pl.DataFrame) -> pl.DataFrame:
    """school_majors rows with every earlier code's rows counted for the current code(s): a split's counts times
    its share (rounded to whole people), merged codes (and an old and a new code in the same year) added up.
    A school that offers only some of a split's new majors gives its history to those (their shares scaled to add
    up to 1): its students did not study a major it does not offer. Rows under no earlier code are returned as
    they are, in their order."""
    if revisions.height == 0 or rows.height == 0 or "major_code" not in rows.columns:
        return rows
    old = revisions["old_code"].unique().implode()
    moved = rows.filter(pl.col("major_code").is_in(old))
    if moved.height == 0:
        return rows
    counts = [c for c in COUNTS if c in rows.columns]
    pairs = revisions.select("old_code", "new_code", "share")
    by = ["school_code"] if "school_code" in rows.columns else []
    if by:
        pairs = _school_shares(rows, moved, pairs)
    mapped = (moved.join(pairs, left_on=[*by, "major_code"], right_on=[*by, "old_code"])
              .with_columns(pl.col("new_code").alias("major_code"),
                            *[(pl.col(c) * pl.col("share")).round(0).cast(rows.schema[c]) for c in counts])
              .select(rows.columns))
    key = [c for c in ("school_code", "major_code", "year") if c in rows.columns]
    kept = rows.filter(~pl.col("major_code").is_in(old))
    both = pl.concat([kept, mapped])
    dup = both.select(key).is_duplicated()
    if not dup.any():
        return both
    single, many = both.filter(~dup), both.filter(dup)
    others = [c for c in rows.columns if c not in key and c not in counts]
    merged = many.group_by(key, maintain_order=True).agg(
        *[pl.when(pl.col(c).is_null().all()).then(None).otherwise(pl.col(c).sum()).alias(c) for c in counts],
        *[pl.col(c).drop_nulls().first().alias(c) for c in others]).select(rows.columns).cast(rows.schema)
    return pl.concat([single, merged])


def _school_shares(rows: pl.DataFrame, moved: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """school_code, old_code, new_code, share: each school's split of each old code it has rows under. Where the
    school offers (has rows under) some of the new codes, only those, shares rescaled; otherwise every new code."""
    offers = rows.select("school_code", pl.col("major_code").alias("new_code")).unique()
    schools = moved.select("school_code", pl.col("major_code").alias("old_code")).unique()
    every = schools.join(pairs, on="old_code")
    offered = every.join(offers, on=["school_code", "new_code"], how="semi")
    some = offered.select("school_code", "old_code").unique()
    chosen = pl.concat([offered, every.join(some, on=["school_code", "old_code"], how="anti")])
    return chosen.with_columns(share=pl.col("share") / pl.col("share").sum().over("school_code", "old_code"))


def revision_notes(revisions: pl.DataFrame) -> pl.DataFrame:
    """major_code, code_history: the sentence a renumbered, merged or split major's reasons carry, in the
    rulebook's words ('原专业代码 560101，历史数据已并入'; a split names its share)."""
    entry = rb.entry("major.renumbered")
    notes: dict[str, list[str]] = {}
    whole: dict[str, list[str]] = {}
    for r in revisions.sort("new_code", "old_code").iter_rows(named=True):
        since = f"{r['year']}年起" if r["year"] else ""
        if r["split"] or r["share"] < 1.0:
            name = "split" if r["stated"] else "split_equal"
            notes.setdefault(r["new_code"], []).append(entry.text(name, old=r["old_code"], share=r["share"],
                                                                  since=since))
        else:
            whole.setdefault(r["new_code"], []).append(r["old_code"])
    for code, olds in whole.items():
        notes.setdefault(code, []).insert(0, entry.text("merged" if len(olds) > 1 else "renumbered",
                                                        old="、".join(olds)))
    return pl.DataFrame({"major_code": list(notes), NOTE: ["；".join(v) for v in notes.values()]},
                        schema={"major_code": pl.String, NOTE: pl.String})


def industry_crosswalk(code_changes: pl.DataFrame | None) -> pl.DataFrame:
    """old_code, new_code: GB/T 4754 codes of the older revision and the newer codes they became."""
    return _changes(code_changes, INDUSTRY).select("old_code", "new_code").unique().sort("new_code", "old_code")


def crosswalk_tree(tree: pl.DataFrame, crosswalk: pl.DataFrame, sections: dict[str, str]) -> pl.DataFrame:
    """The exposure's (ancestor, leaf, depth) tree with every leaf under a newer code also placed under the older
    code it came from and every code above that: a list entry on the old code (or above it) covers the new one,
    and the most specific entry still wins."""
    if crosswalk.height == 0 or tree.height == 0:
        return tree
    extra = [(anc, new, depth(anc)) for old, new in crosswalk.iter_rows() for anc in ancestors(old, sections)]
    up = pl.DataFrame(extra, schema={"ancestor": pl.String, "new": pl.String, "depth": pl.Int32}, orient="row")
    leaves = tree.select(pl.col("ancestor").alias("new"), "leaf").unique()
    added = up.join(leaves, on="new").select("ancestor", "leaf", "depth")
    return pl.concat([tree, added]).unique(["ancestor", "leaf"], keep="first", maintain_order=True)


def schools_in_year(schools: pl.DataFrame, school_districts: pl.DataFrame | None, year: int | None) -> pl.DataFrame:
    """``schools`` with each school's district as it was in ``year`` (the latest ``school_districts`` row from
    that year or before; a school with none keeps ``schools.district``)."""
    if school_districts is None or school_districts.height == 0 or year is None or schools.height == 0:
        return schools
    then = (school_districts.filter(pl.col("from_year") <= year).sort("school_code", "from_year")
            .group_by("school_code").agg(pl.col("district").last().alias("_then")))
    return (schools.join(then, on="school_code", how="left")
            .with_columns(pl.coalesce("_then", "district").alias("district")).drop("_then"))


def with_revisions(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Warehouse frames as scoring reads them (the back-test and the calibration): ``school_majors`` under the
    current codes and ``crosswalk`` (old → new industry codes) for the exposure, from ``code_changes``."""
    changes = frames.get("code_changes")
    out = dict(frames)
    if frames.get("school_majors") is not None and frames.get("majors") is not None:
        out["school_majors"] = follow_current_codes(frames["school_majors"], major_revisions(frames["majors"], changes))
    out["crosswalk"] = industry_crosswalk(changes)
    return out
