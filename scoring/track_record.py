"""往年预警回溯: of the majors flagged N years ago, how many then declined, were closed or recovered, beside two
simple baselines (the BLS publishes how its past projections fared against naive models; this is the same for
the warnings).

For each data year Y = latest − N (N = 1 … ``TRACK_YEARS``) the flags (红/黄) are the ones published for Y when
the home holds an edition of that data year, else the back-test's (``scoring.backtest.past_verdicts``: the rules in
force, with only the data up to Y). Every major offered in Y has one outcome at the latest year, told by
``scoring.backtest.outcomes``: closed (no citywide enrolment), declined (enrolment or 毕业去向落实率 down by the
rulebook's thresholds), else recovered (this edition no longer flags it) or still flagged. Baselines: every major
offered in Y (the base rate) and the majors that had already declined from Y − 1 to Y (the last change carried
forward). Per group: its majors, the four outcomes, the share that declined or closed, recall (of all declines
and closures, the share in the group) and lift (the share ÷ the base rate's).
"""

from __future__ import annotations

import polars as pl

from scoring.backtest import outcomes
from scoring.rulebook.terms import TRACK_YEARS

METHODS = ("flags", "carry_forward", "base_rate")
PUBLISHED, BACKTEST = "published", "backtest"
FLAGGED = ("红", "黄")
SCHEMA = {"data_year": pl.Int32, "years_ago": pl.Int32, "latest_year": pl.Int32, "method": pl.String,
          "source": pl.String, "majors": pl.Int64, "declined": pl.Int64, "closed": pl.Int64, "recovered": pl.Int64,
          "still_flagged": pl.Int64, "decline_share": pl.Float64, "recall": pl.Float64, "lift": pl.Float64}


def past_flags(verdicts: pl.DataFrame, published: pl.DataFrame | None = None) -> pl.DataFrame:
    """data_year, major_code, warning_level, source: a data year's published verdicts when an edition of it was
    published (``published``: data_year, major_code, warning_level), else the back-test's ``verdicts``."""
    cols = ["data_year", "major_code", "warning_level"]
    real = (published.select(cols).with_columns(pl.col("data_year").cast(pl.Int32), source=pl.lit(PUBLISHED))
            if published is not None and published.height else
            pl.DataFrame(schema={**dict.fromkeys(cols, pl.String), "data_year": pl.Int32, "source": pl.String}))
    years = real["data_year"].unique().implode()
    rebuilt = verdicts.select(cols).filter(~pl.col("data_year").is_in(years)).with_columns(
        pl.col("data_year").cast(pl.Int32), source=pl.lit(BACKTEST))
    return pl.concat([real.select(*cols, "source"), rebuilt.select(*cols, "source")]).sort("data_year", "major_code")


def track_record(school_majors: pl.DataFrame, flags: pl.DataFrame, current: pl.DataFrame, min_graduates: int,
                 years: int = TRACK_YEARS) -> pl.DataFrame:
    """One row per (data year N years before the latest, method): the group's majors and what became of them.

    ``school_majors``: school_code, major_code, year, enrolled, graduates, employed (every year); ``flags``:
    ``past_flags``; ``current``: this edition's major_code, warning_level. A year without a year of data before it
    or without flags has no rows."""
    sm = school_majors
    all_years = sorted(sm["year"].unique().to_list())
    if not all_years:
        return pl.DataFrame(schema=SCHEMA)
    latest, rows = all_years[-1], []
    now = set(current.filter(pl.col("warning_level").is_in(FLAGGED))["major_code"])
    for n in range(1, years + 1):
        y = latest - n
        flagged_then = flags.filter(pl.col("data_year") == y)
        if y - 1 < all_years[0] or flagged_then.is_empty():
            continue
        fate = outcomes(sm, y, n, min_graduates).with_columns(
            fell=pl.col("declined") & ~pl.col("closed"), still=pl.col("major_code").is_in(list(now)))
        before = set(outcomes(sm, y - 1, 1, min_graduates).filter(pl.col("declined"))["major_code"])
        source = flagged_then["source"][0]
        groups = {"flags": set(flagged_then.filter(pl.col("warning_level").is_in(FLAGGED))["major_code"]),
                  "carry_forward": before, "base_rate": set(fate["major_code"])}
        bad_all = int(fate["declined"].sum())
        base_share = bad_all / fate.height if fate.height else None
        for method in METHODS:
            g = fate.filter(pl.col("major_code").is_in(list(groups[method])))
            bad = int(g["declined"].sum())
            share = bad / g.height if g.height else None
            rows.append({"data_year": y, "years_ago": n, "latest_year": latest, "method": method,
                         "source": source if method == "flags" else None, "majors": g.height,
                         "declined": int(g["fell"].sum()), "closed": int(g["closed"].sum()),
                         "recovered": int((~g["declined"] & ~g["still"]).sum()),
                         "still_flagged": int((~g["declined"] & g["still"]).sum()), "decline_share": share,
                         "recall": bad / bad_all if bad_all else None,
                         "lift": share / base_share if share is not None and base_share else None})
    return pl.DataFrame(rows, schema=SCHEMA)
