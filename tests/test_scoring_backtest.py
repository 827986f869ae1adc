"""The back-test of past flags: planted true declines give lift > 1; a short history says so."""

from __future__ import annotations

import polars as pl

from scoring.backtest import backtest, format_backtest, measure
from scoring.policy import load_policy
from tests.scoring_fixtures import history_frames

YEARS = range(2021, 2026)
BAD = 8          # majors 0..7: employment 40% every year and enrolment falling 30% a year (planted true declines)
N = 20           # majors 8..19: employment 90%, flat enrolment; two of them drop in 2025 without warning
SURPRISE = {"700008", "700009"}


def _frames(years=YEARS) -> dict[str, pl.DataFrame]:
    codes = [f"7000{i:02d}" for i in range(N)]
    rows = []
    for i, code in enumerate(codes):
        for y in years:
            bad = i < BAD
            enrolled = round(100 * 0.7 ** (y - 2021)) if bad else (60 if code in SURPRISE and y == 2025 else 100)
            rows.append(("1111000001", code, y, enrolled, 50, 20 if bad else 45, 10, None))
    sm = pl.DataFrame(rows, orient="row", schema={
        "school_code": pl.String, "major_code": pl.String, "year": pl.Int32, "enrolled": pl.Int32,
        "graduates": pl.Int32, "employed": pl.Int32, "employed_in_field": pl.Int32, "starting_salary": pl.Float64})
    return history_frames(pl.DataFrame({"major_code": codes}), sm)


def test_planted_declines_are_found_with_lift_above_one():
    m = backtest(_frames(), load_policy())
    assert m["origins"] == [2022, 2023, 2024]
    assert m["flagged"] == BAD * 3 and m["true_positives"] == BAD * 3     # every flag was followed by a decline
    assert m["declined"] == BAD * 3 + len(SURPRISE)                       # plus the two unwarned drops in 2025
    base = m["declined"] / m["pairs"]
    assert m["lift"] == 1 / base and m["lift"] > 1
    assert m["lift_interval"][0] > 1
    assert m["recall"] == BAD * 3 / (BAD * 3 + len(SURPRISE))
    assert "预警对后来的下降有提示作用" in m["verdict"]
    assert any("提升度" in line for line in format_backtest(m))


def test_a_short_history_says_it_cannot_tell():
    m = backtest(_frames(range(2023, 2026)), load_policy())
    assert m["origins"] == [2024] and m["verdict"].startswith("历史太短或样本太少")
    none = backtest(_frames(range(2024, 2026)), load_policy())
    assert none["origins"] == [] and none["pairs"] == 0 and none["verdict"].startswith("历史太短或样本太少")
    assert "无法计算" in "\n".join(format_backtest(none))


def test_no_better_than_chance_is_said_plainly():
    pairs = pl.DataFrame({"major_code": [str(i) for i in range(40)], "declined": [i % 2 == 0 for i in range(40)],
                          "flagged": [i % 4 < 2 for i in range(40)], "origin": [2022] * 20 + [2023] * 20},
                         schema_overrides={"origin": pl.Int32})
    m = measure(pairs)
    assert m["lift"] == 1.0 and "尚不能证明预警优于随机" in m["verdict"]


def test_published_flags_replace_the_rescored_ones_for_their_years():
    """An origin year a final edition covers takes the flags that edition issued (a commission override
    included), the others are re-scored; a renumbered major's issued flag follows it to its new code."""
    frames = _frames()
    policy = load_policy()
    rescored = backtest(frames, policy)
    # the 2023 final flagged the two surprise majors too (say, on objections) and none of the bad ones but 700000,
    # which has since been renumbered 790000 (its history is under the new code now)
    issued = pl.DataFrame({"origin": [2023] * N, "major_code": [f"7000{i:02d}" for i in range(N)],
                           "flagged": [i == 0 or f"7000{i:02d}" in SURPRISE for i in range(N)],
                           "edition": ["2024"] * N}, schema_overrides={"origin": pl.Int32})
    renamed = pl.col("major_code").replace("700000", "790000")
    frames = {**frames, "majors": frames["majors"].with_columns(
                  renamed, former_codes=pl.when(renamed == "790000").then(pl.lit("700000"))),
              "school_majors": frames["school_majors"].with_columns(renamed)}
    m = backtest(frames, policy, published=issued)
    assert m["origins"] == rescored["origins"] == [2022, 2023, 2024] and m["published_origins"] == [2023]
    assert [o["source"] for o in m["by_origin"]] == ["回算", "已发布", "回算"]
    at = {o["origin"]: o for o in m["by_origin"]}
    assert at[2023]["flagged"] == 1 + len(SURPRISE) and at[2023]["pairs"] == N  # 790000 kept its issued flag
    assert at[2022] == {**{k: v for k, v in rescored["by_origin"][0].items()}, "source": "回算"}
    assert m["flagged"] == rescored["flagged"] - BAD + 1 + len(SURPRISE)
    lines = "\n".join(format_backtest(m))
    assert "2023 年取当年正式版实际发布的预警等级，2022、2024 年按当时可得数据回算" in lines
