"""Market signals: 求人倍率 across code levels, employment and enrolment figures."""

from __future__ import annotations

import polars as pl
import pytest

from scoring.signals import market_signals
from tests.scoring_fixtures import build, labor_frame


def _signals(f) -> pl.DataFrame:
    return market_signals(f.majors, f.major_industry_map, f.major_occupation_map, f.labor_market,
                          f.school_majors, f.proposed, f.industries)


def _row(df: pl.DataFrame, code: str) -> dict:
    return df.filter(pl.col("major_code") == code).to_dicts()[0]


def test_ratio_and_trend_from_own_series():
    s = _signals(build())
    assert s.height == 12
    chem = _row(s, "470201")  # 26: 800/1000 in 2024 → 600/1000 in 2025
    assert chem["demand_supply_ratio"] == pytest.approx(0.6)
    assert chem["ratio_prev"] == pytest.approx(0.8)
    assert chem["ratio_trend"] == pytest.approx(-0.25)
    assert chem["demand_source"] == "industry" and chem["labor_year"] == 2025


def test_dalei_series_serves_a_mapped_xiaolei():
    s = _signals(build())
    assert _row(s, "460103")["demand_supply_ratio"] == pytest.approx(1.0)  # 3912 ← series on 39


def test_xiaolei_series_aggregate_for_a_mapped_dalei():
    f = build()
    labor = labor_frame({"1311": ((100, 100), (300, 100)), "1312": ((100, 100), (100, 300))})
    s = _signals(f.with_(labor_market=labor))
    grain = _row(s, "490101")  # mapped to 13; series on 1311 and 1312 summed: 400 / 400
    assert grain["demand_supply_ratio"] == pytest.approx(1.0)
    assert grain["ratio_trend"] == pytest.approx(0.0)


def test_weighted_ratio_over_industries():
    f = build()
    m = pl.DataFrame({"major_code": ["510201", "510201"], "industry_code": ["65", "26"], "weight": [3.0, 1.0]})
    s = _signals(f.with_(major_industry_map=m))
    assert _row(s, "510201")["demand_supply_ratio"] == pytest.approx(0.75 * 2.0 + 0.25 * 0.6)


def test_quarters_summed_yearly_rows_win_and_other_regions_ignored():
    f = build()
    rows = [("2025-Q1", 2025, 1, "65", None, 300, 100, "北京市"), ("2025-Q2", 2025, 2, "65", None, 100, 100, "北京市"),
            ("2024", 2024, None, "65", None, 100, 100, "北京市"), ("2024-Q1", 2024, 1, "65", None, 900, 100, "北京市"),
            ("2025", 2025, None, "65", None, 1, 100, "天津市")]
    labor = pl.DataFrame(rows, orient="row", schema=f.labor_market.schema)
    r = _row(_signals(f.with_(labor_market=labor)), "510201")
    assert r["demand_supply_ratio"] == pytest.approx(2.0)  # (300+100)/(100+100)
    assert r["ratio_trend"] == pytest.approx(1.0)          # 2024 yearly row 1.0, not the quarter's 9.0


def test_occupation_series_when_no_industry_series():
    f = build()
    omap = pl.DataFrame({"major_code": ["610101"], "occupation_code": ["5-01-02-01"], "weight": [None]},
                        schema_overrides={"weight": pl.Float64})
    labor = pl.concat([f.labor_market, pl.DataFrame(
        [("2024", 2024, None, None, "5-01", 100, 200, "北京市"), ("2025", 2025, None, None, "5-01", 150, 200, "北京市")],
        orient="row", schema=f.labor_market.schema)])
    r = _row(_signals(f.with_(major_occupation_map=omap, labor_market=labor)), "610101")
    assert r["demand_source"] == "occupation"
    assert r["demand_supply_ratio"] == pytest.approx(0.75)
    assert r["ratio_trend"] == pytest.approx(0.5)


def test_no_series_gives_null_ratio():
    r = _row(_signals(build()), "610101")
    assert r["demand_supply_ratio"] is None and r["demand_source"] == "none"


def test_employment_and_enrolment_figures():
    s = _signals(build())
    chain = _row(s, "530101")  # school 1: 20/40 in 2025, 22/40 in 2024; school 2: 10/20 both years
    assert chain["employment_rate"] == pytest.approx(30 / 60)
    assert chain["employment_rate_prev"] == pytest.approx(32 / 60)
    assert chain["in_field_rate"] == pytest.approx((12 + 8) / 30)
    assert chain["enrolled_latest"] == 60 and chain["schools_offering"] == 2
    assert chain["latest_year"] == 2025 and chain["employment_year"] == 2025
    cook = _row(s, "540101")  # school 3 enrols 0 → not counted as offering
    assert cook["schools_offering"] == 1


def test_enrolment_trend_over_three_years():
    f = build()
    sm = f.school_majors.with_columns(
        enrolled=pl.when(pl.col("major_code") == "460103")
        .then(pl.col("year").replace_strict({2023: 100, 2024: 80, 2025: 60}, return_dtype=pl.Int32))
        .otherwise(pl.col("enrolled")))
    r = _row(_signals(f.with_(school_majors=sm)), "460103")
    assert r["enrolment_trend"] == pytest.approx(-0.4)
    assert (r["enrolled_base"], r["enrolment_base_year"]) == (100, 2023)


def test_no_school_data_gives_empty_figures_not_errors():
    f = build()
    s = _signals(f.with_(school_majors=f.school_majors.clear()))
    assert s.height == 12
    assert s["employment_rate"].null_count() == 12 and s["enrolled_latest"].to_list() == [0] * 12


def test_signals_summed_a_group_of_schools_at_a_time_equal_all_at_once(tmp_path):
    """The asset sums national offering-years a few schools at a time (SupplyTotals): the signals are the
    same rows as from the whole table, rates and school counts included."""
    from assets.score.offerings import by_school_groups
    from scoring.signals import SupplyTotals, supply_totals
    from warehouse.db import connect, replace_table
    from warehouse.table import WarehouseTable

    f = build()
    whole = _signals(f)
    con = connect(tmp_path / "w.duckdb")
    replace_table(con, "school_majors", f.school_majors.sample(fraction=1.0, shuffle=True, seed=5))
    con.close()
    table = WarehouseTable(tmp_path / "w.duckdb", "school_majors")
    for size in (1, 5, 10**6):
        sums, years = by_school_groups(table, supply_totals, size=size)
        grouped = market_signals(f.majors, f.major_industry_map, f.major_occupation_map, f.labor_market,
                                 SupplyTotals(sums, years), f.proposed, f.industries)
        assert grouped.equals(whole)
    assert whole["schools_offering"].sum() > 0 and whole["employment_rate"].is_not_null().any()
