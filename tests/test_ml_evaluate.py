"""The evaluation entry point: every model measured, a Chinese report, honest skips."""

from __future__ import annotations

import polars as pl

from ml.evaluate import evaluate_all, format_report
from tests.test_ml_forecast import _series
from tests.test_ml_mapping import _frames
from tests.test_ml_postings import _postings


def test_evaluate_all_measures_what_is_there():
    majors, pairs, occupations = _frames()
    more = pl.concat([majors, majors.with_columns(("9" + pl.col("major_code").str.slice(1)).alias("major_code"))])
    more_pairs = pl.concat([pairs, pairs.with_columns(("9" + pl.col("major_code").str.slice(1)).alias("major_code"))])
    frames = {"majors": more, "major_occupation_map": more_pairs, "occupations": occupations,
              "labor_market": _series("trend", n=10, years=5), "job_postings": _postings(300)}
    metrics = evaluate_all(frames, seed=0)
    assert metrics["mapping_occupation"]["n_majors"] == 16
    assert "skipped" in metrics["mapping_industry"]
    assert set(metrics["forecast_industry_code"]["mase"]) == {"model", "naive", "seasonal_naive"}
    assert "skipped" in metrics["forecast_occupation_code"]         # no occupation-keyed series here
    assert metrics["classifier"]["macro_f1"] > 0.9
    report = format_report(metrics)
    assert "模型评估报告" in report and "前10召回率" in report and "未评估" in report and "宏平均F1" in report


def test_evaluate_all_with_nothing_skips_everything():
    metrics = evaluate_all({}, seed=0)
    assert all("skipped" in section for section in metrics.values())
    assert format_report(metrics).count("未评估") == 7  # five models, the back-test of past flags and P(红) at graduation
