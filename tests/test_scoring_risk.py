"""Risk score, warning level, guidance, restrictions and reasons: each rule acting, and monotonicity."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.exposure import CATEGORIES, SCOPED_DTYPE
from scoring.policy import load_policy
from scoring.risk import PARTS, score_majors
from tests.scoring_fixtures import LIST_BAN, build, labor_frame, policy_with, run

POLICY = load_policy()


def _row(df: pl.DataFrame, code: str) -> dict:
    return df.filter(pl.col("major_code") == code).to_dicts()[0]


@pytest.fixture(scope="module")
def scored() -> pl.DataFrame:
    return run(build())[2]


def test_risk_score_is_the_sum_of_its_parts(scored):
    for r in scored.iter_rows(named=True):
        assert r["risk_score"] == pytest.approx(max(0.0, min(100.0, sum(r[p] for p in PARTS))))
        assert 0 <= r["risk_score"] <= 100
    assert _row(scored, "470201")["part_prohibited"] == pytest.approx(30.0)
    assert _row(scored, "510201")["part_high_end"] == pytest.approx(-10.0)


@pytest.mark.parametrize("major, guidance", [
    ("470201", "停止新设"), ("530101", "限制"), ("460103", "改造升级"), ("530701", "合作办学"),
    ("510201", "优先发展"), ("590301", "重点建设"), ("460104", "正常"), ("610101", "正常"),
])
def test_each_guidance_rule_acts(scored, major, guidance):
    assert _row(scored, major)["guidance"] == guidance


def test_banned_major_stops_citywide(scored):
    r = _row(scored, "470201")
    assert (r["restriction"], r["restriction_scope"], r["warning_level"]) == ("停止新设", "全市", "红")
    assert f"《{LIST_BAN}》" in r["basis"] and "禁止类占 100%" in r["basis"]
    assert r["reasons"].count(f"《{LIST_BAN}》") == 1 and r["cause"] == "产业清单"


def test_restricted_only_in_dongcheng(scored):
    r = _row(scored, "540101")
    assert (r["restriction"], r["restriction_scope"]) == ("限制招生", "东城区")
    assert r["guidance"] == "正常"  # the citywide catalog is not restricted; the 东城区 row is on the list
    assert r["warning_level"] == "黄"
    assert "东城区限制招生" in r["basis"] and r["reasons"].startswith("在东城区")


def test_employment_rules(scored):
    red = _row(scored, "530101")
    assert red["warning_level"] == "红" and red["restriction"] == "限制招生"
    assert ("2025年毕业去向落实率 50.0%（95%区间 37.7%–62.3%），毕业生 60 人；毕业去向落实率连续两年低于 60%"
            "（53.3%、50.0%），缩减招生") in red["basis"]
    assert red["rule_id"] == "employment.red.floor"
    assert red["reasons"].startswith("毕业去向落实率连续两年低于 60%（53.3%、50.0%）") and red["cause"] == "毕业去向"
    yellow = _row(scored, "530102")
    assert yellow["warning_level"] == "黄" and yellow["restriction"] is None
    assert "毕业生 40 人（上年 70.0%），毕业去向落实率最新一年低于 60%，黄色预警" in yellow["basis"]
    assert yellow["rule_id"] == "employment.yellow"
    assert yellow["reasons"].startswith("2025年毕业去向落实率 55.0%，低于 60%")
    assert _row(scored, "460104")["warning_level"] == "绿"


def test_demand_figures_in_reasons(scored):
    assert "2025年求人倍率 0.60（95%区间 0.54–0.66），较上年下降 25%" in _row(scored, "470201")["basis"]


def test_proposed_mapping_raises_score_but_never_restricts(scored):
    prop, confirmed = _row(scored, "470202"), _row(scored, "470201")
    assert prop["exposure_prohibited"] == pytest.approx(1.0)
    assert prop["risk_score"] == pytest.approx(confirmed["risk_score"])
    assert prop["restriction"] is None and prop["restrictions"] == []
    assert prop["guidance"] not in ("停止新设", "限制")
    assert "模型推断（置信度 0.82）" in prop["basis"]


def test_unmapped_major_says_so(scored):
    assert _row(scored, "610101")["basis"].startswith("未找到专业—行业对应，仅依据人才供需信号评分")


def test_too_many_schools_with_falling_demand_is_controlled(tmp_path):
    f = build()
    labor = labor_frame({"65": ((2200, 1000), (2000, 1000))})
    p = policy_with(tmp_path, {"rules.saturation_max_schools": 2, "curves.saturation_start": 1})
    r = _row(run(f.with_(labor_market=labor), p)[2], "510201")  # 3 schools, ratio 2.2 → 2.0
    assert r["guidance"] == "控制发展"  # also qualifies for 优先发展; 控制发展 comes first
    assert "全市开设学校 3 所，超过 2 所且求人倍率下降" in r["basis"]
    assert r["part_saturation"] == pytest.approx(5.0)
    rising = _row(run(f, p)[2], "510201")
    assert rising["guidance"] == "优先发展"


def test_precedence_comes_from_policy(tmp_path):
    f = build()
    m = pl.DataFrame({"major_code": ["510201", "510201"], "industry_code": ["65", "3912"], "weight": [0.4, 0.6]})
    default = _row(run(f.with_(major_industry_map=m), policy_with(tmp_path, {"rules.priority_ratio_min": 1.2}))[2],
                   "510201")
    assert default["guidance"] == "改造升级"  # both rules fire; the default precedence puts 改造升级 first
    order = ["停止新设", "限制", "控制发展", "优先发展", "改造升级", "合作办学", "重点建设", "正常"]
    p = policy_with(tmp_path, {"guidance_precedence": order, "rules.priority_ratio_min": 1.2})  # ratio 1.4
    assert _row(run(f.with_(major_industry_map=m), p)[2], "510201")["guidance"] == "优先发展"


def test_missing_exposure_and_signals_rows_still_score():
    f = build()
    out = score_majors(f.majors, pl.DataFrame(schema={"major_code": pl.String, **{
        f"exposure_{c}": pl.Float64 for c in CATEGORIES}, "mapping_source": pl.String}),
        pl.DataFrame(schema={"major_code": pl.String}), POLICY)
    assert out.height == f.majors.height
    assert out["risk_score"].to_list() == [0.0] * out.height
    assert set(out["guidance"]) == {"正常"}


# ---------------------------------------------------------------- properties over generated frames
_unit = st.floats(0, 1, allow_nan=False)
_opt = lambda s: st.none() | s  # noqa: E731
_row_strategy = st.fixed_dictionaries({
    **{f"exposure_{c}": _unit for c in CATEGORIES},
    "mapping_source": st.sampled_from(["map", "proposed", "none"]),
    "scoped": st.lists(st.tuples(st.sampled_from(["prohibited", "restricted"]),
                                 st.sampled_from(["东城区", "中心城区"]), _unit), max_size=2,
                       unique_by=lambda t: (t[0], t[1])),
    "demand_supply_ratio": _opt(st.floats(0, 5, allow_nan=False)),
    "ratio_trend": _opt(st.floats(-1, 2, allow_nan=False)),
    "employment_rate": _opt(_unit), "employment_rate_prev": _opt(_unit),
    "enrolment_trend": _opt(st.floats(-1, 3, allow_nan=False)),
    "schools_offering": st.integers(0, 40),
})


def _frames(rows: list[dict]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    codes = [f"5{i:05d}" for i in range(len(rows))]
    majors = pl.DataFrame({"major_code": codes})
    exposure = pl.DataFrame({
        "major_code": codes, **{f"exposure_{c}": [r[f"exposure_{c}"] for r in rows] for c in CATEGORIES},
        "scoped_restrictions": [[{"category": c, "scope": s, "share": v, "list_names": ["清单"]}
                                 for c, s, v in r["scoped"]] for r in rows],
        "mapping_source": [r["mapping_source"] for r in rows],
        "mapping_confidence": [0.5 if r["mapping_source"] == "proposed" else None for r in rows]},
        schema_overrides={"scoped_restrictions": SCOPED_DTYPE})
    keys = ("demand_supply_ratio", "ratio_trend", "employment_rate", "employment_rate_prev", "enrolment_trend",
            "schools_offering")
    signals = pl.DataFrame({"major_code": codes, **{k: [r[k] for r in rows] for k in keys}},
                           schema_overrides={k: pl.Float64 for k in keys[:-1]})
    return majors, exposure, signals


def _scores(rows: list[dict]) -> list[float]:
    return score_majors(*_frames(rows), POLICY, explain=False).sort("major_code")["risk_score"].to_list()


def _bumped(rows: list[dict], key: str, deltas: list[float], cap: float | None) -> list[dict]:
    out = []
    for r, d in zip(rows, deltas, strict=False):
        new = dict(r)
        if r[key] is not None:
            new[key] = r[key] + d if cap is None else min(cap, r[key] + d)
        out.append(new)
    return out


_rows = st.lists(_row_strategy, min_size=1, max_size=6)
_deltas = st.lists(st.floats(0, 1, allow_nan=False), min_size=6, max_size=6)


@settings(max_examples=60, deadline=None)
@given(_rows)
def test_score_bounded_and_deterministic(rows):
    a, b = _scores(rows), _scores(rows)
    assert a == b
    assert all(0.0 <= s <= 100.0 for s in a)


@settings(max_examples=60, deadline=None)
@given(_rows, _deltas, st.sampled_from(["exposure_prohibited", "exposure_restricted"]))
def test_more_banned_exposure_never_lowers_risk(rows, deltas, key):
    before, after = _scores(rows), _scores(_bumped(rows, key, deltas, 1.0))
    assert all(y >= x - 1e-9 for x, y in zip(before, after, strict=True))


@settings(max_examples=60, deadline=None)
@given(_rows, _deltas)
def test_better_employment_never_raises_risk(rows, deltas):
    before = _scores(rows)
    after = _scores(_bumped(_bumped(rows, "employment_rate", deltas, 1.0), "employment_rate_prev", deltas, 1.0))
    assert all(y <= x + 1e-9 for x, y in zip(before, after, strict=True))
    only_latest = _scores(_bumped(rows, "employment_rate", deltas, 1.0))
    assert all(y <= x + 1e-9 for x, y in zip(before, only_latest, strict=True))


@settings(max_examples=60, deadline=None)
@given(_rows, _deltas)
def test_higher_demand_ratio_never_raises_risk(rows, deltas):
    before, after = _scores(rows), _scores(_bumped(rows, "demand_supply_ratio", [d * 3 for d in deltas], None))
    assert all(y <= x + 1e-9 for x, y in zip(before, after, strict=True))


@settings(max_examples=60, deadline=None)
@given(_rows)
def test_proposed_mapping_never_yields_a_list_restriction(rows):
    out = score_majors(*_frames(rows), POLICY, explain=False)
    for r in out.filter(pl.col("mapping_source") != "map").iter_rows(named=True):
        assert all(x["restriction"] != "停止新设" for x in r["restrictions"])
        assert all(x["scope"] == "全市" and "毕业去向落实率连续两年" in x["basis"] for x in r["restrictions"])


def test_local_and_citywide_entries_together_restrict_in_the_district():
    from tests.scoring_fixtures import adjustments_frame

    f = build()
    m = pl.DataFrame({"major_code": ["540101", "540101"], "industry_code": ["62", "26"], "weight": [None, None]},
                     schema_overrides={"weight": pl.Float64})
    adj = adjustments_frame([(LIST_BAN, "restricted", "62", "东城区"), ("市清单", "restricted", "26", "全市")])
    r = _row(run(f.with_(major_industry_map=m, industry_adjustments=adj))[2], "540101")
    assert r["restrictions"] == [{"restriction": "限制招生", "scope": "东城区", "basis": r["restrictions"][0]["basis"],
                                  "cause": "产业清单", "rule_id": "list.banned"}]
    assert r["part_restricted"] == pytest.approx(15 * (0.5 + 0.3 * 0.5))  # city 0.5 + factor × local extra


_LEVEL = {"绿": 0, "黄": 1, "红": 2}


def _levels(rows: list[dict]) -> list[int]:
    out = score_majors(*_frames(rows), POLICY, explain=False).sort("major_code")
    return [_LEVEL[w] for w in out["warning_level"]]


_STRENGTH = {"限制招生": 1, "停止新设": 2}


def _citywide_restriction(rows: list[dict]) -> list[int]:
    """The strongest citywide restriction per major: 0 none, 1 限制招生, 2 停止新设."""
    out = score_majors(*_frames(rows), POLICY, explain=False).sort("major_code")
    return [max((_STRENGTH[x["restriction"]] for x in r if x["scope"] == "全市"), default=0)
            for r in out["restrictions"]]


@settings(max_examples=60, deadline=None)
@given(_rows, _deltas, st.sampled_from(["exposure_prohibited", "exposure_restricted"]))
def test_more_banned_exposure_never_lowers_the_warning_or_lifts_a_restriction(rows, deltas, key):
    bumped = _bumped(rows, key, deltas, 1.0)
    assert all(y >= x for x, y in zip(_levels(rows), _levels(bumped), strict=True))
    # a stronger restriction may replace a weaker one (限制招生 → 停止新设), never the other way
    assert all(y >= x for x, y in zip(_citywide_restriction(rows), _citywide_restriction(bumped), strict=True))


@settings(max_examples=60, deadline=None)
@given(_rows, _deltas)
def test_better_employment_never_raises_the_warning(rows, deltas):
    better = _bumped(_bumped(rows, "employment_rate", deltas, 1.0), "employment_rate_prev", deltas, 1.0)
    assert all(y <= x for x, y in zip(_levels(rows), _levels(better), strict=True))
