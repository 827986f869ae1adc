"""新设专业: a major first offered, or added by a catalog supplement (增补专业), within its program length.

It has no graduates yet, so no rule that needs history judges it: its 毕业去向落实率 and enrolment trend are
set aside (never read as a failure), and it is judged by the rules that need none (the lists, saturation,
demand). A first year of enrolment equal to the data's first year says nothing (the major may be older), so
only a later first year, or ``majors.added_in``, makes a major new.
"""

from __future__ import annotations

import polars as pl

PROGRAM_YEARS = {"职业本科": 4}  # 中职 and 高职专科: 3 years
DEFAULT_YEARS = 3
_HISTORY = ("employment_rate", "employment_rate_prev", "employment_rate_prev2", "graduates", "graduates_prev",
            "graduates_prev2", "employed", "employed_prev", "employed_prev2", "in_field_rate", "enrolment_trend",
            "enrolled_base", "enrolment_gap_years", "outcome_gap_years")
NEW_COLUMNS = {"is_new": pl.Boolean, "new_since": pl.Int32, "new_kind": pl.String, "first_graduates_year": pl.Int32}


def newness(majors: pl.DataFrame, signals: pl.DataFrame) -> pl.DataFrame:
    """major_code, is_new, new_since (the year it was added or first enrolled), new_kind (增补 / 新开设) and
    first_graduates_year, for every major of ``majors``."""
    added = pl.col("added_in").cast(pl.Int32) if "added_in" in majors.columns else pl.lit(None, pl.Int32)
    years = pl.col("level").replace_strict(PROGRAM_YEARS, default=DEFAULT_YEARS, return_dtype=pl.Int32)
    level = pl.col("level") if "level" in majors.columns else pl.lit(None, pl.String).alias("level")
    cols = [c for c in ("latest_year", "first_enrolled_year", "first_data_year") if c in signals.columns]
    df = majors.select("major_code", level, added.alias("added_in")).unique("major_code").join(
        signals.select("major_code", *cols), on="major_code", how="left")
    for c in ("latest_year", "first_enrolled_year", "first_data_year"):
        if c not in df.columns:
            df = df.with_columns(pl.lit(None, pl.Int32).alias(c))
    opened = pl.when(pl.col("first_enrolled_year") > pl.col("first_data_year")).then(pl.col("first_enrolled_year"))
    since = pl.coalesce(pl.col("added_in"), opened)
    is_new = (pl.col("latest_year") - since < years).fill_null(False)
    return df.select(
        "major_code", is_new.alias("is_new"),
        pl.when(is_new).then(since).alias("new_since").cast(pl.Int32),
        pl.when(is_new).then(pl.when(pl.col("added_in").is_not_null()).then(pl.lit("增补")).otherwise(pl.lit("新开设")))
        .alias("new_kind"),
        pl.when(is_new).then(since + years).alias("first_graduates_year").cast(pl.Int32))


def set_history_aside(df: pl.DataFrame) -> pl.DataFrame:
    """For a new major, the signals that need graduates or years of enrolment are null (no points, no rule)."""
    return df.with_columns(*[pl.when(pl.col("is_new")).then(None).otherwise(pl.col(c)).alias(c)
                             for c in _HISTORY if c in df.columns])
