"""The model assets through dg.materialize on a temporary warehouse, and the rule that models never restrict."""

from __future__ import annotations

import json

import polars as pl
import pytest

from tests.dagster_helpers import materialize
from tests.shared_homes import copy_run, read_record
from warehouse.db import connect, query_frame, replace_table

pytestmark = pytest.mark.slow


def test_the_run_fits_and_applies_every_model_in_workers_never_importing_scikit_learn(sample_trained):
    # the session's run trained every model (none was loaded) in a fresh Python that kept its own module list
    record = read_record(sample_trained)
    trained = {name: meta["model_reused"] for name, meta in record["assets"].items() if "model_reused" in meta}
    assert set(trained) == {"proposed_major_industries", "proposed_major_occupations", "labor_forecasts",
                            "posting_industry_proposals"} and not any(trained.values())
    assert "sklearn" not in record["imported"]


def test_model_assets_on_the_sample_and_evaluate_agrees(sample_trained, sample_evaluated, tmp_path):
    # the session's run of the inputs and the model assets on the sample (dg.materialize, fresh home), in a copy
    record = read_record(sample_trained)
    assert record["success"]
    meta = record["assets"]
    home = copy_run(sample_trained, tmp_path).home
    assert meta["proposed_major_industries"]["recall_at_10"] > 0.5
    assert meta["posting_industry_proposals"]["macro_f1"] > meta["posting_industry_proposals"][
        "majority_baseline_accuracy"] / 2
    con = connect(home / "warehouse.duckdb")
    proposed = query_frame(con, "SELECT * FROM proposed_major_industries")
    mapped = set(query_frame(con, "SELECT DISTINCT major_code FROM major_industry_map")["major_code"])
    assert proposed.height and not set(proposed["major_code"]) & mapped        # only for unmapped majors
    assert proposed["score"].min() >= 0.5 and proposed["model_version"].n_unique() == 1
    occupations = query_frame(con, "SELECT * FROM proposed_major_occupations")
    with_map = set(query_frame(con, "SELECT DISTINCT major_code FROM major_occupation_map")["major_code"])
    assert not set(occupations["major_code"]) & with_map
    assert occupations.height > 0 and occupations["occupation_code"].str.contains("-").all()
    quality = query_frame(con, "SELECT * FROM forecast_quality")
    assert set(quality["level"]) == {"industry_code", "occupation_code"}
    forecasts = query_frame(con, "SELECT * FROM labor_forecasts")
    usable = set(quality.filter(pl.col("usable"))["level"])
    assert forecasts.height == 0 or all(forecasts[level].is_not_null().any() for level in usable)
    postings = query_frame(con, "SELECT p.industry_code FROM posting_industry_proposals x "
                                "JOIN job_postings p USING (posting_id)")
    assert postings.height > 0 and postings["industry_code"].null_count() == postings.height
    con.close()
    record = json.loads((home / "models" / "mapping_industry" / "mapping_industry.json").read_text("utf-8"))
    assert record["version"].startswith(proposed["model_version"][0]) and record["metrics"]["recall_at_10"] > 0.5

    # `majorwatch evaluate` on the same inbox (run once per session: tests/shared_homes.py) reports the numbers
    # the assets recorded
    assert sample_evaluated.argv == ["evaluate", "--inbox", str(sample_trained.inbox), "--json"]
    assert sample_evaluated.code == 0, sample_evaluated.err[-2000:]
    report = json.loads(sample_evaluated.out)
    assert round(report["mapping_industry"]["recall_at_10"], 4) == meta["proposed_major_industries"]["recall_at_10"]
    assert round(report["mapping_industry"]["mrr"], 4) == meta["proposed_major_industries"]["mrr"]
    assert round(report["mapping_occupation"]["recall_at_10"], 4) == \
        meta["proposed_major_occupations"]["recall_at_10"]
    assert round(report["classifier"]["macro_f1"], 4) == meta["posting_industry_proposals"]["macro_f1"]
    calibration = report["graduation_calibration"]  # P(红) at graduation on past origins (issue 29 item 2)
    briers = {k: v["brier"] for k, v in calibration["methods"].items()}
    assert set(briers) == {"model", "carry_forward", "base_rate"} and calibration["model_beats_baselines"], briers
    assert all(v["reliability"] for v in calibration["methods"].values())
    # … and the evaluate_models job's asset recorded the same back-test (one call, not a copy)
    recorded = meta["model_calibration"]
    assert recorded["brier"] == briers and recorded["model_beats_baselines"]
    assert recorded["pairs"] == calibration["pairs"] and recorded["origins"] == calibration["origins"]
    assert "布赖尔分数" in recorded["brier_table"] and "预测区间" in recorded["reliability_table"]
    assert "data:image/svg+xml;base64," in recorded["brier_chart"]
    flags = report["flags_backtest"]
    assert meta["backtest_verdicts"]["flags_lift"] == flags["lift"] and flags["lift"] > 1
    with connect(home / "warehouse.duckdb") as con:
        table = query_frame(con, "SELECT method, brier FROM model_calibration")
        years = query_frame(con, "SELECT DISTINCT data_year FROM backtest_verdicts ORDER BY 1")["data_year"]
    assert dict(table.iter_rows()) == briers
    assert set(years) >= {o for o in flags["origins"]}
    usable = meta["labor_forecasts"]["beats_seasonal_naive"]
    for level in ("industry_code", "occupation_code"):
        assert report[f"forecast_{level}"]["beats_seasonal_naive"] == usable[level]


def test_a_model_proposal_alone_never_puts_a_major_on_the_restriction_list(handmade_published, tmp_path):
    own = copy_run(handmade_published, tmp_path / "own")     # the hand-made inbox ingested (and run) once per session
    home, inbox = own.home, own.inbox
    # the model says 精细化工技术 (no map row) serves 大类 26, which is prohibited citywide
    with connect(home / "warehouse.duckdb") as con:
        replace_table(con, "proposed_major_industries", pl.DataFrame({
            "major_code": ["470202"], "industry_code": ["26"], "score": [0.97], "rank": [1],
            "model_version": ["test"]}, schema_overrides={"rank": pl.Int32}))
    score = ["major_industry_exposure", "labor_forecasts", "forecast_quality", "posting_industry_proposals", "posting_demand",
             "major_market_signals", "major_risk_scores",
             "school_major_scores", "guiding_catalog", "restriction_list"]
    assert materialize(score, home, inbox).success
    with connect(home / "warehouse.duckdb") as con:
        row = query_frame(con, "SELECT * FROM major_risk_scores WHERE major_code = '470202'").row(0, named=True)
        banned = query_frame(con, "SELECT * FROM major_risk_scores WHERE major_code = '470201'").row(0, named=True)
        listed = set(query_frame(con, "SELECT major_code FROM restriction_list")["major_code"])
    assert row["mapping_source"] == "proposed" and row["exposure_prohibited"] == 1.0
    assert row["part_prohibited"] > 0                      # the proposal raises the score …
    assert row["restriction"] is None and "470202" not in listed   # … but never restricts alone
    assert "模型推断" in row["basis"] and "0.97" in row["basis"]           # the full basis names the model
    assert banned["restriction"] == "停止新设" and "470201" in listed  # the mapped twin is restricted
