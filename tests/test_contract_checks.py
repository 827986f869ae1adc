"""The contract checks inside Dagster: ERROR blocks what is downstream, WARN shows but lets the run go on."""

from __future__ import annotations

import dagster as dg
import polars as pl
import pytest

from tests.dagster_helpers import INGEST, evaluations, materialize
from tests.handmade_inbox import write_handmade_inbox
from warehouse.db import connect, query_frame

pytestmark = pytest.mark.slow


def run(home, inbox, selection):
    return materialize(selection, home, inbox, raise_on_error=False)


def test_noisy_postings_warn_and_bad_outcomes_block(home, tmp_path):
    inbox = write_handmade_inbox(tmp_path / "inbox")
    postings = pl.DataFrame({"posting_id": [f"p{i}" for i in range(40)], "title": ["Java开发工程师"] * 40,
                             "salary_min": ["8000"] * 40, "salary_max": ["12000"] * 40})
    postings.with_columns(pl.when(pl.int_range(40) == 5).then(pl.lit("30000")).otherwise(pl.col("salary_min"))
                          .alias("salary_min")).write_csv(inbox / "job_postings.csv")
    frame = pl.read_csv(inbox / "school_majors.csv", infer_schema=False)
    frame.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("-1")).otherwise(pl.col("enrolled"))
                       .alias("enrolled")).write_csv(inbox / "school_majors.csv")
    result = run(home, inbox, [*INGEST, "rejected_rows", "major_market_signals", "proposed_major_industries"])
    checks = evaluations(result)
    warn = checks["job_postings_contract"]
    assert warn.passed and warn.severity == dg.AssetCheckSeverity.WARN           # 1 of 40 ≤ 5%: shown, not blocking
    assert "2.5%，低于 5% 的上限，未阻断" in warn.description
    assert "| 7 | salary_min" in warn.metadata["first_rejections"].value
    error = checks["school_majors_contract"]
    assert not error.passed and error.severity == dg.AssetCheckSeverity.ERROR
    assert "不能小于 0" in error.metadata["first_rejections"].value
    # fail fast: great-expectations' second opinion (seconds to import) waits until the inputs pass
    assert error.metadata["great_expectations_ran"].value is False
    assert "未运行：school_majors 未通过数据契约" in error.metadata["great_expectations"].value
    assert warn.metadata["great_expectations_ran"].value is False
    assert checks["majors_contract"].passed
    materialized = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
    assert "major_market_signals" not in materialized                             # blocked downstream
    assert "proposed_major_industries" not in materialized      # fail fast: no model trains after a failed contract
    assert {"majors", "job_postings", "rejected_rows"} <= materialized            # what passed is still recorded
    with connect(home / "warehouse.duckdb") as con:
        rejected = query_frame(con, 'SELECT input, "row", "column" FROM rejected_rows ORDER BY input')
    assert rejected.rows() == [("job_postings", 7, "salary_min（最低月薪）"), ("school_majors", 2, "enrolled（招生人数）")]
    # the run page shows the step's dg.Failure: the Chinese reason and the first rejected rows, not a stack trace
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE)
    data = failure.event_specific_data
    assert "数据契约未通过" in data.error.message and "school_majors" in data.error.message
    assert data.user_failure_data is not None
    meta = data.user_failure_data.metadata
    assert "不能小于 0" in meta["school_majors 前几条拒收行"].value and meta["school_majors 拒收原因"].value
