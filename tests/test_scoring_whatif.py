"""whatif under the Sichuan and Fujian example policies, and the new-offering pre-check."""

from __future__ import annotations

import polars as pl
import pytest

from scoring import rulebook
from scoring.catalog import guiding_catalog, restriction_list, school_major_scores
from scoring.policy import EXAMPLES, load_policy
from scoring.precheck import FAIL, NO, PASS, YES, precheck_from_tables
from scoring.whatif import whatif
from tests.scoring_fixtures import build, run

POLICY = load_policy()
# (school 1, major) per year 2023, 2024, 2025: (enrolled, graduates, employed, in_field)
EXTRA = {"460104": [(40, 40, 28, 20), (40, 40, 18, 10), (40, 40, 19, 10)],   # 70%, 45%, 47.5%
         "490101": [(40, 40, 18, 10), (40, 40, 16, 8), (40, 40, 17, 9)]}     # 45%, 40%, 42.5%


def _frames():
    f = build()
    sm = f.school_majors
    for code, years in EXTRA.items():
        for (e, g, emp, inf), year in zip(years, (2023, 2024, 2025), strict=True):
            hit = (pl.col("school_code") == "1111000001") & (pl.col("major_code") == code) & (pl.col("year") == year)
            sm = sm.with_columns(*[pl.when(hit).then(v).otherwise(pl.col(c)).alias(c) for c, v in
                                   (("enrolled", e), ("graduates", g), ("employed", emp), ("employed_in_field", inf))])
    return f.with_(school_majors=sm)


def test_sichuan_moves_the_verdicts_a_hand_computation_predicts():
    """Beijing: below 60% in the latest year → 黄, two years → 红 + 限制招生.
    Sichuan: below 50% two years → 黄, three years → 红 + 限制招生. By hand, from the fixture rates:
      530101  55.0% (2024: 53.3%), 50.0%         Beijing 红/限制招生  Sichuan: 50.0% is not below 50% → 绿
      530102  70.0%, 55.0%                      Beijing 黄           Sichuan → 绿
      460104  70.0%, 45.0%, 47.5%               Beijing 红/限制招生  Sichuan: two years below 50% → 黄, no restriction
      490101  45.0%, 40.0%, 42.5%               Beijing 红/限制招生  Sichuan: three years → 红/限制招生 (no move)
    Every other major is far from both floors and keeps its verdict (its score is the same: only the
    employment rules differ)."""
    f = _frames()
    exposure, signals, _ = run(f)
    moved = whatif(f.majors, exposure, signals, POLICY, load_policy(EXAMPLES / "sichuan.yaml"))
    got = {r["major_code"]: (r["warning_level_now"], r["restriction_now"], r["warning_level_new"], r["restriction_new"])
           for r in moved.iter_rows(named=True)}
    assert got == {"530101": ("红", "限制招生", "绿", None), "530102": ("黄", None, "绿", None),
                   "460104": ("红", "限制招生", "黄", None)}
    why = moved.filter(pl.col("major_code") == "460104")["why"][0]
    assert why.startswith("现行依据在新政策下不再成立") and "60%" in why
    assert moved.filter(pl.col("major_code") == "490101").height == 0


def test_fujian_stops_new_offerings_of_a_crowded_major_and_reds_the_bottom_tenth(tmp_path):
    f = _frames()
    exposure, signals, _ = run(f)
    fujian = load_policy(EXAMPLES / "fujian.yaml")
    new = {r["major_code"]: r for r in run(f, fujian)[2].iter_rows(named=True)}
    # 12 majors with enough graduates: the lowest 10% (rank ≤ 1.2) is the single lowest rate each year: 490101
    assert new["490101"]["warning_level"] == "红" and new["490101"]["restriction"] == "限制招生"
    assert "最低的 10%" in new["490101"]["basis"]
    assert new["530102"]["warning_level"] == "绿"  # 55% is not in the bottom tenth
    moved = whatif(f.majors, exposure, signals, POLICY, fujian)
    assert "490101" not in moved["major_code"].to_list()  # red under both, for different reasons


def test_whatif_writes_nothing_and_is_empty_for_the_same_policy():
    f = _frames()
    exposure, signals, _ = run(f)
    assert whatif(f.majors, exposure, signals, POLICY, POLICY).height == 0


@pytest.fixture(scope="module")
def published():
    f = build()
    scored = run(f)[2]
    return (guiding_catalog(f.majors, scored), restriction_list(scored, f.majors),
            school_major_scores(f.schools, f.majors, f.school_majors, scored, POLICY))


def _check(answer: dict, name: str) -> dict:
    return next(c for c in answer["checks"] if c["check"] == name)


def test_precheck_answers_with_the_rule_behind_each(published):
    catalog, restrictions, schools = published
    banned = precheck_from_tables(catalog, restrictions, schools, POLICY, "1111000001", "470201")
    assert banned["verdict"] == NO
    c = _check(banned, "禁限目录及适用区域")
    assert c["result"] == FAIL and "停止新设" in c["why"] and c["rule"] == rulebook.cite(rulebook.entry("restriction.stop"), POLICY)
    ok = precheck_from_tables(catalog, restrictions, schools, POLICY, "1111000003", "590301")  # 海淀区, 重点建设
    assert _check(ok, "所在区")["result"] == PASS and ok["verdict"] in (YES, "可以，但请注意提示")
    # 烹饪 is restricted only in 东城区: a 朝阳区 school passes that check, a 东城区 school fails twice
    chaoyang = precheck_from_tables(catalog, restrictions, schools, POLICY, "1111000001", "540101")
    assert _check(chaoyang, "禁限目录及适用区域")["result"] == PASS
    dong = precheck_from_tables(catalog, restrictions, schools, POLICY, "1111000002", "540101")
    assert _check(dong, "所在区")["result"] == FAIL and _check(dong, "禁限目录及适用区域")["result"] == FAIL
    assert _check(dong, "所在区")["rule"].startswith("不再举办职业教育的区：东城区、西城区（出处：")
    unknown = precheck_from_tables(catalog, restrictions, schools, POLICY, "1111000001", "999999")
    assert unknown["verdict"] == NO and unknown["checks"][0]["check"] == "专业目录"
