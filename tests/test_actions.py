"""The action plan (issue 28) on the scoring fixture with each case planted, read back from a published edition.

Planted (tests/scoring_fixtures.py plus the frames below):
- 470201 化工技术 is 停止新设; at 1111000001 (朝阳区) the school also runs 470202 精细化工技术 (green): received there;
- 1111000004 (朝阳区) runs only 470201: nothing at the school, 470202 at 1111000001 in its district receives it;
- 530701 商品批发经营 → 大类 51 (疏解转移) with 河北省 rows; 460103 is 调整转型, not relocated; a second relocated
  major (490101 when 13 is listed 疏解转移 in one variant) has no region rows → 数据不足;
- 460103 电子产品制造技术 → 3912 (调整转型): the phrase 工业机器人 rises from 5 to 40 of 100 postings;
- 590301 家政服务与管理: 求人倍率 1.6, starting pay 3,000 against a city median of 5,000 → 留任缺口;
  510201 计算机应用技术: 求人倍率 2.0, pay at the median → 训练缺口.
"""

from __future__ import annotations

import polars as pl
import pytest

from scoring import actions_text as t
from scoring.actions import ActionInputs, action_plan
from scoring.backbone import backbone_candidates
from scoring.catalog import school_major_scores
from scoring.partners import partner_regions
from scoring.policy import load_policy
from tests.scoring_fixtures import AS_OF, LIST_MOVE, YEARS, adjustments_frame, build, run

CHAOYANG, DISTRICT_ONLY, HAIDIAN = "1111000001", "1111000004", "1111000003"
TERMS = {"industry_code": pl.String, "year": pl.Int32, "term": pl.String, "postings": pl.Int64, "total": pl.Int64}


def planted_frames(hebei: bool = True):
    f = build()
    schools = pl.concat([f.schools, pl.DataFrame([(DISTRICT_ONLY, "北京市朝阳第二职业学校", "中职", "朝阳区")],
                                                  orient="row", schema=f.schools.columns)])
    extra = pl.DataFrame([(DISTRICT_ONLY, "470201", y, 25, 25, 20, 15, 5000.0) for y in YEARS], orient="row",
                         schema=f.school_majors.schema)
    sm = pl.concat([f.school_majors, extra]).with_columns(
        starting_salary=pl.when(pl.col("major_code") == "590301").then(3000.0).otherwise("starting_salary"))
    labor = f.labor_market
    if hebei:
        labor = pl.concat([labor, pl.DataFrame(
            [(str(y), y, None, "511", None, d, 1000, "河北省") for y, d in ((2024, 1500), (2025, 1800))],
            orient="row", schema=labor.schema)])
    return f.with_(schools=schools, school_majors=sm, labor_market=labor)


def posting_terms() -> pl.DataFrame:
    rows = [("3912", 2024, "工业机器人", 5, 100), ("3912", 2025, "工业机器人", 40, 100),
            ("3912", 2024, "焊锡", 50, 100), ("3912", 2025, "焊锡", 45, 100)]
    return pl.DataFrame(rows, orient="row", schema=TERMS)


def plan_for(frames, terms: pl.DataFrame | None = None) -> pl.DataFrame:
    policy = load_policy()
    _, _, scored = run(frames)
    offers = school_major_scores(frames.schools, frames.majors, frames.school_majors, scored, policy)
    inputs = ActionInputs(frames.majors, frames.schools, scored, offers, frames.school_majors,
                          frames.major_industry_map, frames.major_occupation_map, frames.labor_market,
                          frames.industry_adjustments, frames.industries,
                          posting_terms() if terms is None else terms,
                          pl.DataFrame(schema={"district": pl.String, "industry_code": pl.String, "openings": pl.Int64}))
    return action_plan(inputs, policy, AS_OF)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> pl.DataFrame:
    """The plan as an edition publishes it (actions.parquet), read back."""
    path = tmp_path_factory.mktemp("edition") / "actions.parquet"
    plan_for(planted_frames()).write_parquet(path)
    return pl.read_parquet(path)


def row(plan: pl.DataFrame, school: str | None, major: str, action: str) -> dict:
    school_is = pl.col("school_code").is_null() if school is None else pl.col("school_code") == school
    found = plan.filter(school_is & (pl.col("major_code") == major) & (pl.col("action") == action))
    assert found.height == 1, f"{school} {major} {action}: {found.height} rows"
    return found.row(0, named=True)


def test_banned_major_is_received_by_a_similar_healthy_major_at_the_same_school(published):
    r = row(published, CHAOYANG, "470201", t.MERGE)
    assert r["receiving_majors"].startswith("470202 精细化工技术（本校）")
    assert r["students_in_school"] == 90 and r["last_cohort_graduates"] == YEARS[-1] + 3
    assert "在校生约90人" in r["evidence"] and f"末届学生{YEARS[-1] + 3}年毕业" in r["evidence"]
    assert "可由470202 精细化工技术（本校）承接学生和师资" in r["evidence"]


def test_with_nothing_at_the_school_the_district_receives(published):
    r = row(published, DISTRICT_ONLY, "470201", t.MERGE)
    assert r["receiving_majors"].startswith("470202 精细化工技术（朝阳区其他学校）")
    assert "北京市朝阳职业学校" not in r["receiving_majors"] + r["evidence"]  # a school page never names another
    assert "（本校）" not in r["receiving_majors"] and r["students_in_school"] == 75


def test_no_similar_healthy_major_says_so(published):
    r = row(published, HAIDIAN, "540101", t.CLOSE)  # no enrolment for three years: 撤销
    assert r["students_in_school"] == 0 and r["last_cohort_graduates"] is None
    assert r["receiving_majors"] == t.NONE_RECEIVING and t.NO_RECEIVING in r["evidence"]


def test_relocated_industry_with_hebei_demand_names_the_region_with_figures(published):
    for school in (CHAOYANG, None):
        r = row(published, school, "530701", t.PARTNER)
        assert "河北省（2025年）需求1,800人，求人倍率1.80" in r["partner_regions"]
        assert r["partner_regions"] in r["evidence"] and t.NO_DATA not in r["partner_regions"]


def test_relocated_industry_without_region_rows_says_data_missing():
    plan = plan_for(planted_frames(hebei=False))
    r = row(plan, None, "530701", t.PARTNER)
    assert r["partner_regions"].startswith(t.NO_DATA) and "河北省" in r["partner_regions"]
    f = planted_frames()  # 13 made relocated too: one major with 河北 rows, one without any
    moved = adjustments_frame([*[(n, c, code, s) for n, c, code, s, *_ in adjustments_frame().iter_rows()],
                               (LIST_MOVE, "relocated", "13", "全市")])
    both = partner_regions(["530701", "490101"], f.major_industry_map, moved, f.labor_market, f.industries, AS_OF)
    found = dict(both.select("major_code", "partner_found").iter_rows())
    assert found == {"530701": True, "490101": False}
    assert both.filter(pl.col("major_code") == "490101")["partner_regions"][0].startswith(t.NO_DATA)


def test_rising_skill_term_around_a_transforming_industry(published):
    for school in (CHAOYANG, None):
        r = row(published, school, "460103", t.UPGRADE)
        assert "技能：工业机器人（招聘占比+700%）" in r["upgrade_toward"]
        assert "焊锡" not in r["upgrade_toward"]  # falling
        assert r["upgrade_toward"] in r["evidence"]


def test_without_rising_terms_the_direction_says_data_missing():
    plan = plan_for(planted_frames(), pl.DataFrame(schema=TERMS))
    assert row(plan, None, "460103", t.UPGRADE)["upgrade_toward"] == t.NO_UPGRADE_DATA


def test_low_pay_shortage_is_a_retention_gap_and_high_pay_a_training_gap(published):
    low = row(published, None, "590301", t.KEY)
    assert low["shortage_kind"] == t.RETENTION_GAP
    assert "起薪3,000元低于全市专业起薪中位数5,000元的90%" in low["evidence"]
    assert row(published, None, "510201", t.PRIORITY)["shortage_kind"] == t.TRAINING_GAP
    assert row(published, CHAOYANG, "470201", t.MERGE)["shortage_kind"] == t.NO_GAP


def test_every_row_has_a_shortage_kind_and_plain_chinese_evidence(published):
    assert set(published["action"]) <= set(t.ACTIONS)
    assert published["shortage_kind"].is_in([t.TRAINING_GAP, t.RETENTION_GAP, t.NO_GAP, t.NO_DATA]).all()
    assert published["evidence"].str.contains(r"^[^a-zA-Z_]*$").all()  # no internal identifiers
    city = published.filter(pl.col("school_code").is_null())
    assert set(city["action"]) <= {t.UPGRADE, t.PARTNER, t.PRIORITY, t.KEY}


def test_backbone_candidates_rank_with_parts_and_explained_ties():
    f = planted_frames()
    policy = load_policy()
    _, _, scored = run(f)
    offers = school_major_scores(f.schools, f.majors, f.school_majors, scored, policy)
    ranked = backbone_candidates(offers, scored, f.school_majors, policy)
    parts = [c for c in ranked.columns if c.startswith("part_")]
    assert len(parts) == 6
    assert (ranked.select(pl.sum_horizontal(parts)).to_series() - ranked["total"]).abs().max() < 0.05
    assert ranked["total"].is_sorted(descending=True) and ranked["rank"][0] == 1
    assert not ranked["major_code"].is_in(["470201", "530101"]).any()  # never a banned or restricted offering
    assert (ranked["district"] != "东城区").all()  # a district that no longer runs vocational education
    tied = ranked.filter(pl.col("total").is_duplicated())
    assert tied.height >= 2 and tied["evidence"].str.contains("同分并列").all()
    assert (tied.group_by("total").agg(pl.col("rank").n_unique())["rank"] == 1).all()


def test_schools_best_placed_to_open_a_priority_major():
    """510201 计算机应用技术 is 优先发展: a 高职 school in 朝阳区 running the related 510202 (same 专业大类, green)
    may open it; the 中职 schools and the 东城区 school (no vocational education there) are never named."""
    f = planted_frames()
    new_school, new_major = "1111000005", "510202"
    majors = pl.concat([f.majors, pl.DataFrame([(new_major, "计算机网络技术", "高职专科", "电子与信息大类", None, None)],
                                               orient="row", schema=f.majors.schema)])
    schools = pl.concat([f.schools, pl.DataFrame([(new_school, "北京市朝阳职业技术学院", "高职", "朝阳区")], orient="row",
                                                  schema=f.schools.columns)])
    rows = pl.DataFrame([(new_school, new_major, y, 40, 40, 38, 30, 6000.0) for y in YEARS], orient="row",
                        schema=f.school_majors.schema)
    mapped = pl.concat([f.major_industry_map, pl.DataFrame({"major_code": [new_major], "industry_code": ["65"],
                                                            "weight": [None]}, schema=f.major_industry_map.schema)])
    plan = plan_for(f.with_(majors=majors, schools=schools, school_majors=pl.concat([f.school_majors, rows]),
                            major_industry_map=mapped))
    text = row(plan, None, "510201", t.PRIORITY)["candidate_schools"]
    assert text == "适宜开设或扩大的学校：北京市朝阳职业技术学院（朝阳区，可新设；同类专业1个）"
    assert text in row(plan, None, "510201", t.PRIORITY)["evidence"]
    alone = plan_for(planted_frames())
    assert row(alone, None, "510201", t.PRIORITY)["candidate_schools"] == t.NO_CANDIDATES
