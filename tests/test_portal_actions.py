"""The action plan and the backbone list in the portal (issue 28): a school sees its own rows on its page and
in /api/school, the commission the whole plan filtered by action and district, and the backbone list."""

from __future__ import annotations

import html
import re
import warnings

import polars as pl
import pytest

from portal import tokens
from portal.app import create_app
from scoring.backbone import backbone_candidates
from scoring.catalog import school_major_scores
from scoring.policy import load_policy
from tests.scored_edition import CHAOYANG, DONGCHENG, HAIDIAN, write_scored_edition
from tests.scoring_fixtures import build, run
from tests.test_actions import plan_for

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient

ROW = re.compile(r'<tr data-action="([^"]+)">')


def write_plan(folder) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The scored edition's action plan and backbone list, as the publisher writes them beside its tables."""
    frames, policy = build(), load_policy()
    _, _, scored = run(frames)
    offers = school_major_scores(frames.schools, frames.majors, frames.school_majors, scored, policy)
    plan, ranked = plan_for(frames), backbone_candidates(offers, scored, frames.school_majors, policy)
    plan.write_parquet(folder / "actions.parquet")
    ranked.write_parquet(folder / "backbone_candidates.parquet")
    return plan, ranked


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    home = tmp_path_factory.mktemp("actions")
    folder = write_scored_edition(home)
    plan, ranked = write_plan(folder)
    client = TestClient(create_app(home, secure_cookies=False))
    creds = {code: {"Authorization": f"Bearer {tokens.issue(home, school=code)}"}
             for code in (HAIDIAN, CHAOYANG, DONGCHENG)}
    creds["commission"] = {"Authorization": f"Bearer {tokens.issue(home, commission=True)}"}
    return client, creds, plan, ranked


def test_a_school_sees_its_own_action_rows_on_its_page_and_in_the_api(site):
    client, creds, plan, _ = site
    own = plan.filter(pl.col("school_code") == CHAOYANG)
    assert own.height >= 3
    page = html.unescape(client.get("/school", headers=creds[CHAOYANG]).text)
    assert "本校专业调整行动" in page and sorted(ROW.findall(page)) == sorted(own["action"])
    for evidence in own["evidence"]:
        assert evidence in page
    body = client.get("/api/school", headers=creds[CHAOYANG]).json()
    assert sorted((a["major_code"], a["action"]) for a in body["actions"]) == sorted(
        own.select("major_code", "action").iter_rows())
    merged = next(a for a in body["actions"] if a["action"] == "撤并")
    assert merged["receiving_majors"].startswith("470202 精细化工技术（本校）") and merged["students_in_school"] == 90
    others = set(plan.filter(pl.col("school_code") != CHAOYANG)["evidence"].drop_nulls())
    assert not any(e in page for e in others - set(own["evidence"]))  # never another school's rows


def test_a_school_without_actions_has_no_section(site):
    client, creds, plan, _ = site
    assert plan.filter(pl.col("school_code") == HAIDIAN).height == 1  # 540101 撤销
    page = client.get("/school", headers=creds[HAIDIAN]).text
    assert ROW.findall(page) == ["撤销"]


def test_the_commission_filters_the_plan_by_action_and_district(site):
    client, creds, plan, _ = site
    whole = html.unescape(client.get("/commission/actions", headers=creds["commission"]).text)
    assert len(ROW.findall(whole)) == plan.height
    for action in plan["action"].unique():
        page = client.get("/commission/actions", params={"action": action}, headers=creds["commission"]).text
        assert ROW.findall(page) == [action] * plan.filter(pl.col("action") == action).height
    page = client.get("/commission/actions", params={"district": "全市"}, headers=creds["commission"]).text
    assert len(ROW.findall(page)) == plan.filter(pl.col("school_code").is_null()).height
    page = client.get("/commission/actions", params={"district": "东城区", "action": "限制招生"},
                      headers=creds["commission"]).text
    assert ROW.findall(page) == ["限制招生"] * plan.filter(
        (pl.col("district") == "东城区") & (pl.col("action") == "限制招生")).height
    assert client.get("/commission/actions", headers=creds[CHAOYANG]).status_code in (401, 403)


def test_the_backbone_list_shows_every_part(site):
    client, creds, _, ranked = site
    page = html.unescape(client.get("/commission/backbone", headers=creds["commission"]).text)
    rows = re.findall(r'<td class="num" data-label="总分"><strong>([\d.]+)</strong>', page)
    assert [float(r) for r in rows] == [round(v, 2) for v in ranked["total"]]
    assert "产业契合" in page and ranked["evidence"][0] in page
    weights = load_policy().backbone  # the weights in force, from the edition's datapackage.json
    assert page.count("满分") == 6 and f"产业契合<br><span class=\"meta\">满分{weights.industry_fit:g}</span>" in page
    assert client.get("/commission/backbone", headers=creds[CHAOYANG]).status_code in (401, 403)


def test_an_edition_without_a_plan_says_so(tmp_path):
    write_scored_edition(tmp_path)
    client = TestClient(create_app(tmp_path, secure_cookies=False))
    commission = {"Authorization": f"Bearer {tokens.issue(tmp_path, commission=True)}"}
    assert 'id="no-plan"' in client.get("/commission/actions", headers=commission).text
    assert 'id="no-backbone"' in client.get("/commission/backbone", headers=commission).text
    school = {"Authorization": f"Bearer {tokens.issue(tmp_path, school=CHAOYANG)}"}
    assert client.get("/api/school", headers=school).json()["actions"] == []
