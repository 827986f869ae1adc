"""Enrolment and graduate outcomes of every school offering, 2018–2025 (`school_majors`).

Vectorised over offerings × years. Enrolment follows the domain profile's trend; graduates are
the enrolment of three years before (four for 职业本科) less drop-outs; employment is drawn
around the profile's city-level rate, so 0 ≤ employed_in_field ≤ employed ≤ graduates holds
by construction. About 3 % of the offerings of quiet or declining majors enrol nobody in the
last three years (the exit rule's target). One major taught by a single school is planted as a tiny
cohort (`TINY_COHORT`: 5 enrolled, 4 graduates, 1 employed a year), which the evidence minimum must
report as 证据不足 instead of a red warning.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sample_data.majors import NATIONAL_SCALE, major_catalog
from sample_data.profiles import PROFILES, YEARS
from sample_data.schools import Schools
from sample_data.vocab_domains import DOMAINS

_CATALOG = {m.code: m for m in major_catalog(NATIONAL_SCALE)}
"""Every major of every scale (the national catalog holds the hand-written one)."""

_SIZE = {"中职": (20, 70), "高职专科": (30, 120), "职业本科": (30, 80)}
_LAG = {"中职": 3, "高职专科": 3, "职业本科": 4}
_SALARY_FACTOR = {"中职": 0.85, "高职专科": 1.0, "职业本科": 1.15}
_CAN_STOP = ("declining", "restricted", "relocated", "transforming", "normal", "late_drop")
ZERO_SHARE = 0.03
"""Share of (eligible) offerings with no enrolment in the last three years."""
TINY_COHORT = {"enrolled": 5, "graduates": 4, "employed": 1, "employed_in_field": 1}
"""Every year's figures of the planted tiny cohort."""


def tiny_cohort_major(frame: pl.DataFrame) -> str:
    """The major planted as a tiny cohort: the lowest code of a 'normal' major with exactly one offering
    (at national scale every major has several: then the one with the fewest, lowest code first)."""
    normal = [code for code, m in _CATALOG.items() if DOMAINS[m.domain].profile == "normal"]
    counts = (frame.filter(pl.col("major_code").is_in(normal)).group_by("major_code")
              .agg(pl.col("school_code").n_unique().alias("n")))
    return counts.sort("n", "major_code")["major_code"][0]


def school_majors_frame(schools: Schools, seed: int, scale: int) -> pl.DataFrame:
    """One row per school, major and year with enrolment, graduates and outcomes."""
    rng = np.random.default_rng([seed, 20, scale])
    majors = schools.offer_major
    n = len(majors)
    profiles = [PROFILES[DOMAINS[m.domain].profile] for m in majors]
    first = YEARS[0] - 4
    span = np.arange(first, YEARS[-1] + 1)  # enrolment years, graduates need up to 4 back
    low = np.array([_SIZE[m.level][0] for m in majors])
    high = np.array([_SIZE[m.level][1] for m in majors])
    base = rng.uniform(low, high)
    growth = np.array([p.enrol_growth for p in profiles])
    enrol = base[:, None] * (1 + growth[:, None]) ** (span[None, :] - YEARS[-1])
    enrol = np.rint(enrol * rng.lognormal(0, 0.08, size=enrol.shape)).astype(np.int64)
    can_stop = np.array([DOMAINS[m.domain].profile in _CAN_STOP for m in majors])
    stop = can_stop & (rng.random(n) < ZERO_SHARE / max(can_stop.mean(), 1e-9))
    enrol[stop, -3:] = 0

    year_cols = np.array(YEARS) - first
    lag = np.array([_LAG[m.level] for m in majors])
    retention = rng.uniform(0.85, 0.97, size=(n, 1))
    graduates = np.rint(enrol[np.arange(n)[:, None], year_cols[None, :] - lag[:, None]] * retention)
    graduates = graduates.astype(np.int64)
    target = np.array([p.employment for p in profiles])
    school_effect = rng.normal(0, 0.03, size=(n, 1))
    rate = np.clip(target + school_effect + rng.normal(0, 0.02, size=target.shape), 0.05, 1.0)
    employed = rng.binomial(graduates, rate)
    in_field_share = np.array([p.in_field for p in profiles])[:, None] + rng.normal(0, 0.05, size=(n, 1))
    in_field = rng.binomial(employed, np.clip(in_field_share, 0.05, 1.0))
    salary_base = np.array([DOMAINS[m.domain].salary * _SALARY_FACTOR[m.level] for m in majors])
    growth_salary = 1.04 ** (np.array(YEARS) - YEARS[-1])
    salary = np.round(salary_base[:, None] * growth_salary[None, :] * rng.uniform(0.9, 1.1, size=(n, 1)), -1)
    salary_missing = (rng.random(salary.shape) < 0.02) | (graduates == 0)

    codes = schools.frame["学校代码"].to_numpy()[schools.offer_school]
    years = len(YEARS)
    frame = pl.DataFrame({
        "school_code": np.repeat(codes, years),
        "major_code": np.repeat(np.array([m.code for m in majors]), years),
        "year": np.tile(np.array(YEARS, dtype=np.int64), n),
        "enrolled": enrol[:, year_cols].ravel(),
        "graduates": graduates.ravel(),
        "employed": employed.ravel(),
        "employed_in_field": in_field.ravel(),
        "starting_salary": np.where(salary_missing, np.nan, salary).ravel(),
    }).with_columns(pl.col("starting_salary").fill_nan(None).cast(pl.Int64))
    tiny = pl.col("major_code") == tiny_cohort_major(frame)
    return frame.with_columns(*[pl.when(tiny).then(v).otherwise(pl.col(c)).alias(c) for c, v in TINY_COHORT.items()])
