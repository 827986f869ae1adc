"""Overrides applied after the rules: verdict set, reason 经市教委复核调整, marker, expiry, carry-forward."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from scoring.catalog import guiding_catalog, restriction_list
from scoring.overrides import OVERRIDE_SCHEMA, apply_major_overrides, apply_offering_overrides
from scoring.policy import load_policy
from scoring.schools import school_major_scores
from tests.scoring_fixtures import AS_OF, build, run

BANNED = "470201"  # 停止新设 全市 by the rules on the fixture lists


def _ov(*rows) -> pl.DataFrame:
    full = [{"override_id": str(i), "school_code": None, "reason": "复核理由", "decided_by": "教委甲",
             "decided_at": f"2026-06-0{i + 1}T00:00:00", "expires": None, **r} for i, r in enumerate(rows)]
    return pl.DataFrame(full, schema=OVERRIDE_SCHEMA)


@pytest.fixture(scope="module")
def base():
    f = build()
    _, _, scored = run(f)
    return f, scored


def _row(df, code, school=None):
    q = pl.col("major_code") == code
    if school:
        q &= pl.col("school_code") == school
    return df.filter(q).row(0, named=True)


def test_restriction_lifted_with_reason_and_marker(base):
    f, scored = base
    assert _row(scored, BANNED)["restriction"] == "停止新设"
    out = apply_major_overrides(scored, _ov({"major_code": BANNED, "field": "restriction", "value": "无",
                                             "reason": "该专业已转向新能源方向"}), AS_OF)
    r = _row(out, BANNED)
    assert r["restriction"] is None and r["restrictions"] == [] and r["overridden"] is True
    assert r["reasons"].endswith("经市教委复核调整：取消限制（该专业已转向新能源方向）")
    assert restriction_list(out, f.majors).filter(pl.col("major_code") == BANNED).height == 0
    others = out.filter(pl.col("major_code") != BANNED)
    assert not others["overridden"].any()
    assert others.drop("overridden").equals(scored.filter(pl.col("major_code") != BANNED))


def test_guidance_and_warning_level_set_and_shown_in_the_catalog(base):
    f, scored = base
    code = scored.filter(pl.col("warning_level") == "绿")["major_code"][0]
    out = apply_major_overrides(scored, _ov({"major_code": code, "field": "warning_level", "value": "黄"},
                                            {"major_code": code, "field": "guidance", "value": "控制发展"}), AS_OF)
    cat = _row(guiding_catalog(f.majors, out), code)
    assert (cat["warning_level"], cat["guidance"]) == ("黄", "控制发展")
    assert "预警等级调整为「黄」" in cat["reasons"] and "指导类别调整为「控制发展」" in cat["reasons"]


def test_restriction_imposed_becomes_a_citywide_row(base):
    f, scored = base
    code = scored.filter(pl.col("restriction").is_null())["major_code"][0]
    out = apply_major_overrides(scored, _ov({"major_code": code, "field": "restriction", "value": "限制招生"}), AS_OF)
    rows = restriction_list(out, f.majors).filter(pl.col("major_code") == code)
    assert rows.select("restriction", "scope").rows() == [("限制招生", "全市")]
    assert rows["reasons"][0].startswith("经市教委复核调整：限制调整为「限制招生」")


@pytest.mark.parametrize("expires,applies", [(date(2025, 12, 31), True), (date(2025, 12, 30), False), (None, True)])
def test_expired_overrides_do_not_apply_and_others_carry_forward(base, expires, applies):
    _, scored = base
    ov = _ov({"major_code": BANNED, "field": "restriction", "value": "无", "expires": expires})
    assert (_row(apply_major_overrides(scored, ov, AS_OF), BANNED)["restriction"] is None) is applies
    later = date(2026, 12, 31)  # the next edition: still applies unless it expired before
    assert (_row(apply_major_overrides(scored, ov, later), BANNED)["restriction"] is None) is (expires is None)


def test_retired_override_does_not_apply_and_latest_decision_wins(base):
    _, scored = base
    ov = _ov({"major_code": BANNED, "field": "restriction", "value": "无"},
             {"major_code": BANNED, "field": "restriction", "value": "限制招生"})
    assert _row(apply_major_overrides(scored, ov, AS_OF), BANNED)["restriction"] == "限制招生"
    retired = ov.with_columns(retired=pl.Series([False, True]))
    assert _row(apply_major_overrides(scored, retired, AS_OF), BANNED)["restriction"] is None


def test_offering_override_touches_only_that_school(base):
    f, scored = base
    schools = school_major_scores(f.schools, f.majors, f.school_majors, scored, load_policy())
    school, code = schools.select("school_code", "major_code").row(0)
    ov = _ov({"major_code": code, "school_code": school, "field": "guidance", "value": "合作办学",
              "reason": "与企业共建"})
    out = apply_offering_overrides(schools, ov, AS_OF)
    r = _row(out, code, school)
    assert r["guidance"] == "合作办学" and r["overridden"] and "经市教委复核调整：指导类别调整为「合作办学」（与企业共建）" in r["reasons"]
    rest = out.filter((pl.col("school_code") != school) | (pl.col("major_code") != code))
    assert not rest["overridden"].any()
    assert rest.drop("overridden").equals(schools.filter((pl.col("school_code") != school) |
                                                         (pl.col("major_code") != code)))


def test_major_override_flows_to_offerings_and_marks_them(base):
    f, scored = base
    ov = _ov({"major_code": BANNED, "field": "guidance", "value": "正常"})
    majors = apply_major_overrides(scored, ov, AS_OF)
    schools = apply_offering_overrides(
        school_major_scores(f.schools, f.majors, f.school_majors, majors, load_policy()), ov, AS_OF)
    hit = schools.filter(pl.col("major_code") == BANNED)
    assert hit.height and hit["overridden"].all() and (hit["guidance"] == "正常").all()
    assert not schools.filter(pl.col("major_code") != BANNED)["overridden"].any()


def test_no_overrides_changes_nothing(base):
    _, scored = base
    for ov in (None, _ov()):
        out = apply_major_overrides(scored, ov, AS_OF)
        assert out.drop("overridden").equals(scored) and not out["overridden"].any()


def test_score_with_overrides_orders_major_then_offering(base):
    from functools import partial

    from scoring.overrides import overridden_majors, score_with_overrides

    f, scored = base
    offerings = partial(school_major_scores, f.schools, f.majors, f.school_majors, policy=load_policy())
    school = offerings(scored).filter(pl.col("major_code") == BANNED)["school_code"][0]
    ov = _ov({"major_code": BANNED, "field": "guidance", "value": "正常"},
             {"major_code": BANNED, "school_code": school, "field": "guidance", "value": "合作办学"})
    majors, schools = score_with_overrides(scored, ov, AS_OF, lambda m: offerings(scored=m))
    assert _row(majors, BANNED)["guidance"] == "正常" and overridden_majors(majors) == {BANNED}
    assert _row(schools, BANNED, school)["guidance"] == "合作办学"  # the offering's own override wins
    others = schools.filter((pl.col("major_code") == BANNED) & (pl.col("school_code") != school))
    assert others.height == 0 or (others["guidance"] == "正常").all()
