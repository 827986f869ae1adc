"""数据缺年 (issue 27, item 3): a whole year missing from a time series is found by one function, never read as
zero, and a trend over it is measured between the nearest years present and says so."""

from __future__ import annotations

import math
from datetime import date

import polars as pl

from scoring import rulebook as rb
from scoring.counts import count_of, counts_of, edition_counts
from scoring.gaps import find_gaps, gap_sentences, previous_present
from scoring.policy import load_policy
from scoring.rules import DEMAND, EMPLOYMENT
from tests.scoring_fixtures import build, run

TITLES = {"school_majors": "专业点招生就业", "labor_market": "人才供需", "job_postings": "招聘信息"}


def _gaps(frame: pl.DataFrame) -> list[tuple]:
    return frame.select("input", "series", "year", "before", "after").rows()


def test_school_majors_enrolment_and_outcome_gaps_are_found_apart():
    rows = pl.DataFrame({"year": [2020, 2021, 2023, 2024], "enrolled": [5, 5, 5, 5], "graduates": [4, 0, 4, 4],
                         "employed": [3, 3, 3, None]})
    # 2022: no row at all; 2021: rows but no graduates' outcomes; 2024: no outcomes yet (the latest, not a gap)
    assert sorted(_gaps(find_gaps({"school_majors": rows}))) == sorted([
        ("school_majors", "毕业去向", 2021, 2020, 2023), ("school_majors", "毕业去向", 2022, 2020, 2023),
        ("school_majors", "招生", 2022, 2021, 2023)])


def test_labor_market_gaps_read_the_year_or_the_period():
    by_period = pl.DataFrame({"period": ["2021-Q1", "2021-Q2", "2023", "2024-Q4"], "demand": [1, 1, 1, 1]})
    assert _gaps(find_gaps({"labor_market": by_period})) == [("labor_market", "供需", 2022, 2021, 2023)]
    by_year = pl.DataFrame({"year": [2019, 2022], "period": ["2019", "2022"]})
    assert [r[2] for r in _gaps(find_gaps({"labor_market": by_year}))] == [2020, 2021]


def test_job_postings_gaps_read_the_posting_date():
    postings = pl.DataFrame({"posted_on": [date(2022, 3, 1), None, date(2024, 1, 5), date(2025, 6, 1)]})
    assert _gaps(find_gaps({"job_postings": postings})) == [("job_postings", "招聘", 2023, 2022, 2024)]


def test_no_gap_and_no_time_axis_give_an_empty_table():
    assert find_gaps({"labor_market": pl.DataFrame({"year": [2023, 2024, 2025]}),
                      "majors": pl.DataFrame({"added_in": [2018, 2024]})}).height == 0
    assert rb.entry("data.gap").text("none") == "各项按年报送的数据在其首末年份之间均无缺年。"


def test_the_gaps_are_named_in_the_rulebook_words():
    rows = pl.DataFrame({"year": [2021, 2023], "enrolled": [1, 1], "graduates": [1, 1], "employed": [1, 1]})
    assert gap_sentences(find_gaps({"school_majors": rows, "labor_market": pl.DataFrame({"year": [2020, 2023]})}),
                         TITLES) == ["人才供需缺少2021、2022年数据", "专业点招生就业（招生）缺少2022年数据",
                                     "专业点招生就业（毕业去向）缺少2022年数据"]
    assert previous_present(2025, [2024, 2023]) == 2022 and previous_present(2025, []) == 2024


def _row(df: pl.DataFrame, code: str) -> dict:
    return df.filter(pl.col("major_code") == code).to_dicts()[0]


def test_a_labour_trend_over_a_missing_year_is_measured_from_the_year_before_it_and_says_so():
    f = build()
    latest = f.labor_market["year"].max()
    # the fixture's 2024 rows a year earlier, a fifth fewer openings; then 2024 taken out: 2023 → 2025 over the gap
    earlier = f.labor_market.filter(pl.col("year") == latest - 1).with_columns(
        year=pl.lit(latest - 2, pl.Int32), period=pl.lit(str(latest - 2)), demand=(pl.col("demand") * 0.8).cast(pl.Int64))
    dropped = pl.concat([earlier, f.labor_market.filter(pl.col("year") != latest - 1)])
    whole, gap = run(f)[2], run(f.with_(labor_market=dropped))[2]
    assert whole["ratio_trend"].is_not_null().any()
    assert gap["labor_prev_year"].unique().to_list() == [latest - 2]
    with_trend = gap.filter(pl.col("ratio_trend").is_not_null())
    assert with_trend.height > 0  # without the bridge every trend was null: the year-on-year text vanished
    note = f"人才供需{latest - 1}年数据缺失，趋势按{latest - 2}→{latest}年计算"
    for r in with_trend.to_dicts():
        assert note in r["basis"] and f"较{latest - 2}年" in r["basis"]
        # the short reason tells the gap only beside the 求人倍率 it rests on (told once in the data notes)
        assert (note in r["reasons"]) == (r["cause"] == DEMAND), (r["cause"], r["reasons"])
    assert whole.filter(pl.col("reasons").str.contains("数据缺失")).height == 0  # no gap, nothing told


def test_an_outcome_gap_breaks_the_run_of_rates_and_an_enrolment_gap_inside_the_trend_is_told():
    f = build()
    latest = f.school_majors["year"].max()
    sm = f.school_majors.filter(pl.col("year") != latest - 1)
    scored = run(f.with_(school_majors=sm))[2]
    rated = scored.filter(pl.col("employment_rate").is_not_null()).to_dicts()
    floor = load_policy().rules.employment_floor
    broken = f"毕业去向{latest - 1}年数据缺失，不作连续年份判断"
    told = [broken in r["reasons"] for r in rated]
    for r, said in zip(rated, told, strict=True):
        assert r["employment_rate_prev"] is None  # the missing year is not read as 0%
        assert broken in r["basis"]
        # the short reason names the broken run only where it could change the verdict: the employment rule
        # decided it, or this year's rate is under the floor (the red rule counts the years under it)
        assert said == (r["cause"] == EMPLOYMENT or (r["employment_rate"] < floor and r["warning_level"] != "红")), \
            (r["cause"], r["reasons"])
    assert any(told) and not all(told)
    trended = scored.filter(pl.col("enrolment_trend").is_not_null()).to_dicts()
    assert trended and all(f"招生{latest - 1}年数据缺失，趋势按{latest - 2}→{latest}年计算" in r["basis"] for r in trended)


def test_new_majors_are_counted_apart_with_their_levels():
    catalog = pl.DataFrame({"major_code": ["1", "2", "3"], "warning_level": ["绿", "绿", "红"],
                            "new_major": ["2024年增补专业，首届毕业生预计2027年", "否", None]})
    empty = pl.DataFrame({"x": []})
    counts = edition_counts(catalog, empty, empty)
    assert count_of(counts, "guiding_catalog", "new_major", "新设专业") == 1
    assert counts_of(counts, "guiding_catalog", "new_major_level") == {"绿": 1, "": 2}
    assert counts_of(counts, "guiding_catalog", "warning_level") == {"绿": 2, "红": 1}


def test_a_missing_value_in_a_chart_is_no_bar_not_zero_and_a_line_breaks_over_a_missing_year():
    from assets.charts import bar_chart_md
    from documents.charts import period_positions, with_breaks

    md = bar_chart_md("MASE", {"h=1 模型": math.nan, "h=2 模型": 0.8})
    assert "h=1 模型 无数据" in md and "h=2 模型 0.8" in md
    x = period_positions(["2022-Q3", "2022-Q4", "2024-Q1"])
    assert x == {"2022-Q3": 2, "2022-Q4": 3, "2024-Q1": 8}
    xs, ys = with_breaks(list(x.values()), [1.0, 1.1, 1.2], 4)
    assert len(xs) == 4 and math.isnan(ys[2]) and ys[3] == 1.2


def test_the_bulletin_overview_tells_new_majors_apart_from_the_published_counts():
    from documents.bulletin import majors_section

    catalog = pl.DataFrame({"major_code": ["1", "2", "3"], "major_name": ["甲", "乙", "丙"],
                            "guidance": ["正常", "正常", "停止新设"], "warning_level": ["绿", "绿", "红"],
                            "risk_score": [1.0, 2.0, 80.0], "reasons": ["—", "—", "—"],
                            "new_major": ["2024年增补专业，首届毕业生预计2027年", "否", "否"]})
    empty = pl.DataFrame({"x": []})
    t = {"guiding_catalog": catalog, "edition_counts": edition_counts(catalog, empty, empty)}
    text = majors_section(t, None, ["停止新设", "正常"])["paragraphs"]
    told = next(p for p in text if p.startswith("其中新设专业"))
    assert told.startswith("其中新设专业 1 个（绿色 1 个），") and rb.entry("major.new").text("counted") in told
    t["guiding_catalog"] = catalog.with_columns(new_major=pl.lit("否"))
    t["edition_counts"] = edition_counts(t["guiding_catalog"], empty, empty)
    assert not any("新设专业" in p for p in majors_section(t, None, ["停止新设", "正常"])["paragraphs"])


def test_a_short_reason_names_the_gap_of_the_figure_it_rests_on():
    from scoring.rules import ENROLMENT, LISTS
    from scoring.summary import _gap_signals

    p = load_policy()
    floor = p.rules.employment_floor
    assert _gap_signals({"cause": DEMAND, "employment_rate": floor + 0.1}, p) == ("labor",)
    assert _gap_signals({"cause": ENROLMENT, "employment_rate": None}, p) == ("enrolment",)
    assert _gap_signals({"cause": EMPLOYMENT, "employment_rate": floor - 0.1}, p) == ("outcome",)
    assert _gap_signals({"cause": LISTS, "employment_rate": floor - 0.1, "warning_level": "黄"}, p) == ("outcome",)
    assert _gap_signals({"cause": LISTS, "employment_rate": floor - 0.1, "warning_level": "红"}, p) == ()
    assert _gap_signals({"cause": LISTS, "employment_rate": floor + 0.1, "warning_level": "黄"}, p) == ()
    assert _gap_signals({"cause": None, "employment_rate": None}, p) == ()


def test_the_bulletin_tells_a_renumbered_major_as_one_change_naming_its_old_code():
    from documents.bulletin import majors_section

    def catalog(codes: list[str], levels: list[str]) -> pl.DataFrame:
        return pl.DataFrame({"major_code": codes, "major_name": ["甲", "乙"], "guidance": ["正常", "正常"],
                             "warning_level": levels, "risk_score": [1.0, 2.0], "reasons": ["—", "—"],
                             "new_major": ["否", "否"]})

    empty = pl.DataFrame({"x": []})
    lists = pl.DataFrame(schema={"major_code": pl.String, "restriction": pl.String, "scope": pl.String,
                                 "reasons": pl.String})
    now = catalog(["510111", "520101"], ["黄", "绿"])
    t = {"guiding_catalog": now, "restriction_list": lists, "edition_counts": edition_counts(now, empty, empty),
         "code_history": pl.DataFrame({"new_code": ["510111"], "old_code": ["510210"]})}
    previous = {"guiding_catalog": catalog(["510210", "520101"], ["绿", "绿"]), "restriction_list": lists}
    section = majors_section(t, previous, ["正常"])
    rows = section["tables"][0]["rows"]
    assert [r[:3] for r in rows] == [["510111", "甲", "代码变更"]] and "原专业代码 510210" in rows[0][-1]
    assert "与上一版相比，1 个专业的指导类别、预警等级或限制发生变化（其中专业代码变更 1 个，按原专业代码对比）。" in section[
        "paragraphs"]
