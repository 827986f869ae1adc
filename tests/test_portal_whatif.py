"""政策比较 for the commission: the published policy_comparisons table (what `whatif` says for every example
policy) on a page and in the API, for the commission only, never in the schools' downloads."""

from __future__ import annotations

import re
import warnings

import polars as pl
import pytest

from portal import tokens
from portal.app import create_app
from scoring.catalog import CHINESE_HEADERS
from scoring.policy import load_policy
from scoring.whatif import example_policies, whatif
from tests.scored_edition import HAIDIAN, scored_tables
from tests.scoring_fixtures import build, run
from warehouse.publish import publish_edition

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """An edition published by warehouse.publish_edition itself, with the optional commission-only table."""
    home = tmp_path_factory.mktemp("whatif")
    tables, policy = scored_tables()
    package = {"policy": {"version": policy.version, "content": policy.as_dict()}}
    result = publish_edition(home / "published", "2026", tables, CHINESE_HEADERS, package)
    client = TestClient(create_app(home, secure_cookies=False))
    creds = {"school": {"Authorization": f"Bearer {tokens.issue(home, school=HAIDIAN)}"},
             "commission": {"Authorization": f"Bearer {tokens.issue(home, commission=True)}"}}
    return client, creds, result.folder


def test_the_table_is_published_for_the_commission_only(site):
    client, creds, folder = site
    names = {p.name for p in folder.iterdir()}
    assert "policy_comparisons.parquet" in names
    assert not {"policy_comparisons.csv", "policy_comparisons.xlsx"} & names, "no public spreadsheet of it"
    files = lambda who: {f["name"] for e in client.get("/api/editions", headers=creds[who]).json()["editions"]  # noqa: E731
                         for f in e["files"]}
    assert "policy_comparisons.parquet" in files("commission") and "policy_comparisons.parquet" not in files("school")
    url = "/downloads/2026/policy_comparisons.parquet"
    assert client.get(url, headers=creds["school"]).status_code == 403
    assert client.get(url, headers=creds["commission"]).status_code == 200
    for path in ("/commission/whatif", "/api/commission/whatif"):
        assert client.get(path, headers=creds["school"]).status_code == 403
        assert client.get(path).status_code == 401


def test_api_and_page_show_what_whatif_computes_for_every_example_policy(site):
    client, creds, _ = site
    f = build()
    exposure, signals, _ = run(f)
    current = load_policy()
    body = client.get("/api/commission/whatif", headers=creds["commission"]).json()
    page = client.get("/commission/whatif", headers=creds["commission"]).text
    shown = {p["policy"]: p for p in body["policies"]}
    for name, other in example_policies():
        moved = whatif(f.majors, exposure, signals, current, other)
        if moved.height == 0:
            assert name not in shown
            continue
        got = shown[name]
        assert got["moved"] == moved.height == len(got["majors"])
        assert [(m["major_code"], m["warning_level_now"], m["warning_level_new"], m["why"]) for m in got["majors"]] == \
            moved.select("major_code", "warning_level_now", "warning_level_new", "why").rows()
        assert sum(t["majors"] for t in got["transitions"]) == moved.height
        section = page.split(f'id="policy-{name}"')[1].split("</section>")[0]
        assert other.title in section
        assert int(re.search(r'class="moved">(\d+)<', section).group(1)) == moved.height
        assert re.findall(r'<tr data-major="(\d+)">', section) == moved["major_code"].to_list()
        for code in moved["major_code"]:
            assert f'href="/commission/majors/{code}"' in section
    assert {"sichuan", "fujian"} <= set(shown), "both example policies move a verdict on this fixture"


def test_sichuan_moves_the_verdicts_a_hand_computation_predicts(site):
    """530101 落实率 55% then 50%: below Beijing's 60% two years (红); Sichuan's floor is 50% and red needs three
    years, so it is green there; 530102 (55%, one year below 60%) is yellow in Beijing, green under Sichuan."""
    client, creds, _ = site
    sichuan = next(p for p in client.get("/api/commission/whatif", headers=creds["commission"]).json()["policies"]
                   if p["policy"] == "sichuan")
    assert {(m["major_code"], m["warning_level_now"], m["warning_level_new"]) for m in sichuan["majors"]} == \
        {("530101", "红", "绿"), ("530102", "黄", "绿")}


def test_an_edition_without_comparisons_says_so(tmp_path):
    from tests.portal_fixtures import build_home

    home = build_home(tmp_path).root
    client = TestClient(create_app(home))
    staff = {"Authorization": f"Bearer {tokens.issue(home, commission=True)}"}
    assert client.get("/api/commission/whatif", headers=staff).json() == \
        {"edition": "2026", "available": False, "policies": []}
    assert 'id="whatif-missing"' in client.get("/commission/whatif", headers=staff).text


def test_the_published_rows_are_keyed_by_policy_and_major(site):
    _, _, folder = site
    frame = pl.read_parquet(folder / "policy_comparisons.parquet")
    assert frame.select("policy", "major_code").is_duplicated().sum() == 0
    assert list(frame.columns) == list(CHINESE_HEADERS["policy_comparisons"])
