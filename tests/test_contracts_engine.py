"""The contract engine: each row-level rule rejects the right row and column with a Chinese reason."""

from __future__ import annotations

import polars as pl
import pytest

from data_contracts.engine import run_contract
from data_contracts.spec import load_contracts
from warehouse.db import connect, query_frame, replace_table

CONTRACTS = load_contracts()


def stage(con, name: str, rows: list[dict]) -> None:
    frame = pl.DataFrame(rows, schema={k: pl.String for k in rows[0]}).with_columns(
        _row=pl.int_range(2, len(rows) + 2, dtype=pl.Int64)
    )
    replace_table(con, f"stg_{name}", frame)


def check(con, name: str, rows: list[dict], file: str = "f.csv"):
    stage(con, name, rows)
    return run_contract(con, CONTRACTS[name], f"stg_{name}", file, "run-1")


@pytest.fixture()
def con(tmp_path):
    c = connect(tmp_path / "w.duckdb")
    yield c
    c.close()


def base(con):
    check(con, "majors", [
        {"major_code": "510201", "major_name": "计算机应用技术", "level": "高职专科", "category_name": "电子与信息大类"},
        {"major_code": "610105", "major_name": "电子商务", "level": "中职", "category_name": "财经商贸类"},
    ])
    check(con, "industries", [
        {"industry_code": "C", "industry_name": "制造业", "parent_code": None},
        {"industry_code": "31", "industry_name": "黑色金属冶炼和压延加工业", "parent_code": "C"},
        {"industry_code": "311", "industry_name": "炼铁", "parent_code": "31"},
        {"industry_code": "3110", "industry_name": "炼铁", "parent_code": "311"},
    ])
    check(con, "schools", [{"school_code": "4111010001", "school_name": "北京甲学院", "level": "高职",
                            "district": "海淀区"}])


def test_clean_majors_pass_and_normalise(con):
    outcome = check(con, "majors", [
        {"major_code": "310201", "major_name": "软件工程技术", "level": "职教本科", "category_name": "电子与信息大类"},
        {"major_code": "520101K", "major_name": "临床医学", "level": "高职专科", "category_name": "医药卫生大类"},
    ])
    assert outcome.passed and outcome.rows_rejected == 0 and outcome.severity == "OK"
    majors = query_frame(con, "SELECT major_code, level FROM majors ORDER BY major_code")
    assert majors.rows() == [("310201", "职业本科"), ("520101K", "高职专科")]


def test_number_mangled_code_names_row_and_column(con):
    outcome = check(con, "majors", [
        {"major_code": "510201", "major_name": "a", "level": "高职专科", "category_name": "x"},
        {"major_code": "10101.0", "major_name": "b", "level": "中职", "category_name": "x"},
    ], file="majors.csv")
    assert not outcome.passed
    first = outcome.first[0]
    assert (first["row"], first["column"], first["value"]) == (3, "major_code（专业代码）", "10101.0")
    assert "数字" in first["reason"]
    assert "majors.csv" in outcome.message() and "第 3 行" in outcome.message()
    rejected = query_frame(con, 'SELECT input, file, "row", rule FROM rejected_rows')
    assert rejected.rows() == [("majors", "majors.csv", 3, "major_code.number_mangled")]


def test_scientific_notation_code_is_refused(con):
    outcome = check(con, "schools", [{"school_code": "1.1101E+9", "school_name": "x", "level": "高职",
                                      "district": "海淀区"}])
    assert outcome.by_rule == {"school_code.number_mangled": 1}


def test_duplicate_key_rejects_the_later_row(con):
    outcome = check(con, "majors", [
        {"major_code": "510201", "major_name": "a", "level": "高职专科", "category_name": "x"},
        {"major_code": "510202", "major_name": "b", "level": "高职专科", "category_name": "x"},
        {"major_code": "510201", "major_name": "c", "level": "高职专科", "category_name": "x"},
    ])
    assert outcome.rows_rejected == 1
    assert outcome.first[0]["row"] == 4 and "与第 2 行重复" in outcome.first[0]["reason"]
    assert query_frame(con, "SELECT major_name FROM majors ORDER BY major_code")["major_name"].to_list() == ["a", "b"]


def test_duplicate_keys_with_an_empty_key_column_are_still_duplicates(con):
    """labor_market's key holds occupation_code, empty on every industry row: rows that agree on the rest
    are the same series twice (empty key cells count as equal, as in SQL's PARTITION BY)."""
    row = {"period": "2025-Q1", "industry_code": "65", "occupation_code": None, "demand": "10", "supply": "8",
           "region": None}
    outcome = check(con, "labor_market", [row, {**row, "period": "2025-Q2"}, {**row, "demand": "11"},
                                          {**row, "industry_code": "72"}, {**row, "supply": "9"}])
    duplicates = [(v["row"], v["reason"]) for v in outcome.first if v["rule"] == "duplicate_key"]
    assert [r for r, _ in duplicates] == [4, 6] and all("与第 2 行重复" in reason for _, reason in duplicates)
    assert outcome.rows_rejected == 2


def test_unknown_reference_code(con):
    base(con)
    outcome = check(con, "major_industry_map", [
        {"major_code": "510201", "industry_code": "3110", "weight": "1"},
        {"major_code": "599999", "industry_code": "3110", "weight": "1"},
        {"major_code": "510201", "industry_code": "99", "weight": None},
    ])
    assert outcome.rows_rejected == 2
    reasons = {(v["row"], v["rule"]): v["reason"] for v in outcome.first}
    assert "专业目录" in reasons[(3, "major_code.reference")]
    assert "行业分类" in reasons[(4, "industry_code.reference")]


def test_unknown_category_and_scope_default(con):
    base(con)
    outcome = check(con, "industry_adjustments", [
        {"list_name": "禁限目录", "category": "禁止", "industry_code": "31", "scope": None, "effective_from": "2022-04"},
        {"list_name": "禁限目录", "category": "鼓励", "industry_code": "311", "scope": "全市", "effective_from": "2022"},
    ])
    assert outcome.by_rule == {"category.allowed": 1}
    clean = query_frame(con, "SELECT category, scope, CAST(effective_from AS VARCHAR) AS d FROM industry_adjustments")
    assert clean.rows() == [("prohibited", "全市", "2022-04-01")]


def test_negative_count_and_employed_above_graduates(con):
    base(con)
    outcome = check(con, "school_majors", [
        {"school_code": "4111010001", "major_code": "510201", "year": "2025", "enrolled": "-3",
         "graduates": "40", "employed": "30"},
        {"school_code": "4111010001", "major_code": "510201", "year": "2024", "enrolled": "50",
         "graduates": "40", "employed": "45"},
        {"school_code": "4111010001", "major_code": "510201", "year": "2023", "enrolled": "50.0",
         "graduates": "40", "employed": "38", "employed_in_field": "20"},
    ])
    assert outcome.by_rule == {"enrolled.min": 1, "employed_le_graduates": 1}
    assert {v["row"] for v in outcome.first} == {2, 3}
    clean = query_frame(con, "SELECT year, enrolled FROM school_majors")
    assert clean.rows() == [(2023, 50)]


def test_labor_market_exactly_one_code_and_period(con):
    base(con)
    outcome = check(con, "labor_market", [
        {"period": "2025-Q3", "industry_code": "31", "occupation_code": None, "demand": "10", "supply": "20"},
        {"period": "2025-Q5", "industry_code": "31", "occupation_code": None, "demand": "10", "supply": "20"},
        {"period": "2025", "industry_code": None, "occupation_code": None, "demand": "10", "supply": "20"},
    ])
    assert outcome.by_rule == {"exactly_one_code": 1, "period.period": 1}
    clean = query_frame(con, "SELECT year, quarter, region FROM labor_market")
    assert clean.rows() == [(2025, 3, "北京市")]


def test_tolerance_lets_noisy_postings_through_with_warning(con):
    base(con)
    rows = [{"posting_id": f"p{i}", "title": "Java开发", "salary_min": "8000", "salary_max": "12000"}
            for i in range(40)]
    rows[5]["salary_min"] = "20000"
    outcome = check(con, "job_postings", rows)
    assert outcome.rows_rejected == 1 and outcome.passed and outcome.severity == "WARN"
    rows[6]["salary_min"] = rows[7]["salary_min"] = "20000"
    assert not check(con, "job_postings", rows).passed  # 3/40 = 7.5% > 5%


def test_industries_derive_level_and_section(con):
    base(con)
    rows = query_frame(con, "SELECT industry_code, industry_level, section FROM industries ORDER BY industry_code")
    assert rows.rows() == [("31", "大类", "C"), ("311", "中类", "C"), ("3110", "小类", "C"), ("C", "门类", "C")]


def test_rerun_replaces_rejections(con):
    bad = [{"major_code": "10101.0", "major_name": "b", "level": "中职", "category_name": "x"}]
    check(con, "majors", bad)
    check(con, "majors", [{"major_code": "610101", "major_name": "b", "level": "中职", "category_name": "x"}])
    assert query_frame(con, "SELECT count(*) AS n FROM rejected_rows WHERE input = 'majors'")["n"][0] == 0


def test_absent_optional_reference_is_not_checked_but_said(con):
    """No occupations file: occupation-keyed labour rows are kept, and the contract says it did not check."""
    base(con)
    check(con, "occupations", [{"occupation_code": "2-02-10-01", "occupation_name": "x"}])
    con.execute("INSERT OR REPLACE INTO input_files (input, file) VALUES ('occupations', '')")  # not provided
    outcome = check(con, "labor_market", [
        {"period": "2025-Q1", "industry_code": None, "occupation_code": "4-01-02-01", "demand": "5", "supply": "4"},
    ])
    assert outcome.passed and outcome.rows_clean == 1
    assert any("occupation_code 引用的 occupations 未提供" in w for w in outcome.warnings)
    con.execute("INSERT OR REPLACE INTO input_files (input, file) VALUES ('occupations', 'occupations.csv')")
    assert check(con, "labor_market", [
        {"period": "2025-Q1", "industry_code": None, "occupation_code": "4-01-02-01", "demand": "5", "supply": "4"},
    ]).by_rule == {"occupation_code.reference": 1}


def test_default_and_allowed_survive_a_typed_column(con):
    """An edited contract may give a number column a default: the cast applies to the defaulted value."""
    from dataclasses import replace

    contract = CONTRACTS["school_majors"]
    columns = dict(contract.columns)
    columns["graduates"] = replace(columns["graduates"], default="0")
    edited = replace(contract, columns=columns)
    base(con)
    stage(con, "school_majors", [{"school_code": "4111010001", "major_code": "510201", "year": "2025",
                                  "enrolled": "3", "graduates": None}])
    run_contract(con, edited, "stg_school_majors", "f.csv", "run-1")
    assert query_frame(con, "SELECT graduates FROM school_majors").rows() == [(0,)]


def test_effective_to_is_optional_and_a_month_or_year_means_its_last_day(con):
    base(con)
    outcome = check(con, "industry_adjustments", [
        {"list_name": "甲", "category": "禁止", "industry_code": "31", "effective_from": "2030-01",
         "effective_to": "2031-02"},
        {"list_name": "乙", "category": "禁止", "industry_code": "31", "effective_from": "2030", "effective_to": "2032"},
        {"list_name": "丙", "category": "禁止", "industry_code": "311", "effective_from": "2030-01-15",
         "effective_to": "2030-03-15"},
        {"list_name": "丁", "category": "禁止", "industry_code": "311", "effective_from": "2030"},
        {"list_name": "戊", "category": "禁止", "industry_code": "31", "effective_to": "2030-13"},
    ])
    assert outcome.by_rule == {"effective_to.date": 1}
    clean = query_frame(con, "SELECT list_name, CAST(effective_from AS VARCHAR), CAST(effective_to AS VARCHAR) "
                             "FROM industry_adjustments ORDER BY source_row")
    assert clean.rows() == [("甲", "2030-01-01", "2031-02-28"), ("乙", "2030-01-01", "2032-12-31"),
                            ("丙", "2030-01-15", "2030-03-15"), ("丁", "2030-01-01", None)]


def test_overrides_contract_checks_value_against_field(con):
    base(con)
    ok = {"reason": "复核", "decided_by": "教委甲", "decided_at": "2026-06-01T10:00:00+00:00"}
    outcome = check(con, "overrides", [
        {"override_id": "1", "major_code": "510201", "school_code": None, "field": "指导类别", "value": "正常",
         "expires": None, **ok},
        {"override_id": "2", "major_code": "510201", "school_code": "4111010001", "field": "restriction",
         "value": "无", "expires": "2027-06", **ok},
        {"override_id": "3", "major_code": "510201", "field": "warning_level", "value": "紫", **ok},
        {"override_id": "4", "major_code": "590999", "field": "guidance", "value": "正常", **ok},
    ])
    # an unknown major is skipped with a warning (issue 26 item 7), a wrong value is rejected
    assert outcome.by_rule == {"override_value_matches_field": 1, "major_code.reference_skipped": 1}
    assert outcome.rows_rejected == 1
    clean = query_frame(con, "SELECT override_id, field, CAST(expires AS VARCHAR) FROM overrides ORDER BY 1")
    assert clean.rows() == [("1", "guidance", None), ("2", "restriction", "2027-06-30")]


def test_override_rule_sql_lists_the_values_scoring_accepts():
    from data_contracts.rules import ROW_RULES
    from scoring.overrides import VALUES
    sql = ROW_RULES["override_value_matches_field"][0]
    for values in VALUES.values():
        assert all(f"'{v}'" in sql for v in values)


def test_rejected_rows_are_kept_per_run_with_the_input_hash(con):
    """A later run that re-checks majors never deletes an earlier run's rejections (issue 14, item 8)."""
    bad = [{"major_code": "10101.0", "major_name": "b", "level": "中职", "category_name": "x"}]
    stage(con, "majors", bad)
    run_contract(con, CONTRACTS["majors"], "stg_majors", "majors.csv", "run-A", input_sha256="a" * 64)
    check(con, "majors", [{"major_code": "610101", "major_name": "b", "level": "中职", "category_name": "x"}])
    stage(con, "majors", bad)
    run_contract(con, CONTRACTS["majors"], "stg_majors", "majors.csv", "run-B", input_sha256="b" * 64)
    kept = query_frame(con, 'SELECT run_id, input_sha256, "row" FROM rejected_rows ORDER BY run_id').rows()
    assert kept == [("run-A", "a" * 64, 2), ("run-B", "b" * 64, 2)]


def test_stored_rejections_are_capped_and_the_rest_counted(con):
    from dataclasses import replace

    contract = replace(CONTRACTS["majors"], limits=replace(CONTRACTS["majors"].limits, rejected_rows_kept=3))
    stage(con, "majors", [{"major_code": f"9{i:05d}", "major_name": "b", "level": "中职", "category_name": "x"}
                          for i in range(10)])
    outcome = run_contract(con, contract, "stg_majors", "majors.csv", "run-1")
    assert outcome.rows_rejected == 10 and outcome.rejected_kept == 3 and outcome.rejected_not_kept == 7
    assert query_frame(con, "SELECT count(*) AS n FROM rejected_rows")["n"][0] == 3
    assert any("只保存了前 3 个" in w for w in outcome.warnings)


def test_999999_is_told_which_rule_it_breaks(con):
    outcome = check(con, "majors", [{"major_code": "999999", "major_name": "b", "level": "中职", "category_name": "x"}])
    reason = outcome.first[0]["reason"]
    assert "首位应为2–7" in reason and "应为6位数字" not in reason


def test_an_old_home_gets_the_input_hash_column(tmp_path):
    import duckdb

    path = tmp_path / "old.duckdb"
    old = duckdb.connect(str(path))
    old.execute('CREATE TABLE rejected_rows (input VARCHAR, file VARCHAR, "row" BIGINT, "column" VARCHAR, '
                '"value" VARCHAR, rule VARCHAR, reason VARCHAR, run_id VARCHAR, loaded_at TIMESTAMP)')
    old.close()
    con = connect(path)
    try:
        stage(con, "majors", [{"major_code": "10101.0", "major_name": "b", "level": "中职", "category_name": "x"}])
        run_contract(con, CONTRACTS["majors"], "stg_majors", "majors.csv", "run-1", input_sha256="c" * 64)
        assert query_frame(con, "SELECT input_sha256 FROM rejected_rows").rows() == [("c" * 64,)]
    finally:
        con.close()


def test_a_reversed_date_range_is_refused_naming_row_and_column(con):
    """Issue 26 item 1: 生效日期 2025-06-01 with 失效日期 2024-01-01 passed and moved six majors."""
    base(con)
    outcome = check(con, "industry_adjustments", [
        {"list_name": "甲", "category": "禁止", "industry_code": "31", "effective_from": "2025-06-01",
         "effective_to": "2024-01-01"},
        {"list_name": "乙", "category": "禁止", "industry_code": "311", "effective_from": "2025-06",
         "effective_to": "2025-06"},  # one month: the 1st to the 30th, in order
        {"list_name": "丙", "category": "限制", "industry_code": "31", "effective_from": "2026",
         "effective_to": "2025-12"},
        {"list_name": "丁", "category": "限制", "industry_code": "311", "effective_from": "2025-06-01"},
    ], file="产业调整清单.csv")
    assert not outcome.passed and outcome.by_rule == {"effective_from_le_to": 2}
    assert [(v["row"], v["column"], v["value"]) for v in outcome.first] == [
        (2, "effective_to（失效日期）", "2024-01-01"), (4, "effective_to（失效日期）", "2025-12")]
    assert "生效日期晚于失效日期" in outcome.first[0]["reason"] and "2025-06-01" in outcome.first[0]["reason"]
    assert "产业调整清单.csv" in outcome.message() and "第 2 行" in outcome.message()
    kept = query_frame(con, 'SELECT file, "row", "column" FROM rejected_rows ORDER BY "row"')
    assert kept.rows() == [("产业调整清单.csv", 2, "effective_to（失效日期）"), ("产业调整清单.csv", 4, "effective_to（失效日期）")]
    assert query_frame(con, "SELECT list_name FROM industry_adjustments ORDER BY source_row").rows() == [("乙",), ("丁",)]


def test_every_pair_of_dates_in_every_input_is_checked_for_order():
    """The class, not the instance: an input with two date columns must declare their order (kind date_order)."""
    from itertools import combinations

    from data_contracts.spec import date_columns, ordered_date_pairs

    for contract in CONTRACTS.values():
        declared = {frozenset(pair) for pair in ordered_date_pairs(contract)}
        for pair in combinations(date_columns(contract), 2):
            assert frozenset(pair) in declared, f"{contract.name}: the order of {pair} is not checked"
    assert ("effective_from", "effective_to") in ordered_date_pairs(CONTRACTS["industry_adjustments"])


def test_a_date_order_rule_must_name_two_date_columns():
    from data_contracts.spec import ContractSpecError, parse_contracts

    spec = {"inputs": {"t": {"title": "T", "stems": ["t"], "columns": {"a": {"type": "date"}, "b": {"type": "text"}},
                             "row_rules": [{"name": "r", "kind": "date_order", "columns": ["a", "b"], "reason": "x"}]}}}
    with pytest.raises(ContractSpecError, match="date_order"):
        parse_contracts(spec)


def test_an_override_of_a_major_that_has_left_the_catalog_is_skipped_with_a_warning(con):
    """Issue 26 item 7: such an override blocked next year's whole run; now it is left out and said."""
    base(con)
    ok = {"field": "指导类别", "value": "正常", "reason": "复核", "decided_by": "教委甲",
          "decided_at": "2026-06-01T10:00:00+00:00"}
    outcome = check(con, "overrides", [
        {"override_id": "1", "major_code": "510201", "school_code": None, **ok},
        {"override_id": "2", "major_code": "530101", "school_code": None, **ok},            # left the catalog
        {"override_id": "3", "major_code": "510201", "school_code": "4111019999", **ok},    # school closed
    ], file="overrides.csv")
    assert outcome.passed and outcome.rows_rejected == 0 and outcome.severity == "WARN"
    assert outcome.rows_clean == 1 and outcome.first == []
    assert any("2 行引用的代码已不在" in w and "第 3 行、第 4 行" in w for w in outcome.warnings), outcome.warnings
    kept = query_frame(con, 'SELECT "row", rule, reason FROM rejected_rows ORDER BY "row"').rows()
    assert [(r, rule) for r, rule, _ in kept] == [(3, "major_code.reference_skipped"),
                                                  (4, "school_code.reference_skipped")]
    assert all("已跳过" in reason for *_, reason in kept)
    assert query_frame(con, "SELECT override_id FROM overrides").rows() == [("1",)]


def test_a_malformed_override_code_still_blocks(con):
    base(con)
    outcome = check(con, "overrides", [
        {"override_id": "1", "major_code": "64 0103", "field": "指导类别", "value": "正常", "reason": "复核",
         "decided_by": "教委甲", "decided_at": "2026-06-01T10:00:00+00:00"}])
    assert not outcome.passed and outcome.first[0]["column"] == "major_code（专业代码）"


def test_code_changes_refuse_what_history_cannot_follow_naming_row_and_column(con):
    """code_changes (issue 27): a new code not in the catalog, an old code still current, a split whose shares do
    not add up to 1 and a code of the wrong kind are each refused at their row and column."""
    base(con)
    outcome = check(con, "code_changes", [
        {"kind": "专业", "old_code": "560101", "new_code": "510201", "year": "2022", "share": None},
        {"kind": "专业", "old_code": "560102", "new_code": "510299", "year": "2022", "share": None},
        {"kind": "专业", "old_code": "610105", "new_code": "510201", "year": "2022", "share": None},
        {"kind": "专业", "old_code": "560103", "new_code": "510201", "year": "2022", "share": "0.5"},
        {"kind": "专业", "old_code": "560103", "new_code": "610105", "year": "2022", "share": "0.3"},
        {"kind": "行业", "old_code": "560104", "new_code": "3110", "year": "2022", "share": None},
    ], file="code_changes.csv")
    found = {(f["row"], f["column"]) for f in outcome.first}
    assert (3, "new_code（新代码）") in found  # 510299 is not in the catalog
    assert (4, "old_code（原代码）") in found  # 610105 is a current major
    assert {(5, "share（拆分比例）"), (6, "share（拆分比例）")} <= found  # 0.5 + 0.3 ≠ 1
    assert (7, "old_code（原代码）") in found  # a major's code as an industry code
    assert 2 not in {f["row"] for f in outcome.first} and outcome.rows_rejected == 5 and not outcome.passed
    assert "code_changes.csv" in outcome.message() and "拆分比例" in outcome.message()


def test_school_majors_accept_a_former_code_and_nothing_else(con):
    base(con)
    check(con, "code_changes", [{"kind": "专业", "old_code": "560101", "new_code": "510201", "year": "2022",
                                 "share": None}])
    outcome = check(con, "school_majors", [
        {"school_code": "4111010001", "major_code": "560101", "year": "2020", "enrolled": "40"},
        {"school_code": "4111010001", "major_code": "560109", "year": "2020", "enrolled": "40"},
    ])
    assert [(f["row"], f["column"]) for f in outcome.first] == [(3, "major_code（专业代码）")]
    assert "也不是原专业代码" in outcome.first[0]["reason"]


def test_school_districts_latest_row_must_be_the_schools_district(con):
    base(con)
    outcome = check(con, "school_districts", [
        {"school_code": "4111010001", "district": "海淀区", "from_year": "2000"},
        {"school_code": "4111010001", "district": "昌平区", "from_year": "2024"},
    ], file="school_districts.csv")
    assert [(f["row"], f["column"]) for f in outcome.first] == [(3, "district（所在区）")]
    assert "学校表" in outcome.first[0]["reason"]


def test_a_former_code_that_is_still_current_is_refused(con):
    outcome = check(con, "majors", [
        {"major_code": "510201", "major_name": "计算机应用技术", "level": "高职专科", "category_name": "电子与信息大类",
         "former_codes": "590101、510202"},
        {"major_code": "510202", "major_name": "计算机网络技术", "level": "高职专科", "category_name": "电子与信息大类"},
        {"major_code": "510203", "major_name": "软件技术", "level": "高职专科", "category_name": "电子与信息大类",
         "former_codes": "590102;590103"},
    ], file="majors.csv")
    assert [(f["row"], f["column"]) for f in outcome.first] == [(2, "former_codes（原专业代码）")]
    assert "原专业代码仍是现行目录中的专业代码" in outcome.first[0]["reason"]
