"""Dated list entries: from effective_from (year, month or day) until effective_to, seen on `as_of`;
entries starting within the next two years are announced, not scored."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.dates import period_end, period_start
from scoring.exposure import industry_exposure, upcoming_entries
from scoring.risk import score_majors
from scoring.signals import market_signals
from tests.scoring_fixtures import AS_OF, LIST_BAN, build

MAJOR = "470201"  # mapped only to industry 26


def _adj(start, end=None, category="禁止", scope="全市", name=LIST_BAN) -> pl.DataFrame:
    return pl.DataFrame({"list_name": [name], "category": [category], "industry_code": ["26"], "scope": [scope],
                         "effective_from": [start], "effective_to": [end], "note": [None]},
                        schema_overrides={"effective_from": pl.String, "effective_to": pl.String})


def _score(adj: pl.DataFrame, as_of: date = AS_OF) -> tuple[dict, dict]:
    f = build().with_(industry_adjustments=adj)
    e = industry_exposure(f.majors, f.industries, f.major_industry_map, adj, f.proposed, as_of=as_of)
    s = market_signals(f.majors, f.major_industry_map, f.major_occupation_map, f.labor_market, f.school_majors,
                       f.proposed, f.industries)
    from scoring.policy import load_policy
    scored = score_majors(f.majors, e, s, load_policy())
    return (e.filter(pl.col("major_code") == MAJOR).row(0, named=True),
            scored.filter(pl.col("major_code") == MAJOR).row(0, named=True))


def test_future_entry_is_not_scored_and_named_upcoming():
    exp, scored = _score(_adj("2027-01"))  # as_of 2025-12-31: takes effect within two years
    assert exp["exposure_prohibited"] == 0.0
    assert scored["restriction"] is None and "停止新设" not in (scored["restriction"] or "")
    assert [(u["category"], u["effective_from"], u["share"]) for u in exp["upcoming"]] == [
        ("prohibited", date(2027, 1, 1), pytest.approx(1.0))]
    assert "2027年1月起相关行业列入禁止类" in scored["reasons"]


def test_entry_beyond_the_window_is_neither_scored_nor_announced():
    exp, scored = _score(_adj("2030-01"))
    assert exp["exposure_prohibited"] == 0.0 and exp["upcoming"] == []
    assert "2030年" not in scored["reasons"]
    later, _ = _score(_adj("2030-01"), as_of=date(2028, 12, 31))  # the 2029 edition sees it coming
    assert [u["effective_from"] for u in later["upcoming"]] == [date(2030, 1, 1)]
    assert "2030年1月起相关行业列入禁止类" in _score(_adj("2030-01"), as_of=date(2028, 12, 31))[1]["reasons"]


def test_month_only_date_applies_from_the_first_of_the_month():
    before, _ = _score(_adj("2030-01"), as_of=date(2029, 12, 31))
    on, scored = _score(_adj("2030-01"), as_of=date(2030, 1, 1))
    assert before["exposure_prohibited"] == 0.0
    assert on["exposure_prohibited"] == pytest.approx(1.0) and on["upcoming"] == []
    assert scored["restriction"] == "停止新设"


@pytest.mark.parametrize("end,as_of,applies", [
    ("2025-06", date(2025, 6, 30), True), ("2025-06", date(2025, 7, 1), False),
    ("2025", date(2025, 12, 31), True), ("2025", date(2026, 1, 1), False),
    ("2025-03-15", date(2025, 3, 15), True), ("2025-03-15", date(2025, 3, 16), False)])
def test_effective_to_retires_an_entry(end, as_of, applies):
    exp, scored = _score(_adj("2018-09", end), as_of=as_of)
    assert exp["exposure_prohibited"] == (pytest.approx(1.0) if applies else 0.0)
    assert (scored["restriction"] == "停止新设") is applies
    assert exp["upcoming"] == []  # an expired entry is named nowhere


def test_upcoming_entries_lists_the_window_only():
    adj = pl.concat([_adj("2026-03", name="A"), _adj("2027-12-31", name="B"), _adj("2028-01", name="C"),
                     _adj("2020", name="D"), _adj("2027", "2026-12", name="E")])
    got = upcoming_entries(adj, AS_OF, 2)
    assert got.select("list_name", "effective_from").rows() == [("A", date(2026, 3, 1)), ("B", date(2027, 12, 31))]


def test_typed_dates_from_the_warehouse_work_the_same():
    adj = _adj("2027-01").with_columns(effective_from=pl.lit(date(2027, 1, 1)), effective_to=pl.lit(None, pl.Date))
    exp, _ = _score(adj)
    assert exp["exposure_prohibited"] == 0.0 and len(exp["upcoming"]) == 1


@given(y=st.integers(1990, 2090), m=st.integers(1, 12))
def test_month_period_bounds_contain_exactly_that_month(y, m):
    df = pl.DataFrame({"d": [f"{y:04d}-{m:02d}"]})
    start, end = df.select(period_start(df, "d"), period_end(df, "d").alias("e")).row(0)
    assert (start.year, start.month, start.day) == (y, m, 1)
    assert (end.year, end.month) == (y, m) and (end + (date(2000, 1, 2) - date(2000, 1, 1))).month != m


def test_upcoming_section_names_each_major_and_entry():
    from scoring.upcoming import upcoming_section

    adj = pl.concat([_adj("2027-01"), _adj("2026-07", category="限制", scope="海淀区", name="区清单")])
    f = build()
    e = industry_exposure(f.majors, f.industries, f.major_industry_map, adj, f.proposed, as_of=AS_OF)
    section = upcoming_section(e, f.majors)
    mine = section.filter(pl.col("major_code") == MAJOR)
    assert mine.select("effective_from", "category", "scope").rows() == [
        (date(2026, 7, 1), "限制类", "海淀区"), (date(2027, 1, 1), "禁止类", "全市")]
    assert mine["note"].to_list() == ["2026年7月起相关行业在海淀区列入限制类（《区清单》，占对应行业 100%）",
                                      f"2027年1月起相关行业列入禁止类（《{LIST_BAN.strip('《》')}》，占对应行业 100%）"]
    assert mine["major_name"].null_count() == 0
    assert upcoming_section(e.with_columns(upcoming=pl.lit([], e.schema["upcoming"])), f.majors).height == 0
