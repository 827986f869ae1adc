"""The commission's overrides (复核调整), applied after the rules.

An override row sets one verdict — guidance (指导类别), warning level (预警等级) or restriction (限制) —
for a major (no school code) or one school's offering of it, with the commission's reason. Rows that
are retired or whose ``expires`` date is before the edition's ``as_of`` do not apply; the others carry
forward from edition to edition. The affected rows get ``overridden = True`` and a reason
"经市教委复核调整：指导类别调整为「正常」（理由）".

Order in the pipeline: ``apply_major_overrides`` on the scored majors, then the school scores are
computed from them (a major's verdict flows to its offerings), then ``apply_offering_overrides``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl

from scoring.exposure import CITYWIDE
from scoring.policy import GUIDANCE
from scoring.reasons import SEP
from scoring.rules import LIMIT, STOP

NO_RESTRICTION = "无"
VALUES: dict[str, tuple[str, ...]] = {
    "guidance": GUIDANCE, "warning_level": ("红", "黄", "绿"), "restriction": (STOP, LIMIT, NO_RESTRICTION)}
FIELD_CN = {"guidance": "指导类别", "warning_level": "预警等级", "restriction": "限制"}
PREFIX = "经市教委复核调整："
OVERRIDE_SCHEMA = {"override_id": pl.String, "major_code": pl.String, "school_code": pl.String, "field": pl.String,
                   "value": pl.String, "reason": pl.String, "decided_by": pl.String, "decided_at": pl.String,
                   "expires": pl.Date}


def in_force(overrides: pl.DataFrame | None, as_of: date) -> pl.DataFrame:
    """The override rows that apply on `as_of` (not retired, not expired), last decision per target first."""
    if overrides is None or overrides.height == 0:
        return pl.DataFrame(schema=OVERRIDE_SCHEMA)
    df = overrides
    if "retired" in df.columns:
        df = df.filter(~pl.col("retired").fill_null(False))
    df = df.with_columns(pl.col("school_code").cast(pl.String).str.strip_chars().replace("", None),
                         pl.col("expires").cast(pl.Date))
    df = df.filter(pl.col("expires").is_null() | (pl.col("expires") >= as_of))
    # one value per (major, school, field): the latest decision wins
    return (df.sort("decided_at", descending=True, nulls_last=True)
            .unique(["major_code", "school_code", "field"], keep="first", maintain_order=True))


def note(field: str, value: str, reason: str) -> str:
    what = "取消限制" if field == "restriction" and value == NO_RESTRICTION else f"{FIELD_CN[field]}调整为「{value}」"
    return f"{PREFIX}{what}（{reason.strip()}）" if reason and reason.strip() else f"{PREFIX}{what}"


def _notes(rows: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    """Per key: one text with every override note, and each field's new value in its own column."""
    wide = rows.with_columns(
        _note=pl.struct("field", "value", "reason").map_elements(
            lambda s: note(s["field"], s["value"], s["reason"] or ""), return_dtype=pl.String))
    agg = [pl.col("_note").sort().str.join(SEP).alias("_override_note")]
    agg += [pl.col("value").filter(pl.col("field") == f).first().alias(f"_ov_{f}") for f in VALUES]
    return wide.group_by(key).agg(agg)


def _apply(df: pl.DataFrame, notes: pl.DataFrame, key: list[str], restriction_list: bool) -> pl.DataFrame:
    out = df.join(notes, on=key, how="left")
    hit = pl.col("_override_note").is_not_null()
    cols = [pl.when(pl.col(f"_ov_{f}").is_not_null()).then(pl.col(f"_ov_{f}")).otherwise(pl.col(f)).alias(f)
            for f in ("guidance", "warning_level") if f in df.columns]
    ov = pl.col("_ov_restriction")
    cols.append(pl.when(ov == NO_RESTRICTION).then(pl.lit(None, pl.String)).when(ov.is_not_null()).then(ov)
                .otherwise(pl.col("restriction")).alias("restriction"))
    if restriction_list:
        dtype = df.schema["restrictions"]
        city = pl.struct(restriction=ov, scope=pl.lit(CITYWIDE), basis=pl.col("_override_note"))
        cols += [
            pl.when(ov == NO_RESTRICTION).then(pl.lit(None, pl.String)).when(ov.is_not_null()).then(pl.lit(CITYWIDE))
            .otherwise(pl.col("restriction_scope")).alias("restriction_scope"),
            pl.when(ov == NO_RESTRICTION).then(pl.lit([], dtype))
            .when(ov.is_not_null()).then(pl.concat_list(city).cast(dtype))
            .otherwise(pl.col("restrictions")).alias("restrictions")]
    cols.append(pl.when(hit).then(pl.concat_str([pl.col("reasons").fill_null(""), pl.col("_override_note")],
                                                 separator=SEP).str.strip_chars(SEP))
                .otherwise(pl.col("reasons")).alias("reasons"))
    prior = pl.col("overridden") if "overridden" in df.columns else pl.lit(False)
    cols.append((prior | hit).alias("overridden"))
    return out.with_columns(cols).drop("_override_note", *[f"_ov_{f}" for f in VALUES])


def apply_major_overrides(scored: pl.DataFrame, overrides: pl.DataFrame | None, as_of: date) -> pl.DataFrame:
    """The scored majors with the major-level overrides in force on `as_of` applied (see module doc)."""
    rows = in_force(overrides, as_of).filter(pl.col("school_code").is_null())
    if rows.height == 0:
        return scored.with_columns(overridden=pl.lit(False))
    return _apply(scored, _notes(rows, ["major_code"]), ["major_code"], "restrictions" in scored.columns)


def apply_offering_overrides(school_scores: pl.DataFrame, overrides: pl.DataFrame | None,
                             as_of: date) -> pl.DataFrame:
    """The school scores with the offering overrides in force applied; a row whose major was overridden
    (its reasons carry the major's note) is marked ``overridden`` too."""
    rows = in_force(overrides, as_of)
    majors = rows.filter(pl.col("school_code").is_null())["major_code"].unique().implode()
    df = school_scores.with_columns(overridden=pl.col("major_code").is_in(majors))
    offering = rows.filter(pl.col("school_code").is_not_null())
    if offering.height == 0:
        return df
    return _apply(df, _notes(offering, ["school_code", "major_code"]), ["school_code", "major_code"], False)


def score_with_overrides(scored: pl.DataFrame, overrides: pl.DataFrame | None, as_of: date,
                         school_scores: Callable[[pl.DataFrame], pl.DataFrame]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(majors, offerings) with the overrides in force applied in the right order: major overrides on the
    scored majors, `school_scores(majors)` (e.g. a partial of scoring.schools.school_major_scores) so that
    a major's new verdict reaches its offerings, then the offering overrides."""
    majors = apply_major_overrides(scored, overrides, as_of)
    return majors, apply_offering_overrides(school_scores(majors), overrides, as_of)


def overridden_majors(majors: pl.DataFrame) -> set[str]:
    """Major codes whose verdict an override set (for changes.csv)."""
    if "overridden" not in majors.columns:
        return set()
    return set(majors.filter(pl.col("overridden"))["major_code"].to_list())
