"""求人倍率 by channel (issue 29): the public employment service's ratio beside de-duplicated postings, each with its
coverage; a ratio only where there are job seekers (never for postings, never from a rank)."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from documents.groups import industry_groups
from scoring.channels import (
    COLUMNS,
    GROUP,
    OCCUPATION,
    OPPOSITE,
    channel_coverage,
    coverage_words,
    demand_channels,
    major_channels,
)
from warehouse.db import query_frame
from warehouse.postings import POSTING_OPENINGS_SQL

INDUSTRIES = pl.DataFrame({
    "industry_code": ["C", "34", "341", "342", "36", "361", "38", "I", "65"],
    "industry_name": ["制造业", "通用设备制造业", "锅炉", "金属加工机械", "汽车制造业", "汽车整车", "电气机械", "信息技术", "软件"],
    "parent_code": [None, "C", "34", "34", "C", "36", "C", None, "I"],
    "industry_level": ["门类", "大类", "中类", "中类", "大类", "中类", "大类", "门类", "大类"]})
OCCUPATIONS = pl.DataFrame({"occupation_code": ["2", "2-02", "2-02-01", "2-02-02", "6-01-01"],
                            "occupation_name": ["专业技术人员", "工程技术", "机械工程", "电气工程", "机械操作"]})


def labour(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"period": pl.String, "industry_code": pl.String, "occupation_code": pl.String,
                                      "demand": pl.Int64, "supply": pl.Int64}, orient="row")


def postings(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"industry_code": pl.String, "year": pl.Int32, "month": pl.Int32,
                                      "openings": pl.Int64, "postings": pl.Int64, "duplicates": pl.Int64},
                        orient="row")


@pytest.fixture(scope="module")
def channels() -> pl.DataFrame:
    lm = labour([
        # 34: its 中类 add up (no 大类 row): 2025 Q1 demand 30+10=40, supply 20+20=40; 2024 Q1 demand 50; Q2 2024 is
        # not compared (2025 has no Q2)
        ("2025-Q1", "341", None, 30, 20), ("2025-Q1", "342", None, 10, 20), ("2024-Q1", "341", None, 50, 10),
        ("2024-Q2", "341", None, 999, 10),
        # 36: a 大类 row is the figure, its 中类 row is not added again; no job seekers → no ratio
        ("2025-Q1", "36", None, 12, 0), ("2025-Q1", "361", None, 5, 0), ("2024-Q1", "36", None, 10, 0),
        ("2025-Q1", None, "2-02-01", 8, 4),
    ])
    posted = postings([("341", 2025, 1, 60, 50, 3), ("342", 2025, 2, 40, 30, 0), ("341", 2024, 1, 50, 40, 0),
                       ("341", 2024, 12, 500, 400, 0),  # December 2024: 2025 has no December yet, not compared
                       ("36", 2025, 1, 7, 7, 0), ("65", 2025, 3, 9, 9, 1)])
    return demand_channels(lm, posted, industry_groups(INDUSTRIES), OCCUPATIONS)


def row(channels: pl.DataFrame, level: str, code: str) -> dict:
    return channels.filter((pl.col("level") == level) & (pl.col("code") == code)).row(0, named=True)


def test_each_channel_says_what_it_measures(channels):
    assert channels.schema == pl.Schema(COLUMNS)
    ratio_columns = [c for c in channels.columns if "ratio" in c]
    assert ratio_columns == ["pes_ratio"], "postings have no job seekers: no posting ratio may exist"
    general = row(channels, GROUP, "34")
    assert general["pes_demand"] == 40 and general["pes_supply"] == 40 and general["pes_ratio"] == 1.0
    assert general["pes_growth"] == pytest.approx(40 / 50 - 1)  # same quarter a year before, Q2 2024 left out
    assert general["posting_openings"] == 100 and general["posting_count"] == 80 and general["posting_duplicates"] == 3
    assert general["posting_growth"] == pytest.approx(100 / 50 - 1)  # January–February: December 2024 left out
    assert general["direction"] == OPPOSITE
    cars = row(channels, GROUP, "36")
    assert cars["pes_demand"] == 12 and cars["pes_ratio"] is None, "no job seekers: no ratio, not infinity"
    assert cars["pes_growth"] == pytest.approx(0.2) and cars["posting_growth"] is None and cars["direction"] is None
    software = row(channels, GROUP, "65")
    assert software["pes_demand"] is None and software["posting_openings"] == 9
    occupation = row(channels, OCCUPATION, "2-02-01")
    assert occupation["pes_ratio"] == 2.0 and occupation["posting_openings"] is None


def test_coverage_counts_every_unit_and_the_note_tells_it(channels):
    coverage = {r["level"]: r for r in channel_coverage(channels).iter_rows(named=True)}
    industries, jobs = coverage[GROUP], coverage[OCCUPATION]
    # the 大类 of the industry table: 34, 36, 38, 65; the finest occupations: 2-02-01, 2-02-02, 6-01-01
    assert (industries["units"], industries["pes_units"], industries["posting_units"]) == (4, 2, 3)
    assert (industries["both_units"], industries["compared_units"], industries["opposite_units"]) == (2, 1, 1)
    assert industries["pes_share"] == 0.5 and industries["posting_share"] == 0.75
    assert (jobs["units"], jobs["pes_units"], jobs["posting_units"]) == (3, 1, 0)
    note, direction = coverage_words(channel_coverage(channels), channels)
    assert "全部 4 个行业大类中，公共就业服务机构数据覆盖 2 个（50.0%），网络招聘覆盖 3 个（75.0%）" in note
    assert "3 个职业中，公共就业服务机构数据覆盖 1 个（33.3%）" in note
    assert "2025年网络招聘去重后 116 人（去掉重复信息 4 条）" in note
    assert "行业大类 1 个，其中 1 个" in direction


def test_without_postings_the_note_names_one_channel():
    lm = labour([("2025", "34", None, 10, 5)])
    channels = demand_channels(lm, postings([]), industry_groups(INDUSTRIES), OCCUPATIONS)
    assert channels["posting_openings"].null_count() == channels.height
    [note] = coverage_words(channel_coverage(channels), channels)
    assert note.startswith("本期没有网络招聘信息") and "覆盖 1 个（25.0%）" in note


def test_a_majors_basis_names_each_channel_of_its_industries(channels):
    mapping = pl.DataFrame({"major_code": ["660101", "660101", "710201"], "industry_code": ["341", "36", "65"]})
    said = dict(major_channels(channels, mapping, industry_groups(INDUSTRIES)).iter_rows())
    assert said["660101"] == ("通用设备制造业：求人倍率 1.00（公共就业服务机构，2025年），网络招聘 100 人（2025年，去重），"
                              "较上年同期增长 100.0%；汽车制造业：公共就业服务机构无求职数据，不计算求人倍率，网络招聘 7 人（2025年，去重）")
    assert said["710201"] == "软件：公共就业服务机构无数据，网络招聘 9 人（2025年，去重）"


def test_reposted_postings_count_once_in_duckdb():
    con = duckdb.connect()
    con.execute("CREATE TABLE job_postings (posting_id VARCHAR, posted_on DATE, title VARCHAR, description VARCHAR, "
                "industry_code VARCHAR, district VARCHAR, openings INTEGER)")
    con.execute("CREATE TABLE posting_industry_proposals (posting_id VARCHAR, proposed_industry_code VARCHAR)")
    con.executemany("INSERT INTO job_postings VALUES (?, ?, ?, ?, ?, ?, ?)", [
        ("a", "2025-03-01", "车工", "负责车床加工", "341", "大兴区", 2),
        ("b", "2025-05-09", " 车工", "负责车床加工 ", None, "大兴区", 3),    # the same posting listed again
        ("c", "2025-03-02", "车工", "负责车床加工", "341", "通州区", None),  # another district: another posting
        ("d", "2024-03-01", "车工", "负责车床加工", "341", "大兴区", 1),     # another year: counted that year
        ("e", "2025-04-01", "软件测试", "编写测试用例", None, None, 4),
    ])
    con.executemany("INSERT INTO posting_industry_proposals VALUES (?, ?)", [("b", "65"), ("e", "65")])
    got = query_frame(con, POSTING_OPENINGS_SQL)
    by = {(r["industry_code"], r["year"], r["month"]): r for r in got.iter_rows(named=True)}
    assert set(by) == {("341", 2025, 3), ("341", 2024, 3), ("65", 2025, 4)}
    assert (by["341", 2025, 3]["openings"], by["341", 2025, 3]["postings"], by["341", 2025, 3]["duplicates"]) == (4, 2, 1)
    assert by["65", 2025, 4]["proposed_openings"] == 4 and by["341", 2025, 3]["proposed_openings"] == 0
