"""Job postings as demand evidence: counted by industry in DuckDB, matched to majors by code prefix."""

from __future__ import annotations

import polars as pl

from scoring.postings_signal import posting_demand
from scoring.reasons import demand_note
from warehouse.db import connect, replace_table
from warehouse.postings import posting_demand_by_industry


def test_postings_are_counted_by_industry_with_proposed_codes_apart(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    replace_table(con, "job_postings", pl.DataFrame({
        "posting_id": ["a", "b", "c", "d", "e"],
        "posted_on": pl.Series(["2025-03-01", "2025-05-01", "2025-06-01", "2024-01-01", "2025-07-01"]).str.to_date(),
        "industry_code": ["3973", "39", None, "3973", None],
        "openings": [3, None, 2, 9, 4],
    }))
    replace_table(con, "posting_industry_proposals", pl.DataFrame({
        "posting_id": ["c", "e"], "proposed_industry_code": ["3973", None], "confidence": [0.9, 0.2]}))
    counts = posting_demand_by_industry(con)
    con.close()
    rows = {r["industry_code"]: r for r in counts.to_dicts()}
    assert set(rows) == {"3973", "39"}                         # 2024 is not the latest year; e has no code
    assert (rows["3973"]["openings"], rows["3973"]["proposed_openings"]) == (5, 2)
    assert rows["39"]["openings"] == 1                          # a missing openings count is one posting


def test_postings_reach_majors_by_code_prefix_once():
    majors = pl.DataFrame({"major_code": ["510401", "460101", "530101"]})
    imap = pl.DataFrame({"major_code": ["510401", "510401", "460101"], "industry_code": ["397", "3973", "34"],
                         "weight": [None, None, None]})
    counts = pl.DataFrame({"industry_code": ["3973", "39", "34"], "year": [2025] * 3, "openings": [5, 1, 7],
                           "postings": [3, 1, 4], "proposed_openings": [2, 0, 0]})
    out = {r["major_code"]: r for r in posting_demand(majors, imap, counts).to_dicts()}
    assert out["510401"]["posting_openings"] == 6               # 3973 once (not twice) + the coarser 39
    assert out["460101"]["posting_openings"] == 7 and "530101" not in out
    note = demand_note({"demand_supply_ratio": None, **out["510401"]})
    assert "招聘信息中对应行业岗位 6 个" in note and "其中 2 个的行业为模型推断" in note and "不计分" in note
