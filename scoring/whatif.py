"""What if another policy were in force: re-score the same inputs and list the verdicts that move.

Pure: takes the scored inputs (majors, exposure, signals) and two policies, writes nothing. Each
moved major carries the old and new warning level, guidance and restriction, the new primary cause,
and why in words (the new policy's short reasons when it is stricter, else the old reasons that no
longer hold).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from scoring.policy import Policy
from scoring.risk import score_majors
from scoring.rules import LEVEL_RANK, STRENGTH

VERDICT = ("warning_level", "guidance", "restriction", "restriction_scope")
WHATIF_HEADERS = {"major_code": "专业代码", "major_name": "专业名称", "warning_level_now": "现预警等级",
                  "warning_level_new": "新预警等级", "guidance_now": "现指导类别", "guidance_new": "新指导类别",
                  "restriction_now": "现限制", "restriction_new": "新限制", "cause_new": "新主要原因", "why": "原因"}


def _severity(level: str, restriction: str | None) -> tuple[int, int]:
    return LEVEL_RANK[level], STRENGTH.get(restriction or "", 0)


COLS = ["major_code", *VERDICT, "cause", "reasons"]


def _verdicts(majors: pl.DataFrame, exposure: pl.DataFrame, signals: pl.DataFrame, p: Policy) -> pl.DataFrame:
    return score_majors(majors, exposure, signals, p, explain=False).select(COLS)


def whatif(majors: pl.DataFrame, exposure: pl.DataFrame, signals: pl.DataFrame, current: Policy,
           other: Policy, now: pl.DataFrame | None = None) -> pl.DataFrame:
    """The majors whose verdict differs under `other`, most severe new verdict first. ``now``: the verdicts
    under ``current`` when the caller has them already (policy_comparisons scores them once for all)."""
    cols = COLS
    now = _verdicts(majors, exposure, signals, current) if now is None else now
    new = _verdicts(majors, exposure, signals, other)
    both = now.join(new, on="major_code", suffix="_new").rename({c: f"{c}_now" for c in cols[1:]})
    moved = both.filter(pl.any_horizontal(*[pl.col(f"{c}_now").ne_missing(pl.col(f"{c}_new")) for c in VERDICT]))
    rows = []
    for r in moved.iter_rows(named=True):
        worse = _severity(r["warning_level_new"], r["restriction_new"]) >= \
            _severity(r["warning_level_now"], r["restriction_now"])
        why = (f"新政策下：{r['reasons_new']}" if worse else f"现行依据在新政策下不再成立：{r['reasons_now']}")
        rows.append({**r, "why": why})
    names = majors.select("major_code", "major_name").unique("major_code") if "major_name" in majors.columns \
        else majors.select("major_code", pl.lit(None, pl.String).alias("major_name")).unique("major_code")
    out = pl.DataFrame(rows, schema={**{c: moved.schema[c] for c in moved.columns}, "why": pl.String}) \
        if rows else moved.with_columns(why=pl.lit(None, pl.String))
    return (out.join(names, on="major_code", how="left")
            .with_columns(_rank=pl.col("warning_level_new").replace_strict(LEVEL_RANK, return_dtype=pl.Int8))
            .sort(["_rank", "major_code"], descending=[True, False])
            .select(*WHATIF_HEADERS))


def transitions(moved: pl.DataFrame) -> pl.DataFrame:
    """How many majors move from each warning level to each other (现 → 新)."""
    return (moved.group_by("warning_level_now", "warning_level_new").len("majors")
            .sort("warning_level_now", "warning_level_new"))


COMPARISON_HEADERS = {"policy": "比较政策", "policy_title": "比较政策名称", "policy_version": "比较政策版本",
                      "current_version": "现行政策版本", **WHATIF_HEADERS}


def example_policies(folder: Path | None = None) -> list[tuple[str, Policy]]:
    """The example policies shipped in scoring/policies (name = file stem), in name order."""
    from scoring.policy import EXAMPLES, load_policy

    return [(path.stem, load_policy(path)) for path in sorted((folder or EXAMPLES).glob("*.yaml"))]


def policy_comparisons(majors: pl.DataFrame, exposure: pl.DataFrame, signals: pl.DataFrame, current: Policy,
                       others: list[tuple[str, Policy]] | None = None) -> pl.DataFrame:
    """`whatif` against the policy in force for each of ``others`` (default: the example policies), stacked:
    one row per (policy, moved major), most severe new verdict first within a policy."""
    others = example_policies() if others is None else others
    now = _verdicts(majors, exposure, signals, current) if others else None
    frames = [whatif(majors, exposure, signals, current, other, now)
              .select(pl.lit(name).alias("policy"), pl.lit(other.title or name).alias("policy_title"),
                      pl.lit(other.version).alias("policy_version"), pl.lit(current.version).alias("current_version"),
                      pl.all())
              for name, other in others]
    empty = pl.DataFrame(schema={c: pl.String for c in COMPARISON_HEADERS})
    return pl.concat([empty, *frames], how="vertical_relaxed") if frames else empty
