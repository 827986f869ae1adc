"""Three years in one home, as the commission lives them: `majorwatch sample --years 3`, then for each data year
run → draft → open-review (in the second year a school's objection, accepted) → close-review → finalize, each
final in force in its turn while the finals before it stay as they were; changes.csv against the previous final
names the planted revision and supplement with Chinese reasons; the back-test takes the flags the finals really
issued; the bulletin's history and the portal's trend have one point per year."""

from __future__ import annotations

import csv
import json
import re
from datetime import date, timedelta

import polars as pl
import pytest

from pipelines.cli import main
from tests.shared_homes import digests

pytestmark = pytest.mark.slow
POSTINGS = 600  # the fewest that keep every model trained (the classifier needs 50 labelled postings)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _changes(folder) -> dict[str, dict[str, str]]:
    with open(folder / "changes.csv", encoding="utf-8-sig") as fh:
        return {r["专业代码"]: r for r in csv.DictReader(fh)}


def _object_and_accept(home, draft: str) -> str:
    """A school objects to a green major's warning level on the draft; the commission accepts it as 黄. Returns
    the major's code."""
    from review.audit import Actor
    from review.db import open_store
    from review.objections import decide, file_objection

    published = home / "published" / draft
    catalog = pl.read_parquet(published / "guiding_catalog.parquet")
    scores = pl.read_parquet(published / "school_major_scores.parquet", columns=["school_code", "major_code"])
    green = set(catalog.filter(pl.col("warning_level") == "绿")["major_code"])
    school, code = scores.filter(pl.col("major_code").is_in(list(green))).sort("major_code", "school_code").row(0)
    store = open_store(home)
    objection = file_objection(store, Actor("甲校", "school", school), draft, "major", code, "warning_level",
                               "本专业对口企业减少，建议预警。",
                               offered=scores.filter(pl.col("school_code") == school)["major_code"].to_list(),
                               catalog=catalog["major_code"].to_list())
    decide(store, Actor("教委审核员", "commission"), objection.id, True, "对口企业减少属实，调整为黄色预警", value="黄")
    return code


def test_three_years_in_one_home(tmp_path, monkeypatch, capsys):
    from portal.editions import EditionStore
    from scoring.backtest import PUBLISHED, RESCORED, flags_and_outcomes
    from scoring.edition import edition_facts
    from scoring.policy import load_policy
    from warehouse.db import connect, read_frame
    from warehouse.editions import published_flags

    for var in ("MAJORWATCH_HOME", "DAGSTER_HOME", "MAJORWATCH_INBOX", "MAJORWATCH_REVIEW_URL"):
        monkeypatch.setenv(var, "")
    inboxes, home = tmp_path / "inboxes", tmp_path / "home"
    assert main(["sample", "--out", str(inboxes), "--years", "3", "--postings", str(POSTINGS)]) == 0
    years = sorted(int(p.name) for p in inboxes.iterdir())
    assert len(years) == 3
    at, published = ["--home", str(home)], home / "published"
    until = (date.today() + timedelta(days=10)).isoformat()
    finals: dict[str, dict[str, str]] = {}  # each final's files as published, to see they stay so
    objected = None
    for year in years:
        edition = edition_facts(year).edition
        draft = f"{edition}-draft"
        assert main(["run", "--inbox", str(inboxes / str(year)), "--quiet", *at]) == 0
        if finals:  # a draft is published beside the final in force, never in its place
            assert (published / "CURRENT").read_text(encoding="utf-8").strip() == list(finals)[-1]
        # the commission confirms the policy in force each year under that year's 文号
        assert main(["policy", "confirm", "--doc-number", f"京教职成〔{edition}〕3号", "--by", "张三", *at]) == 0
        assert main(["edition", "open-review", draft, "--until", until, *at]) == 0
        if year == years[1]:
            objected = _object_and_accept(home, draft)
        assert main(["edition", "close-review", draft, *at]) == 0
        assert main(["edition", "finalize", draft, *at]) == 0
        assert (published / "CURRENT").read_text(encoding="utf-8").strip() == edition
        meta = json.loads((published / edition / "datapackage.json").read_text(encoding="utf-8"))
        assert meta["state"] == "正式" and meta["as_of"] == f"{year}-12-31"
        assert meta["doc_number"] == f"京教职成〔{edition}〕3号"
        # issue 27: the later years' revision (former codes, code_changes, a school's move) and supplement are read,
        # not refused: every input of the year passed with no row rejected
        contracts = {c["input"]: c for c in meta["contracts"]}
        assert {c["input"]: c["rows_rejected"] for c in contracts.values() if c["rows_rejected"]} == {}, edition
        assert all(c["passed"] for c in contracts.values()), edition
        given = {name for name, c in contracts.items() if c["rows_in"]}
        assert ("code_changes" in given) == (year != years[0]) and ("school_districts" in given) == (
            year == years[-1]), sorted(given)
        # compared with the final before it; the first final, with its own draft (in force until then)
        assert meta["previous_edition"] == (list(finals)[-1] if finals else draft)
        for earlier, files in finals.items():  # the finals before it stay readable, byte for byte
            assert digests(published / earlier) == files, earlier
        finals[edition] = digests(published / edition)
    capsys.readouterr()
    first, second, third = finals

    # changes.csv of each later final against the final before it: the planted revision and supplement
    for year, edition in zip(years[1:], (second, third), strict=True):
        changes = _changes(published / edition)
        codes = pl.read_csv(inboxes / str(year) / "code_changes.csv", infer_schema=False)
        old, new = codes.filter(pl.col("变更年份") == str(year)).select("原代码", "新代码").row(0)
        majors = pl.read_csv(inboxes / str(year) / "majors.csv", infer_schema=False)
        added = majors.filter(pl.col("增补年份") == str(year))["专业代码"].to_list()
        assert len(added) == 1
        assert changes[added[0]]["变化类型"] == "新增"
        # the renumbered major is one row (代码变更) naming its old code; its old code is not 移除
        assert changes[new]["变化类型"] == "代码变更" and old not in changes, (edition, old, new)
        assert f"原专业代码 {old}" in changes[new]["依据"]
        assert changes[new]["原预警等级"] and changes[new]["新预警等级"]
        bulletin = (published / edition / "bulletin.html").read_text(encoding="utf-8")
        row = re.search(rf"<tr><td[^>]*>{new}</td>.*?</tr>", bulletin)  # 与上一版相比变化的专业
        assert row and "<td>代码变更</td>" in row[0] and f"原专业代码 {old}" in row[0], (edition, new)
        assert not re.search(rf"<tr><td[^>]*>{old}</td>", bulletin), (edition, old)
        for code in (new, added[0]):
            reason = changes[code]["依据"]
            assert CJK.search(reason) and not re.search(r"[A-Za-z_]", reason), (edition, code, reason)
    # the accepted objection is in the second final and stays a decision of the commission after it
    assert _changes(published / second)[objected]["复核调整"] == "是"
    issued = pl.read_parquet(published / second / "guiding_catalog.parquet").filter(pl.col("major_code") == objected)
    assert issued["warning_level"].to_list() == ["黄"]

    # the back-test takes the flags the finals issued (the objection's 黄 included) where the home has them
    con = connect(home / "warehouse.duckdb", read_only=True)
    try:
        frames = {n: read_frame(con, n) for n in ("majors", "industries", "major_industry_map", "industry_adjustments",
                                                  "labor_market", "school_majors", "major_occupation_map")}
    finally:
        con.close()
    flags = published_flags(published)
    assert sorted(flags["origin"].unique().to_list()) == years
    assert dict(zip(flags["origin"], flags["edition"], strict=True)) == dict(zip(years, finals, strict=True))
    policy = load_policy()
    real = flags_and_outcomes(frames, policy, published=flags)
    rescored = flags_and_outcomes(frames, policy)
    sources = dict(real.select("origin", "source").unique().iter_rows())
    history = sorted(frames["school_majors"]["year"].unique().to_list())
    # the finals' years take their issued flags; the years before the home's first edition are re-scored; the
    # last year has no "after" yet
    assert sources == {y: PUBLISHED if y in years else RESCORED for y in history[1:-1]}
    mine = real.filter((pl.col("origin") == years[1]) & (pl.col("major_code") == objected))
    assert mine["flagged"].to_list() == [True]
    redone = rescored.filter((pl.col("origin") == years[1]) & (pl.col("major_code") == objected))
    assert redone["flagged"].to_list() == [False] and redone["source"].to_list() == [RESCORED]

    # the lists an edition tells are those in force on its reference date: the last year's inbox brings a list's
    # next version, so the version it replaces (ended mid-year) is neither counted nor compared
    lists = pl.read_parquet(published / third / "industry_adjustments.parquet")
    assert lists.height and lists["effective_to"].null_count() == lists.height
    moved = pl.read_parquet(published / third / "industry_list_changes.parquet")
    assert moved["change"].to_list() == ["适用区域调整"] and moved["scope_new"].to_list() == ["全市"]
    bulletin = (published / third / "bulletin.html").read_text(encoding="utf-8")
    assert f"现行行业产业清单共 {lists.height} 条" in bulletin

    # the bulletin's history: one bar per year's final, each the counts that final issued
    from documents.bulletin import history_sentence

    history = pl.read_parquet(published / third / "edition_history.parquet")
    assert history["edition"].unique(maintain_order=True).to_list() == [first, second, third]
    for edition in finals:
        issued = pl.read_parquet(published / edition / "guiding_catalog.parquet")["warning_level"].value_counts()
        told = history.filter(pl.col("edition") == edition).select("warning_level", "count")
        assert dict(issued.iter_rows()) == dict(told.iter_rows()), edition
    sentence = history_sentence(history)
    assert sentence.startswith(f"历版对比：{first[:4]}年版红色预警") and f"；{second[:4]}年版红色预警" in sentence
    assert sentence in bulletin
    draft_history = pl.read_parquet(published / f"{second}-draft" / "edition_history.parquet")
    assert draft_history["edition"].unique(maintain_order=True).to_list() == [first, f"{second}-draft"]

    # the portal's history: one point per year, the finals, not the drafts they replaced
    snap = EditionStore(home).snapshot()
    assert snap.editions == (first, f"{first}-draft", second, f"{second}-draft", third)
    assert snap.trend_editions == (first, second, third)
    offered = [set(pl.read_parquet(published / e / "school_major_scores.parquet", columns=["school_code", "major_code"])
                   .iter_rows()) for e in finals]
    school, steady = sorted(set.intersection(*offered))[0]  # an offering every year's final scored
    assert [e for e, v in snap.major_trend(steady) if v is not None] == [first, second, third]
    assert [e for e, _ in snap.trend(school, steady)] == [first, second, third]
    _school_page_trend(home, school, steady, (first, second, third))
    # the major renumbered in the second year: one history, its first year's point under the old code
    codes = pl.read_csv(inboxes / str(years[1]) / "code_changes.csv", infer_schema=False)
    old, new = codes.select("原代码", "新代码").row(0)
    told = [(e, v) for e, v in snap.major_trend(new) if v is not None]
    assert [e for e, _ in told] == [first, second, third]
    was = pl.read_parquet(published / first / "guiding_catalog.parquet").filter(pl.col("major_code") == old)
    assert told[0][1] == was["risk_score"][0]
    assert not [v for _, v in snap.major_trend(old) if v is not None][1:]  # the old code is no major of its own


def _school_page_trend(home, school: str, code: str, expected: tuple[str, ...]) -> None:
    """The school's page of a major it offers draws one dot per year's final."""
    from fastapi.testclient import TestClient

    from portal import tokens
    from portal.app import create_app
    from tests.portal_fixtures import session_headers

    client = TestClient(create_app(home, signin_limit=10_000), follow_redirects=False)
    page = client.get(f"/school/majors/{code}", headers=session_headers(client.app, tokens.issue(home, school=school)))
    assert page.status_code == 200
    chart = page.text[page.text.index('id="trend-chart"'):]
    chart = chart[:chart.index("</svg>")]
    assert tuple(re.findall(r'data-edition="([^"]+)"', chart)) == expected
