"""The watch list (结论临界) and the primary cause as filters of the pages and the API, and what would change
each verdict, shown to a school for its own offerings (on an edition scored by the real rules)."""

from __future__ import annotations

import html
import re
import warnings

import polars as pl
import pytest

from portal import tokens
from portal.app import create_app
from scoring.rules import CAUSES
from tests.scored_edition import CHAOYANG, DONGCHENG, HAIDIAN, write_scored_edition

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient

SCHOOL_ROW = re.compile(r'<tr data-level="[^"]*" data-certainty="([^"]*)" data-cause="([^"]*)" '
                        r'data-major="(\d+)"( hidden)?>')
CATALOG_ROW = re.compile(r'<tr data-level="[^"]*" data-certainty="([^"]*)" data-cause="([^"]*)">'
                         r'<td data-label="专业代码"><a href="/commission/majors/(\d+)">')


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    home = tmp_path_factory.mktemp("watch")
    folder = write_scored_edition(home)
    client = TestClient(create_app(home, secure_cookies=False))
    creds = {code: {"Authorization": f"Bearer {tokens.issue(home, school=code)}"}
             for code in (HAIDIAN, CHAOYANG, DONGCHENG)}
    creds["commission"] = {"Authorization": f"Bearer {tokens.issue(home, commission=True)}"}
    return client, creds, pl.read_parquet(folder / "guiding_catalog.parquet"), \
        pl.read_parquet(folder / "school_major_scores.parquet")


def _filters(catalog: pl.DataFrame) -> list[dict]:
    causes = [c for c in CAUSES if c in set(catalog["cause"])]
    assert len(causes) >= 2, "the fixture should exercise more than one cause"
    return [{"certainty": "临界"}, *[{"cause": c} for c in causes], {"certainty": "临界", "cause": "毕业去向"}]


def _expected(frame: pl.DataFrame, chosen: dict) -> set[str]:
    for column, value in chosen.items():
        frame = frame.filter(pl.col(column) == value)
    return set(frame["major_code"])


def test_commission_majors_filtered_by_watch_and_cause(site):
    client, creds, catalog, _ = site
    assert catalog.filter(pl.col("certainty") == "临界").height >= 2
    for chosen in _filters(catalog):
        query = "&".join(f"{k}={v}" for k, v in chosen.items())
        page = client.get(f"/commission/majors?{query}", headers=creds["commission"]).text
        rows = CATALOG_ROW.findall(page)
        shown = int(re.search(r'<span id="total">(\d+)</span>', page).group(1))
        assert all(all(dict(zip(("certainty", "cause"), r[:2], strict=False))[k] == v for k, v in chosen.items())
                   for r in rows), chosen
        assert {r[2] for r in rows} == _expected(catalog, chosen) and len(rows) == shown, chosen
        api = client.get(f"/api/commission/majors?{query}", headers=creds["commission"]).json()
        assert api["total"] == shown and {m["major_code"] for m in api["items"]} == {r[2] for r in rows}
        assert all(m[k] == v for m in api["items"] for k, v in chosen.items())


def test_commission_overview_counts_the_watch_list(site):
    client, creds, catalog, _ = site
    watched = catalog.filter(pl.col("certainty") == "临界")
    page = client.get("/commission", headers=creds["commission"]).text
    assert int(re.search(r'id="watch-count"[^>]*>(\d+)</a>', page).group(1)) == watched.height
    band = page.split('id="watch-band"')[1].split("</table>")[0]
    assert set(re.findall(r'/commission/majors/(\d+)"', band)) == set(watched["major_code"])
    summary = client.get("/api/commission", headers=creds["commission"]).json()
    assert summary["watch"] == watched.height
    by_cause = {c["value"]: c["count"] for c in summary["by_cause"]}
    assert by_cause == {c: n for c, n in catalog.group_by("cause").len().iter_rows() if c in CAUSES}


@pytest.mark.parametrize("school", [CHAOYANG, DONGCHENG, HAIDIAN])
def test_school_page_and_api_filter_its_own_offerings(site, school):
    client, creds, _, scores = site
    mine = scores.filter(pl.col("school_code") == school)
    for chosen in [{"certainty": "临界"}, *[{"cause": c} for c in sorted(set(mine["cause"]) & set(CAUSES))]]:
        query = "&".join(f"{k}={v}" for k, v in chosen.items())
        page = client.get(f"/school?{query}", headers=creds[school]).text
        rows = SCHOOL_ROW.findall(page)
        visible = [r for r in rows if not r[3]]
        assert len(rows) == mine.height, "every offering is on the page (the filtered-out ones hidden)"
        assert all(dict(zip(("certainty", "cause"), r[:2], strict=False))[k] == v
                   for r in visible for k, v in chosen.items())
        assert {r[2] for r in visible} == _expected(mine, chosen)
        assert int(re.search(r'<span id="shown-count">(\d+)</span>', page).group(1)) == len(visible)
        api = client.get(f"/api/school?{query}&school={HAIDIAN}", headers=creds[school]).json()
        assert api["school_code"] == school and api["total"] == len(visible)
        assert {m["major_code"] for m in api["majors"]} == {r[2] for r in visible}
        assert api["summary"]["offerings"] == mine.height


def test_schools_see_what_would_change_their_own_offerings(site):
    client, creds, _, scores = site
    for school in (CHAOYANG, DONGCHENG, HAIDIAN):
        mine = {r["major_code"]: r for r in scores.filter(pl.col("school_code") == school).iter_rows(named=True)}
        api = client.get("/api/school", headers=creds[school]).json()
        assert {m["major_code"]: m["what_would_change"] for m in api["majors"]} == \
            {code: r["what_would_change"] for code, r in mine.items()}
        assert {m["major_code"]: (m["certainty"], m["cause"]) for m in api["majors"]} == \
            {code: (r["certainty"], r["cause"]) for code, r in mine.items()}
        page = html.unescape(client.get("/school", headers=creds[school]).text)
        flagged = {code: r["what_would_change"] for code, r in mine.items()
                   if r["what_would_change"] and r["what_would_change"] != "无（未预警）"}
        assert flagged, school
        for text in flagged.values():
            assert f"如何改变结论：</strong>{text}" in page
        assert page.count("如何改变结论：</strong>") == len(flagged), "one sentence per own flagged offering"


def test_a_bad_filter_value_is_refused_in_chinese(site):
    client, creds, _, _ = site
    answer = client.get("/api/commission/majors?certainty=" + "临" * 20, headers=creds["commission"])
    assert answer.status_code == 422 and "观察名单" in answer.json()["detail"]


def test_each_text_filter_of_the_commission_pages_is_its_own_parameter(site):
    """q, category and district once shared one Query() object, which silently dropped them all."""
    client, creds, catalog, scores = site
    staff = creds["commission"]

    def total(url: str) -> int:
        return int(re.search(r'<span id="total">(\d+)</span>', client.get(url, headers=staff).text).group(1))

    assert total("/commission/majors?q=化工") == catalog.filter(pl.col("major_name").str.contains("化工")).height == 2
    assert total("/commission/majors?category=旅游大类") == catalog.filter(pl.col("category_name") == "旅游大类").height
    assert total("/commission/majors?q=化工&category=旅游大类") == 0
    page = client.get("/commission/schools?district=海淀区", headers=staff).text
    assert re.findall(r'href="/commission/schools/(\d+)"', page) == [HAIDIAN]


def test_commission_pages_name_a_first_draft_as_people_read_it(tmp_path):
    """A first draft: every commission page names it 2026年版（征求意见稿）, never its id, and the changes section says
    there is no earlier edition in a sentence (no one-bar chart, no table row with an empty major code)."""
    from warehouse import spreadsheet
    from warehouse.changes import CHANGE_HEADERS, FIRST_EDITION_REASON, first_edition_changes

    folder = write_scored_edition(tmp_path, "2026-draft")
    spreadsheet.write_csv(folder / "changes.csv", first_edition_changes(), CHANGE_HEADERS)
    client = TestClient(create_app(tmp_path, secure_cookies=False))
    who = {"Authorization": f"Bearer {tokens.issue(tmp_path, commission=True)}"}
    major = pl.read_parquet(folder / "guiding_catalog.parquet")["major_code"][0]
    for path in ("/commission", "/commission/schools", "/commission/actions", "/commission/backbone",
                 f"/commission/majors/{major}"):
        page = client.get(path, headers=who)
        assert page.status_code == 200, path
        text = re.sub(r"<[^>]+>", " ", page.text)
        assert "2026-draft" not in text, path
        assert "2026年版（征求意见稿）" in text, path
    page = client.get("/commission", headers=who).text
    changes = page.split("与上一版相比的变化")[1].split("</section>")[0]
    assert f'<p id="changes-first">{FIRST_EDITION_REASON}。</p>' in changes
    assert "<table" not in changes and "<svg" not in changes and "None" not in changes
