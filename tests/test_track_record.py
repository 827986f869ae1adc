"""往年预警回溯 (scoring.track_record): a planted history whose fates are known, published flags preferred to the
back-test's, and the bulletin's sentences carrying exactly the table's figures."""

from __future__ import annotations

import json
import re

import polars as pl

from documents.bulletin import track_lines
from scoring.policy import load_policy
from scoring.track_record import past_flags, track_record
from warehouse.editions import published_verdicts

YEARS = range(2021, 2026)
# planted fates by 2025 of the majors offered in 2024 (and 2023): enrolment per year, 毕业去向 steady at 90 %
ENROLLED = {
    "A": lambda y: 100 if y < 2025 else 60,    # flagged, enrolment down 40 % → 下降
    "B": lambda y: 100 if y < 2025 else 0,     # flagged, no enrolment in 2025 → 撤销或停招
    "C": lambda y: 100,                        # flagged, steady, green now → 恢复
    "D": lambda y: 100,                        # flagged, steady, still 红 now → 仍在预警
    "E": lambda y: 100 if y < 2024 else 70,    # not flagged, fell 2023→2024 and no further → the carry-forward's miss
    "F": lambda y: 100 if y < 2024 else (70 if y == 2024 else 50),  # not flagged, fell then and fell again
    **{f"G{i}": (lambda y: 100) for i in range(4)},                  # steady, never flagged
}
FLAGGED_2024 = {"A", "B", "C", "D"}


def planted_history() -> pl.DataFrame:
    rows = [("S1", code, y, enrolled(y), 100, 90) for code, enrolled in ENROLLED.items() for y in YEARS]
    return pl.DataFrame(rows, orient="row", schema={"school_code": pl.String, "major_code": pl.String,
                                                   "year": pl.Int32, "enrolled": pl.Int32, "graduates": pl.Int32,
                                                   "employed": pl.Int32})


def verdicts(year: int, flagged: set[str]) -> pl.DataFrame:
    return pl.DataFrame({"data_year": [year] * len(ENROLLED), "major_code": list(ENROLLED),
                         "warning_level": ["红" if c in flagged else "绿" for c in ENROLLED]},
                        schema_overrides={"data_year": pl.Int32})


def planted_track_record() -> pl.DataFrame:
    """2024: A–D flagged; 2023: none; 2022: F; only D is flagged now."""
    flags = past_flags(pl.concat([verdicts(2024, FLAGGED_2024), verdicts(2023, set()), verdicts(2022, {"F"})]))
    current = pl.DataFrame({"major_code": list(ENROLLED), "warning_level": ["红" if c == "D" else "绿" for c in ENROLLED]})
    return track_record(planted_history(), flags, current, min_graduates=30)


def test_the_planted_fates_are_counted_against_both_baselines():
    t = planted_track_record()
    one = {r["method"]: r for r in t.filter(pl.col("years_ago") == 1).iter_rows(named=True)}
    f, carry, base = one["flags"], one["carry_forward"], one["base_rate"]
    assert (f["data_year"], f["latest_year"], f["source"]) == (2024, 2025, "backtest")
    assert (f["majors"], f["declined"], f["closed"], f["recovered"], f["still_flagged"]) == (4, 1, 1, 1, 1)
    # E and F fell from 2023 to 2024 (30 %): the carry-forward picks them; F fell again (29 %), E did not
    assert (carry["majors"], carry["declined"], carry["closed"], carry["recovered"]) == (2, 1, 0, 1)
    # all ten majors offered in 2024: A, F declined, B closed
    assert (base["majors"], base["declined"] + base["closed"]) == (10, 3)
    assert f["decline_share"] == 2 / 4 and carry["decline_share"] == 1 / 2 and base["decline_share"] == 3 / 10
    assert f["recall"] == 2 / 3 and carry["recall"] == 1 / 3 and base["recall"] == 1.0
    assert f["lift"] == (2 / 4) / (3 / 10) and base["lift"] == 1.0
    # 2023: nothing flagged; 2022 (three years before 2025): F, which fell (E and F: 100 → 50 / 70)
    assert t.filter((pl.col("years_ago") == 2) & (pl.col("method") == "flags"))["majors"].to_list() == [0]
    three = t.filter((pl.col("years_ago") == 3) & (pl.col("method") == "flags")).row(0, named=True)
    assert (three["data_year"], three["majors"], three["declined"]) == (2022, 1, 1)

    policy = load_policy()
    lines = track_lines(t, policy)
    assert len(lines) == 3
    # every figure of a sentence is the table's, in the order the rulebook tells them
    assert re.findall(r"\d+(?:\.\d+)?%?", lines[0]) == [
        "2024", "1", "4", "2025", "1", "1", "1", "1", "50.0%", "30.0%", f"{f['lift']:.2f}", "50.0%"]
    assert "当年发布的目录" not in lines[0] and "按现行规则" in lines[0]
    assert lines[0].endswith("这一年的预警好于基准比例，但不如沿用上年变化。")  # 50 % is not above the carry's 50 %
    assert "没有列为红色或黄色预警的专业" in lines[1]
    short = track_lines(t.clear(), policy)
    assert len(short) == 1 and "数据年份不足" in short[0]


def test_published_flags_replace_the_back_test_s_and_a_final_edition_wins(tmp_path):
    published = tmp_path / "published"
    for name, state, level in (("2025-draft", "征求意见稿", "黄"), ("2025", "正式", "红"), ("2026-draft", "征求意见稿", "红")):
        folder = published / name
        folder.mkdir(parents=True)
        year = int(name[:4]) - 1
        (folder / "datapackage.json").write_text(json.dumps({"as_of": f"{year}-12-31", "state": state}), "utf-8")
        pl.DataFrame({"major_code": ["A", "C"], "warning_level": [level, "绿"]}).write_parquet(
            folder / "guiding_catalog.parquet")
    real = published_verdicts(published, before_year=2025)  # the edition of 2025's data is this run's own
    assert real["edition"].unique().to_list() == ["2025"] and real["warning_level"].to_list() == ["红", "绿"]
    flags = past_flags(pl.concat([verdicts(2024, {"D"}), verdicts(2023, {"F"})]), real)
    by_year = {y: set(g.filter(pl.col("warning_level") != "绿")["major_code"])
               for (y,), g in flags.group_by("data_year")}
    assert by_year == {2024: {"A"}, 2023: {"F"}}  # 2024 as published (A), not as re-scored (D)
    assert dict(flags.select("data_year", "source").unique().iter_rows()) == {2024: "published", 2023: "backtest"}
    current = pl.DataFrame({"major_code": list(ENROLLED), "warning_level": ["绿"] * len(ENROLLED)})
    t = track_record(planted_history(), flags, current, min_graduates=30)
    assert t.filter(pl.col("method") == "flags")["source"].to_list() == ["published", "backtest"]
    assert "当年发布的目录" in track_lines(t, load_policy())[0]


def test_a_year_with_no_decline_at_all_gives_no_lift_and_says_so():
    steady = planted_history().with_columns(enrolled=pl.lit(100, pl.Int32))
    current = pl.DataFrame({"major_code": list(ENROLLED), "warning_level": ["绿"] * len(ENROLLED)})
    t = track_record(steady, past_flags(verdicts(2024, {"A"})), current, min_graduates=30)
    f = t.filter(pl.col("method") == "flags").row(0, named=True)
    assert (f["majors"], f["recovered"], f["decline_share"], f["lift"], f["recall"]) == (1, 1, 0.0, None, None)
    line = track_lines(t, load_policy())[0]
    assert "同期全部专业为 0.0%" in line and "倍" not in line and line.endswith("这一年的预警没有好于基准比例。")


def test_a_year_the_table_cannot_look_back_at_is_named_not_skipped():
    """数据缺年: 2024 taken out of the history (so no verdicts can be rebuilt for it); the bulletin says 2024 was not
    looked back at, in its place, instead of telling two years after saying it looks back at three."""
    gap = planted_history().filter(pl.col("year") != 2024)
    flags = past_flags(pl.concat([verdicts(2023, {"E"}), verdicts(2022, {"F"})]))
    current = pl.DataFrame({"major_code": list(ENROLLED), "warning_level": ["绿"] * len(ENROLLED)})
    t = track_record(gap, flags, current, min_graduates=30)
    assert 1 not in t["years_ago"].to_list() and 2 in t["years_ago"].to_list()
    lines = track_lines(t, load_policy())
    assert len(lines) == 3
    assert lines[0] == "2024年（1年前）缺少回溯所需的数据（预警年份及其前一年的招生就业），未回溯。"
    assert lines[1].startswith("2023年（2年前）") and lines[2].startswith("2022年（3年前）")
