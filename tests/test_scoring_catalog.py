"""Published frames: the guiding catalog, the restriction list and the per-school scores."""

from __future__ import annotations

import polars as pl
import pytest

from scoring.catalog import (
    CATALOG_COLUMNS,
    CHINESE_HEADERS,
    RESTRICTION_COLUMNS,
    SCHOOL_COLUMNS,
    guiding_catalog,
    restriction_list,
    school_major_scores,
)
from scoring.policy import load_policy
from tests.scoring_fixtures import build, run

POLICY = load_policy()


@pytest.fixture(scope="module")
def fx():
    f = build()
    return f, run(f)[2]


def _school(df: pl.DataFrame, school: str, major: str) -> dict:
    rows = df.filter((pl.col("school_code") == school) & (pl.col("major_code") == major)).to_dicts()
    assert len(rows) == 1
    return rows[0]


def test_catalog_has_every_major_once_in_contract_order(fx):
    f, scored = fx
    cat = guiding_catalog(f.majors, scored)
    assert tuple(cat.columns) == CATALOG_COLUMNS
    assert cat["major_code"].to_list() == sorted(f.majors["major_code"].to_list())
    assert cat["major_code"].n_unique() == cat.height == f.majors.height
    assert cat["reasons"].null_count() == 0 and (cat["reasons"].str.len_chars() > 0).all()
    assert set(cat["guidance"]) <= {"优先发展", "重点建设", "改造升级", "合作办学", "控制发展", "限制", "停止新设", "正常"}
    assert set(cat["warning_level"]) <= {"红", "黄", "绿"}
    assert all(round(x, 1) == x for x in cat["risk_score"])


def test_restriction_list_rows(fx):
    f, scored = fx
    rl = restriction_list(scored, f.majors)
    assert tuple(rl.columns) == RESTRICTION_COLUMNS
    got = {(r["major_code"], r["restriction"], r["scope"]) for r in rl.iter_rows(named=True)}
    assert got == {("470201", "停止新设", "全市"), ("540101", "限制招生", "东城区"), ("530101", "限制招生", "全市")}
    assert rl["reasons"].null_count() == 0 and rl["scope"].null_count() == 0
    assert "470202" not in rl["major_code"].to_list()  # proposed mapping only


def test_scoped_stop_beside_citywide_limit(fx):
    f, _ = fx
    adj = pl.concat([f.industry_adjustments, pl.DataFrame(
        {"list_name": ["核心区清单"], "category": ["prohibited"], "industry_code": ["52"], "scope": ["首都功能核心区"],
         "effective_from": [None], "note": [None]}, schema=f.industry_adjustments.schema)])
    g = f.with_(industry_adjustments=adj)
    scored = run(g)[2]
    rl = restriction_list(scored, g.majors).filter(pl.col("major_code") == "530101")
    assert rl.select("restriction", "scope").rows() == [("限制招生", "全市"), ("停止新设", "首都功能核心区")]
    schools = school_major_scores(g.schools, g.majors, g.school_majors, scored, POLICY)
    assert _school(schools, "1111000002", "530101")["restriction"] == "停止新设"  # 东城区 is in the zone
    assert _school(schools, "1111000001", "530101")["restriction"] == "限制招生"  # 朝阳区 is not


def test_school_scores(fx):
    f, scored = fx
    s = school_major_scores(f.schools, f.majors, f.school_majors, scored, POLICY)
    assert tuple(s.columns) == SCHOOL_COLUMNS
    assert s.select("school_code", "major_code").is_unique().all()
    assert s.height == 12 + 2 + 2  # school 1 offers all 12, school 2 two, school 3 two
    gone = _school(s, "1111000003", "540101")
    assert gone["school_flags"] == "退出"
    assert "连续3年（2023—2025年）无招生" in gone["reasons"]
    assert gone["school_risk_score"] == pytest.approx(min(100, gone["risk_score"] + 30), abs=0.11)
    dong = _school(s, "1111000002", "510201")
    assert "所在区（东城区）不再举办职业教育" in dong["school_flags"]
    assert dong["employment_rate"] == pytest.approx(0.5) and dong["city_employment_rate"] == pytest.approx(0.87)
    assert "低于全市同专业 87.0%" in dong["basis"]
    assert dong["reasons"].startswith("学校位于东城区") and "鼓励" not in dong["reasons"]
    assert dong["cause"] == "所在区" and "须疏解转移或停办" in dong["what_would_change"]
    assert gone["cause"] == "招生萎缩" and gone["what_would_change"].startswith("恢复招生可解除退出提示")
    assert dong["school_risk_score"] > dong["risk_score"]
    good = _school(s, "1111000003", "510201")
    assert good["school_flags"] == "" and good["school_risk_score"] == 0.0
    assert good["what_would_change"] == good["cause"] == "无（未预警）"      # never an empty cell
    assert (s["what_would_change"].str.len_chars() > 0).all()
    assert good["city_avg_enrolled"] == pytest.approx(100 / 3)
    assert (good["enrolled"], good["enrolled_prev"], good["graduates"]) == (50, 50, 50)
    cook = _school(s, "1111000001", "540101")  # restricted only in 东城区: not for a 朝阳区 school
    assert cook["restriction"] is None


def test_dongcheng_school_gets_the_dongcheng_restriction(fx):
    f, scored = fx
    extra = pl.DataFrame([("1111000002", "540101", 2025, 10, 10, 9, 8, 4000.0)], orient="row",
                         schema=f.school_majors.schema)
    s = school_major_scores(f.schools, f.majors, pl.concat([f.school_majors, extra]), run(f)[2], POLICY)
    r = _school(s, "1111000002", "540101")
    assert r["restriction"] == "限制招生"
    assert "适用东城区限制招生" in r["reasons"]


def test_missing_report_year_is_not_read_as_zero_enrolment(fx):
    f, scored = fx
    sm = f.school_majors.filter(~((pl.col("school_code") == "1111000003") & (pl.col("year") == 2023)))
    s = school_major_scores(f.schools, f.majors, sm, scored, POLICY)
    assert _school(s, "1111000003", "540101")["school_flags"] == ""


def test_chinese_headers_cover_every_column():
    assert tuple(CHINESE_HEADERS["guiding_catalog"]) == CATALOG_COLUMNS
    assert tuple(CHINESE_HEADERS["restriction_list"]) == RESTRICTION_COLUMNS
    assert tuple(CHINESE_HEADERS["school_major_scores"]) == SCHOOL_COLUMNS
    assert CHINESE_HEADERS["guiding_catalog"]["demand_supply_ratio"] == "求人倍率"
    assert CHINESE_HEADERS["restriction_list"]["scope"] == "适用区域"
    for table in CHINESE_HEADERS.values():
        assert len(set(table.values())) == len(table)


def test_same_input_in_any_row_order_gives_the_same_rows():
    f = build()
    shuffled = f.with_(**{name: getattr(f, name).sample(fraction=1.0, shuffle=True, seed=7)
                          for name in ("majors", "industries", "major_industry_map", "industry_adjustments",
                                       "labor_market", "schools", "school_majors")})
    outs = []
    for frames in (f, shuffled):
        scored = run(frames)[2]
        outs.append((guiding_catalog(frames.majors, scored), restriction_list(scored, frames.majors),
                     school_major_scores(frames.schools, frames.majors, frames.school_majors, scored, POLICY)))
    for a, b in zip(*outs, strict=True):
        assert a.equals(b)


def test_school_scores_carry_the_majors_score_parts(fx):
    """The portal draws each offering's score parts from school_major_scores: they are the major's parts
    and add up to its risk_score wherever the score was not clipped at 0 or 100."""
    from scoring.risk import PARTS

    f, scored = fx
    s = school_major_scores(f.schools, f.majors, f.school_majors, scored, POLICY)
    total = s.select(pl.sum_horizontal(*PARTS).alias("sum"), "risk_score")
    inside = total.filter((pl.col("sum") > 0) & (pl.col("sum") < 100))
    assert inside.height > 0
    assert (inside["sum"] - inside["risk_score"]).abs().max() < 0.1
    by_major = s.group_by("major_code").agg(pl.col("part_demand").n_unique().alias("n"))
    assert by_major["n"].max() == 1


def test_school_scores_a_group_of_schools_at_a_time_equal_all_at_once(fx, tmp_path):
    """The asset scores national offerings a few schools at a time (only the data years are table-wide):
    the concatenated parts are the same rows, in the same order, as scoring every offering at once."""
    from assets.score.offerings import by_school_groups
    from warehouse.db import connect, replace_table
    from warehouse.table import WarehouseTable

    f, scored = fx
    whole = school_major_scores(f.schools, f.majors, f.school_majors, scored, POLICY)
    con = connect(tmp_path / "w.duckdb")
    replace_table(con, "school_majors", f.school_majors.sample(fraction=1.0, shuffle=True, seed=3))
    con.close()
    table = WarehouseTable(tmp_path / "w.duckdb", "school_majors")
    for size in (1, 7, 10**6):
        parts, (latest, _) = by_school_groups(
            table, lambda rows, years: school_major_scores(f.schools, f.majors, rows, scored, POLICY, years),
            size=size)
        assert latest == f.school_majors["year"].max()
        assert parts.equals(whole)
