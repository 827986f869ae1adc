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


# --- the two validators agree on numbers, finiteness, ranges, dates and invisible characters ---

import polars as pl  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from data_contracts.engine import run_contract  # noqa: E402
from data_contracts.spec import parse_contracts  # noqa: E402
from warehouse.db import connect, replace_table  # noqa: E402

PARITY = parse_contracts({"inputs": {"t": {"title": "T", "stems": ["t"], "columns": {
    "n": {"type": "integer", "min": 0, "max": 100000}, "x": {"type": "number", "min": 0, "min_exclusive": True},
    "k": {"type": "code", "pattern": "^[0-9]{3}$"}, "d": {"type": "date"}, "p": {"type": "period"}}}}})["t"]
TRICKY = ["5", "-3", "3.0", "3.5", "1e3", "1E+3", ".5", "5.", "+5", "NaN", "nan", "-NaN", "inf", "-inf", "Infinity",
          "1e30", "1e999", "-1e400", "9007199254740991", "9007199254740993", "1,000", "1_000", "0x10", "abc", "５",
          "5 5", "١٢", "²", "0", "100000", "100001", None]


def _engine_rows(tmp_path, columns: dict[str, list]) -> set[int]:
    frame = pl.DataFrame(columns, schema={k: pl.String for k in columns}).with_row_index("_row", offset=2)
    con = connect(tmp_path / "parity.duckdb")
    try:
        replace_table(con, "stg_t", frame.with_columns(pl.col("_row").cast(pl.Int64)))
        run_contract(con, PARITY, "stg_t", "t.csv", "run-1")
        return {r[0] - 2 for r in con.execute('SELECT DISTINCT "row" FROM rejected_rows').fetchall()}
    finally:
        con.close()


def _ge_rows(columns: dict[str, list]) -> set[int]:
    report = validate(pd.DataFrame(columns), PARITY, {}, result_format="COMPLETE")
    return {i for r in report.results for i in r["rows"]}


def test_engine_and_ge_reject_the_same_tricky_numbers(tmp_path):
    # rows 0..m-1: the tricky value as an integer; rows m..2m-1: as a (strictly positive) number
    m = len(TRICKY)
    columns = {"n": TRICKY + ["1"] * m, "x": ["1"] * m + TRICKY}
    engine = _engine_rows(tmp_path, columns)
    assert engine == _ge_rows(columns)
    bad_as_integer = {"-3", "3.5", "NaN", "nan", "-NaN", "inf", "-inf", "Infinity", "1e30", "1e999", "-1e400",
                      "9007199254740991", "9007199254740993", "1,000", "1_000", "0x10", "abc", "５", "5 5", "١٢",
                      "²", "100001", ".5"}
    assert {TRICKY[i] for i in engine if i < m} == bad_as_integer
    assert {TRICKY[i - m] for i in engine if i >= m} == (bad_as_integer - {"3.5", ".5", "100001", "9007199254740991",
                                                                            "9007199254740993", "1e30"}) | {"0"}


def test_engine_and_ge_reject_the_same_codes_dates_and_invisible_characters(tmp_path):
    columns = {
        "k": ["123", "123\u200b", "12", "\ufeff123", "123", "1\u00ad23", "001"],
        "d": ["2025-01-31", "2025-02-30", "44593.0", "2025", "2025-1", "2025-01", None],
        "p": ["2025-Q1", "2025-Q5", "2025", "2025Q1", None, "2025-Q4", "2025-Q2\u200b"],
    }
    engine = _engine_rows(tmp_path, columns)
    assert engine == _ge_rows(columns) == {1, 2, 3, 4, 5, 6}


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.none(), st.text(alphabet="0123456789.eE+-nafiINF ,", max_size=8)),
                min_size=40, max_size=40))
def test_engine_and_ge_agree_on_any_number_text(tmp_path, values):
    """Whatever a person types into a number column, the two validators refuse the same rows."""
    columns = {"n": values, "x": values[::-1]}
    assert _engine_rows(tmp_path, columns) == _ge_rows(columns)


def test_engine_and_ge_reject_the_same_reversed_date_ranges(tmp_path):
    """Issue 26 item 1: both validators hold every declared date pair to its order, with the same reading
    of months and years (a period end's month is its last day)."""
    contract = parse_contracts({"inputs": {"t": {"title": "T", "stems": ["t"], "columns": {
        "a": {"type": "date"}, "b": {"type": "date", "period_end": True}},
        "row_rules": [{"name": "a_le_b", "kind": "date_order", "columns": ["a", "b"], "reason": "颠倒"}]}}})["t"]
    columns = {"a": ["2025-06-01", "2025-06", "2026", "2025-06-30", "2025-07-01", None, "2025-02-30", "2024"],
               "b": ["2024-01-01", "2025-06", "2025-12", "2025-06", "2025-06", "2020", "2020-01-01", "2024"]}
    frame = pl.DataFrame(columns, schema={k: pl.String for k in columns}).with_row_index("_row", offset=2)
    con = connect(tmp_path / "dates.duckdb")
    try:
        replace_table(con, "stg_t", frame.with_columns(pl.col("_row").cast(pl.Int64)))
        run_contract(con, contract, "stg_t", "t.csv", "run-1")
        engine = {(r[0] - 2, r[1]) for r in con.execute('SELECT "row", rule FROM rejected_rows').fetchall()}
    finally:
        con.close()
    assert engine == {(0, "a_le_b"), (2, "a_le_b"), (4, "a_le_b"), (6, "a.date")}
    report = validate(pd.DataFrame(columns), contract, {}, result_format="COMPLETE")
    pair = [r for r in report.results if r["expectation"] == "expect_column_pair_values_a_to_be_greater_than_b"]
    assert len(pair) == 1 and set(pair[0]["rows"]) == {0, 2, 4}
    assert {i for r in report.results for i in r["rows"]} >= {row for row, rule in engine if rule == "a_le_b"}
