"""great-expectations and the DuckDB engine agree on what is wrong with an input."""

from __future__ import annotations

import pandas as pd

from data_contracts.ge_runner import GE_MAX_ROWS, validate
from data_contracts.spec import load_contracts

SCHOOL_MAJORS = load_contracts()["school_majors"]


def test_ge_finds_the_same_violations():
    frame = pd.DataFrame({
        "school_code": ["4111010001", "4111010001", "10101.0"],
        "major_code": ["510201", "510201", "510202"],
        "year": ["2025", "2024", "2025"],
        "enrolled": ["-3", "50", "12"],
        "graduates": ["40", "40", " "],
        "employed": ["30", "45", None],
    })
    report = validate(frame, SCHOOL_MAJORS, {"school_code": ["4111010001"], "major_code": ["510201", "510202"]})
    assert report.ran and not report.success
    failed = {(r["expectation"], r["column"]): r["unexpected_count"] for r in report.results if not r["success"]}
    assert failed[("expect_column_values_to_be_between", "enrolled")] == 1
    assert failed[("expect_column_values_to_match_regex", "school_code")] == 1
    assert failed[("expect_column_values_to_be_in_set", "school_code")] == 1
    assert failed[("expect_column_pair_values_a_to_be_greater_than_b", "graduates≥employed")] == 1
    assert "❌" in report.markdown()


def test_clean_frame_passes():
    frame = pd.DataFrame({"school_code": ["4111010001"], "major_code": ["510201"], "year": ["2025"],
                          "enrolled": ["10"], "graduates": ["9"], "employed": ["9"], "employed_in_field": ["3"]})
    report = validate(frame, SCHOOL_MAJORS, {})
    assert report.ran and report.success, report.markdown()


def test_large_inputs_are_left_to_duckdb():
    frame = pd.DataFrame({"school_code": ["4111010001"] * (GE_MAX_ROWS + 1)})
    report = validate(frame, SCHOOL_MAJORS, {})
    assert not report.ran and "DuckDB" in report.note
