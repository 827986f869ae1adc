"""What the pages show, without a browser: a school's summary counted from its own rows, each row's own
figures, the short reason, the verdict notes, the charts' points and axes, the commission's views, and
pages that still work when an edition lacks the optional columns (or carries new ones)."""

from __future__ import annotations

import re
import warnings

import polars as pl
import pytest

from portal import commission_views as cv
from portal import tokens, views
from portal.app import create_app
from portal.charts import Segment, bar_chart, line_chart
from portal.editions import EditionStore
from portal.pages import policy_sections
from portal.verdicts import notes_for, short_reason
from scoring.policy import load_policy
from tests.portal_fixtures import (
    OFFERINGS,
    SCHOOL_A,
    SCHOOL_C,
    build_home,
    flags_of,
    major_risk,
    own_risk,
    risk,
    set_current,
    write_edition,
)

with warnings.catch_warnings():  # starlette's notice about httpx, raised at import time
    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient

EDITIONS = ("2024", "2025", "2026")


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return build_home(tmp_path_factory.mktemp("home")).root


@pytest.fixture(scope="module")
def snap(home):
    return EditionStore(home).snapshot()


def test_each_row_carries_its_own_offering_figures(snap):
    rows = views.school_majors(snap, SCHOOL_A)
    assert [r["major_code"] for r in rows] == sorted(OFFERINGS[SCHOOL_A], key=lambda m: -own_risk(2, SCHOOL_A, m))
    for row in rows:
        code = row["major_code"]
        assert row["school_risk_score"] == own_risk(2, SCHOOL_A, code)
        assert row["risk_score"] == risk(2, SCHOOL_A, code)
        assert (row["school_flags"] or "") == flags_of(2, SCHOOL_A, code)
        assert code in row["reasons"] and code in row["short_reason"]
        assert row["trend"] == [{"edition": e, "risk_score": own_risk(i, SCHOOL_A, code)} for i, e in enumerate(EDITIONS)]
        school_part = [p for p in row["parts"] if p["key"] == "school"]
        assert school_part[0]["value"] == pytest.approx(row["school_risk_score"] - row["risk_score"], abs=0.05)
        assert sum(p["value"] for p in row["parts"]) == pytest.approx(row["school_risk_score"], abs=0.1)


def test_summary_counts_the_rows(snap):
    rows = views.school_majors(snap, SCHOOL_A)
    s = views.summary(rows)
    assert s["offerings"] == len(rows) == 3
    assert {c["value"]: c["count"] for c in s["by_warning_level"]} == {
        lv: sum(r["warning_level"] == lv for r in rows) for lv in {r["warning_level"] for r in rows}}
    assert s["exit"] == 1 and s["flagged"] == 1
    assert s["restricted"] == sum(bool(r["restriction"]) for r in rows)
    grads = {r["major_code"]: r["graduates"] for r in rows}
    expected = sum(r["employment_rate"] * grads[r["major_code"]] for r in rows) / sum(grads.values())
    assert s["employment_rate"] == pytest.approx(expected) and s["city_employment_rate"] == pytest.approx(0.9)


def test_school_json_has_no_school_wide_score_taken_from_one_row(home):
    token = tokens.issue(home, school=SCHOOL_A)
    body = TestClient(create_app(home)).get("/api/school", headers={"Authorization": f"Bearer {token}"}).json()
    assert "school_risk_score" not in body and "school_flags" not in body
    assert body["summary"]["offerings"] == len(body["majors"])
    assert {m["major_code"]: m["school_risk_score"] for m in body["majors"]} == {
        m: own_risk(2, SCHOOL_A, m) for m in OFFERINGS[SCHOOL_A]}


def test_short_reason_and_notes():
    long = "；".join(["2025年求人倍率 1.29，与上年持平", "风险分值 5.2（人才需求 2.3）", "本校该专业连续3年无招生，按规则予以退出",
                     "学校位于东城区，按规则不再举办职业教育，该专业点需疏解转移或停办" * 3])
    short = short_reason(long)
    assert short.startswith("本校该专业连续3年无招生") and len(short) <= 90 and "风险分值" not in short
    assert short_reason("一句话。", basis="很长的依据") == "一句话。" and short_reason(None) is None
    rows = [{"major_code": "1", "major_name": "甲", "guidance": "停止新设", "restriction": "限制招生",
             "school_flags": "退出；本校毕业去向落实率低于60%"},
            {"major_code": "2", "major_name": "乙", "guidance": "停止新设", "restriction": None, "school_flags": ""}]
    notes = {(n["kind"], n["name"]): n["majors"] for n in notes_for(rows, load_policy())}
    assert notes == {("指导类别", "停止新设"): ["甲（1）", "乙（2）"], ("禁限目录", "限制招生"): ["甲（1）"],
                     ("本校提示", "退出"): ["甲（1）"], ("本校提示", "毕业去向落实率低于"): ["甲（1）"]}


def test_line_chart_has_axes_and_one_point_per_edition_with_a_value():
    svg = str(line_chart("t", "历版", [("2024", 12.5), ("2025", None), ("2026", 70.0)]))
    assert re.findall(r'data-edition="([^"]+)"', svg) == ["2024", "2026"]
    labels = re.findall(r">([^<>]+)</text>", svg)
    assert {"0", "20", "100", "2024", "2025", "2026", "目录版本", "风险分值"} <= set(labels)
    assert 'role="img"' in svg and "<title" in svg and "style=" not in svg


def test_bar_chart_draws_negative_parts_left_of_zero_and_links_make_a_group():
    svg = str(bar_chart("b", "构成", [("甲", [Segment("禁止", 30, "#8e1b1b"), Segment("高精尖", -10, "#1565c0")],
                                        "/x", 20.0)], "分", high=100.0))
    xs = {t: float(x) for x, t in re.findall(r'<rect x="([\d.]+)"[^>]*><title>甲：(\S+)', svg)}
    assert xs["高精尖"] < xs["禁止"]
    assert 'role="group"' in svg and re.search(r'class="total"[^>]*>20<', svg)


def test_commission_views(snap):
    watch = cv.watch_list(snap)
    assert [r["risk_score"] for r in watch] == sorted((r["risk_score"] for r in watch), reverse=True)
    districts = {d["district"]: d for d in cv.district_summaries(snap)}
    assert districts["东城区"]["offerings"] == len(OFFERINGS[SCHOOL_C]) and districts["海淀区"]["exit"] == 1
    major = cv.major_view(snap, "540101")
    assert major["trend"] == [(e, major_risk(i, "540101")) for i, e in enumerate(EDITIONS)]
    assert {o["school_code"] for o in major["offerings"]} == {s for s, m in OFFERINGS.items() if "540101" in m}
    browse = cv.browse_catalog(snap, "", "", "", "")
    assert browse["items"] and {r["guidance"] for r in browse["items"]} <= {"优先发展", "重点建设"}
    assert cv.browse_catalog(snap, "优先发展", "", "", "")["total"] < browse["total"]


def test_policy_sections_read_the_datapackage_policy():
    meta = {"policy": {"content": {"rules": {"employment_floor": {"description": "落实率下限", "value": 0.6,
                                                                    "source": "改革方案"},
                                             "employment_red_years": {"description": "连续低于 employment_floor 的年数",
                                                                      "value": 2, "source": "majorwatch 默认值，待市教委确认"}},
                                   "guidance_precedence": {"description": "优先顺序", "value": ["停止新设", "正常"]},
                                   "version": "1"}}}
    sections = policy_sections(meta)
    assert [s["name"] for s in sections] == ["判定规则", "指导类别优先顺序"]
    assert sections[0]["rows"][0]["value"] == "0.6" and policy_sections({}) == []
    assert sections[1]["rows"][0]["value"] == "停止新设、正常"
    # a school reads the setting's value, never its key, and no program name in the source
    assert sections[0]["rows"][1]["description"] == "连续低于 0.6 的年数"
    assert sections[0]["rows"][1]["source"] == "系统建议值，待市教委确认"


def test_pages_work_without_the_optional_columns_and_show_new_ones(tmp_path):
    write_edition(tmp_path, "2026", 2)
    folder = tmp_path / "published" / "2026"
    scores = pl.read_parquet(folder / "school_major_scores.parquet")
    optional = [c for c in scores.columns if c.startswith("part_")] + ["school_flags", "school_risk_score"]
    scores.drop(optional).with_columns(basis=pl.lit("完整的技术依据：每一项数字")).write_parquet(
        folder / "school_major_scores.parquet")
    (folder / "changes.csv").unlink()
    set_current(tmp_path, "2026")
    school, commission = tokens.issue(tmp_path, school=SCHOOL_A), tokens.issue(tmp_path, commission=True)
    client = TestClient(create_app(tmp_path))
    page = client.get("/school", headers={"Authorization": f"Bearer {school}"})
    assert page.status_code == 200 and "完整的技术依据" in page.text and 'id="parts-chart"' not in page.text
    body = client.get("/api/school", headers={"Authorization": f"Bearer {school}"}).json()
    assert all(m["parts"] is None and m["basis"] for m in body["majors"])
    for path in ("/commission", "/commission/majors", "/commission/districts/海淀区", "/commission/majors/460101"):
        assert client.get(path, headers={"Authorization": f"Bearer {commission}"}).status_code == 200, path


def test_the_school_page_shows_the_chance_of_red_at_graduation_when_the_edition_has_it(tmp_path):
    write_edition(tmp_path, "2026", 2)
    folder = tmp_path / "published" / "2026"
    scores = pl.read_parquet(folder / "school_major_scores.parquet")
    scores.with_columns(p_red_at_graduation=pl.lit(0.235), p_red_at_graduation_low=pl.lit(0.18),
                        p_red_at_graduation_high=pl.lit(0.3)).write_parquet(folder / "school_major_scores.parquet")
    set_current(tmp_path, "2026")
    school = tokens.issue(tmp_path, school=SCHOOL_A)
    client = TestClient(create_app(tmp_path))
    page = client.get("/school", headers={"Authorization": f"Bearer {school}"})
    assert page.status_code == 200 and "毕业时按现行规则为红色预警的可能性：23.5%（18.0%–30.0%）" in page.text
    body = client.get("/api/school", headers={"Authorization": f"Bearer {school}"}).json()
    assert all(m["p_red_at_graduation"] == 0.235 for m in body["majors"])
