"""P(红) at graduation on past origins (scoring.calibration): a planted history whose future is known."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from scoring.calibration import calibration, forecasts_and_outcomes, format_calibration, measure, reliability
from scoring.policy import load_policy
from tests.scoring_fixtures import history_frames

YEARS = range(2017, 2026)
FALLING, STEADY, BAD = range(0, 10), range(10, 20), range(20, 30)  # majors by their planted employment path


def _rate(i: int, year: int) -> float:
    if i in FALLING:  # 95 % in 2017, six points fewer a year: below the 60 % floor from 2023, 红 from 2024
        return 0.95 - 0.06 * (year - 2017)
    return 0.90 if i in STEADY else 0.40


def planted() -> dict[str, pl.DataFrame]:
    codes = [f"7100{i:02d}" for i in range(30)]
    rows = [("1111000001", code, y, 100, 200, round(200 * _rate(i, y)), 100, None)
            for i, code in enumerate(codes) for y in YEARS]
    sm = pl.DataFrame(rows, orient="row", schema={
        "school_code": pl.String, "major_code": pl.String, "year": pl.Int32, "enrolled": pl.Int32,
        "graduates": pl.Int32, "employed": pl.Int32, "employed_in_field": pl.Int32, "starting_salary": pl.Float64})
    return history_frames(pl.DataFrame({"major_code": codes, "level": ["高职专科"] * 30}), sm)


def test_the_planted_future_is_foretold_better_than_by_both_baselines():
    frames = planted()
    pairs = forecasts_and_outcomes(frames, load_policy())
    assert pairs["origin"].unique().sort().to_list() == [2018, 2019, 2020, 2021, 2022]  # 3 years to graduation
    falling = pairs.filter(pl.col("major_code").is_in([f"7100{i:02d}" for i in FALLING]))
    # the planted truth: the falling majors are 红 in 2024 and 2025 only, the bad ones always, the steady never
    assert falling.filter(pl.col("red_after") == 1)["origin"].unique().sort().to_list() == [2021, 2022]
    assert falling.filter(pl.col("origin") >= 2021)["red_now"].sum() == 0  # carrying today forward misses them
    m = measure(pairs)
    brier = {k: v["brier"] for k, v in m["methods"].items()}
    assert brier["model"] < brier["carry_forward"] and brier["model"] < brier["base_rate"], brier
    assert m["model_beats_baselines"]
    model = m["methods"]["model"]
    assert model["recall"] > m["methods"]["carry_forward"]["recall"]
    assert sum(r["count"] for r in model["reliability"]) == pairs.height
    report = "\n".join(format_calibration(m))
    assert "布赖尔分数" in report and "沿用当年结论" in report and "可靠性" in report


def test_reliability_bins_and_a_short_history():
    table = reliability(np.array([0.05, 0.07, 0.95]), np.array([0.0, 1.0, 1.0]))
    assert table == [{"bin": "0.0–0.1", "predicted": pytest.approx(0.06), "observed": 0.5, "count": 2},
                     {"bin": "0.9–1.0", "predicted": 0.95, "observed": 1.0, "count": 1}]
    frames = planted()
    frames["school_majors"] = frames["school_majors"].filter(pl.col("year") >= 2022)
    assert "skipped" in calibration(frames, load_policy())
