"""P(红) at graduation (scoring.outlook) on the scoring fixture: the catalog's rules judge every simulated year."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from scoring.catalog import CHINESE_HEADERS, guiding_catalog
from scoring.outlook import _judged, graduation_outlook, program_years, simulated_years, wilson
from scoring.policy import load_policy
from tests.scoring_fixtures import build, run


@pytest.fixture(scope="module")
def scored():
    frames = build()
    return frames, run(frames)[2]


def test_the_outlook_is_deterministic_bounded_and_ordered(scored):
    frames, s = scored
    a = graduation_outlook(s, frames.majors, load_policy(), seed=3)
    assert a.equals(graduation_outlook(s, frames.majors, load_policy(), seed=3))
    assert a.height == s.height and a["major_code"].is_sorted()
    for c in ("p_red_at_graduation", "p_red_at_graduation_low", "p_red_at_graduation_high",
              "p_restriction_at_graduation"):
        assert a[c].is_between(0, 1).all()
    assert (a["p_red_at_graduation_low"] <= a["p_red_at_graduation"]).all()
    assert (a["p_red_at_graduation"] <= a["p_red_at_graduation_high"]).all()


def test_a_list_ban_stays_red_and_a_major_below_the_floor_may_turn_red_unlike_healthy_ones(scored):
    frames, s = scored
    out = dict(zip(*graduation_outlook(s, frames.majors, load_policy()).select("major_code", "p_red_at_graduation")
                   .to_dict(as_series=False).values(), strict=True))
    verdict = dict(zip(s["major_code"], s["warning_level"], strict=True))
    banned = s.filter(pl.col("restriction") == "停止新设")["major_code"][0]
    assert verdict[banned] == "红" and out[banned] == 1.0  # the lists in force stay in force
    low_rate = s.filter((pl.col("employment_rate") < load_policy().rules.employment_floor)
                        & (pl.col("warning_level") != "红"))["major_code"][0]
    assert verdict[low_rate] != "红" and out[low_rate] > 0.0  # below the floor today: it may last to graduation
    healthy = s.filter((pl.col("employment_rate") >= 0.9) & (pl.col("warning_level") == "绿"))["major_code"]
    assert healthy.len() and all(out[c] < out[low_rate] for c in healthy)


def test_each_share_is_the_rules_verdict_on_the_simulated_years(scored, monkeypatch):
    """The probabilities come from scoring.risk.judge: a policy with a lower red line gives more 红."""
    frames, s = scored
    policy = load_policy()
    rows = s.sort("major_code")
    years = np.full(rows.height, 3)
    red, _ = _judged(rows, years, 40, policy, np.random.default_rng(0))
    from scoring.risk import judge

    sims = simulated_years(rows, years, 40, np.random.default_rng(0))
    expected = (judge(sims, policy, basis=False)["warning_level"] == "红").to_numpy().reshape(-1, 40).sum(axis=1)
    assert np.array_equal(red, expected)
    calls = []
    import scoring.risk

    def spy(df, p, basis=True):
        calls.append(df.height)
        return judge(df, p, basis)

    monkeypatch.setattr(scoring.risk, "judge", spy)
    graduation_outlook(s, frames.majors, policy, draws=30, first=10)
    assert calls and calls[0] == s.height * 10


def test_program_length_by_level_and_the_wilson_interval():
    assert program_years("高职专科") == 3 and program_years("中职") == 3
    assert program_years("职业本科") == 4 and program_years("职教本科") == 4
    low, high = wilson(np.array([0.0, 10.0, 5.0]), np.array([25, 10, 10]))
    assert low[0] == 0 and 0.1 < high[0] < 0.16  # 0 of 25: up to 13 % is still plausible
    assert high[1] == 1.0 and 0.65 < low[1] < 0.75
    assert low[2] < 0.5 < high[2]


def test_the_catalog_publishes_the_outlook_with_chinese_headers(scored):
    frames, s = scored
    catalog = guiding_catalog(frames.majors, s.join(graduation_outlook(s, frames.majors, load_policy()),
                                                    on="major_code", how="left"))
    assert catalog["p_red_at_graduation"].is_not_null().all()
    assert CHINESE_HEADERS["guiding_catalog"]["p_red_at_graduation"] == "毕业时红色预警可能性"
    assert list(CHINESE_HEADERS["guiding_catalog"]) == catalog.columns
    assert guiding_catalog(frames.majors, s)["p_red_at_graduation"].is_null().all()  # scored without it


def test_the_precheck_tells_the_chance_of_red_at_graduation(scored):
    from scoring.precheck import NOTE, PASS, precheck_from_tables
    from scoring.schools import school_major_scores

    frames, s = scored
    policy = load_policy()
    outlook = graduation_outlook(s, frames.majors, policy)
    catalog = guiding_catalog(frames.majors, s.join(outlook, on="major_code", how="left"))
    schools = school_major_scores(frames.schools, frames.majors, frames.school_majors, s, policy)
    school = schools["school_code"][0]
    level = schools.filter(pl.col("school_code") == school)["level"][0]
    rows = catalog.filter(pl.col("level") == level).sort("p_red_at_graduation")
    for major, expected in ((rows["major_code"][0], PASS), (rows["major_code"][-1], NOTE)):
        answer = precheck_from_tables(catalog, pl.DataFrame(schema={"major_code": pl.String, "scope": pl.String,
                                                                    "restriction": pl.String}),
                                      schools, policy, school, major)
        check = next(c for c in answer["checks"] if c["check"].endswith("年后红色预警的可能性"))
        chance = catalog.filter(pl.col("major_code") == major)["p_red_at_graduation"][0]
        assert check["check"] == "3年后红色预警的可能性" and f"约 {chance:.0%}" in check["why"]
        assert check["result"] == (NOTE if chance >= 0.5 else PASS) == expected
    old = precheck_from_tables(guiding_catalog(frames.majors, s), pl.DataFrame(
        schema={"major_code": pl.String, "scope": pl.String, "restriction": pl.String}), schools, policy, school,
        rows["major_code"][0])
    assert not any("红色预警的可能性" in c["check"] for c in old["checks"])  # an edition without the outlook


def test_each_offering_carries_its_majors_outlook_for_the_school_pages(scored):
    from scoring.schools import school_major_scores

    frames, s = scored
    policy = load_policy()
    outlook = graduation_outlook(s, frames.majors, policy)
    rows = school_major_scores(frames.schools, frames.majors, frames.school_majors,
                               s.join(outlook, on="major_code", how="left"), policy)
    both = rows.select("major_code", "p_red_at_graduation").join(
        outlook.select("major_code", pl.col("p_red_at_graduation").round(3).alias("major")), on="major_code")
    assert both.height == rows.height and (both["p_red_at_graduation"] == both["major"]).all()
    without = school_major_scores(frames.schools, frames.majors, frames.school_majors, s, policy)
    assert without["p_red_at_graduation"].is_null().all() and without.columns == rows.columns
