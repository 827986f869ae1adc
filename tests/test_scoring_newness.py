"""新设专业 (issue 27): a supplement major or one first offered within its program length is judged without
history (no employment verdict until it has graduates), says so in its own words, and is told apart."""

from __future__ import annotations

import polars as pl

from scoring import rulebook as rb
from scoring.newness import newness
from tests.scoring_fixtures import build, run


def _row(df: pl.DataFrame, code: str) -> dict:
    return df.filter(pl.col("major_code") == code).to_dicts()[0]


def test_a_supplement_major_with_a_failing_rate_is_new_not_failed():
    f = build()
    majors = f.majors.with_columns(added_in=pl.when(pl.col("major_code") == "530102").then(2024).otherwise(None)
                                   .cast(pl.Int64))
    before = _row(run(f)[2], "530102")
    assert before["warning_level"] == "黄" and before["cause"] == "毕业去向"  # 55% under the 60% floor
    after = _row(run(f.with_(majors=majors))[2], "530102")
    assert after["is_new"] and (after["new_since"], after["first_graduates_year"]) == (2024, 2027)
    assert after["warning_level"] == "绿" and after["cause"] is None and after["part_employment"] == 0
    assert after["employment_rate"] is None and after["rule_id"] is None
    note = "2024年增补专业，首届毕业生预计2027年"
    assert after["new_major"] == note and after["employment_note"] == note
    assert f"{note}，尚无毕业生，暂不作毕业去向预警" in after["reasons"]


def test_a_major_first_enrolled_after_the_data_begins_is_new_and_lists_still_judge_it():
    f = build()
    sm = f.school_majors.filter(~((pl.col("major_code") == "470201") & (pl.col("year") < 2025)))
    r = _row(run(f.with_(school_majors=sm))[2], "470201")
    assert r["is_new"] and r["new_kind"] == "新开设" and r["first_graduates_year"] == 2028
    assert r["restriction"] == "停止新设" and r["warning_level"] == "红"  # lists need no history
    assert "2025年首次招生的新设专业，首届毕业生预计2028年" in r["reasons"]


def test_an_old_major_is_not_new_and_left_censored_data_says_nothing():
    f = build()
    scored = run(f)[2]
    assert not scored["is_new"].any()  # every fixture major enrols from the data's first year (2023)
    signals = pl.DataFrame({"major_code": ["530102"], "latest_year": [2025], "first_enrolled_year": [2023],
                            "first_data_year": [2023]}, schema_overrides={c: pl.Int32 for c in
                                                                          ("latest_year", "first_enrolled_year",
                                                                           "first_data_year")})
    old = f.majors.filter(pl.col("major_code") == "530102").with_columns(added_in=pl.lit(2018))
    assert not newness(old, signals)["is_new"].item()
    bachelor = old.with_columns(added_in=pl.lit(2022), level=pl.lit("职业本科"))
    assert newness(bachelor, signals)["is_new"].item()  # four years for 职业本科


def test_the_rulebook_defines_new_majors():
    from scoring.policy import load_policy

    rows = {r["term"]: r for r in rb.definitions(load_policy())}
    assert "不作毕业去向和招生趋势预警" in rows["新设专业"]["definition"]
