"""The commission's annual cycle end to end, in a real Chromium: `majorwatch run` publishes a draft,
`edition open-review` opens it, school A files an objection with a file, school B cannot see it, the
commission accepts it with a reason, `edition finalize` issues the final edition carrying the override
(reason 经市教委复核调整, changes.csv marked) and the audit log holds every step.

Skipped until the pipeline is wired (issue 10): `majorwatch run` publishing `<year>-draft`, and the
`edition` / `override` commands of review.cli registered with the pipeline's `publish_final`.
"""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta

import pytest

from pipelines.cli import build_parser, main
from portal import tokens
from portal.app import create_app
from review import audit
from review.db import open_store
from tests.portal_fixtures import running_server
from tests.shared_homes import copy_run
from tests.test_portal_browser import ARTIFACTS, CHROMIUM, LAUNCH_ARGS, sign_in


def _wired() -> bool:
    try:
        build_parser().parse_args(["edition", "finalize", "x"])
    except SystemExit:
        return False
    return True


pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing"),
              pytest.mark.skipif(not _wired(), reason="edition/override commands not wired into majorwatch yet")]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_draft_review_objection_decision_final(handmade_published, tmp_path, monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api")
    for var in ("MAJORWATCH_HOME", "DAGSTER_HOME", "MAJORWATCH_INBOX", "MAJORWATCH_REVIEW_URL"):
        monkeypatch.setenv(var, "")
    # what `majorwatch run` published from the hand-made inbox (run once per session), in a copy of our own
    home = copy_run(handmade_published, tmp_path).home
    published = home / "published"
    draft = (published / "CURRENT").read_text(encoding="utf-8").strip()
    assert draft.endswith("-draft")
    assert json.loads((published / draft / "datapackage.json").read_text(encoding="utf-8"))["state"] == "征求意见稿"
    until = (date.today() + timedelta(days=10)).isoformat()
    assert main(["edition", "open-review", draft, "--until", until, "--home", str(home)]) == 0

    import polars as pl
    scores = pl.read_parquet(published / draft / "school_major_scores.parquet")
    schools = scores["school_code"].unique().sort().to_list()
    school_a, school_b = schools[0], schools[1]
    offering = scores.filter(pl.col("school_code") == school_a).row(0, named=True)
    creds = {"a": tokens.issue(home, school=school_a, label="甲校"), "b": tokens.issue(home, school=school_b),
             "c": tokens.issue(home, commission=True, label="教委审核员")}
    evidence = tmp_path / "说明.pdf"
    evidence.write_bytes(PDF)
    reason = "材料属实，调整为合作办学"
    ARTIFACTS.mkdir(exist_ok=True)
    with running_server(create_app(home)) as base, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)

        def page_of(who):
            context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
            page = context.new_page()
            sign_in(page, base, creds[who])
            page.wait_for_load_state()
            return context, page

        ctx, page = page_of("a")
        page.click("#nav-objections")  # the school's own objections are one click from every page
        page.wait_for_url(f"{base}/school/objections")
        page.select_option("#target", "major")  # the major's catalog verdict: the catalog and changes.csv show it
        page.fill("#major_code", offering["major_code"])
        page.select_option("#contested", "guidance")
        page.fill("#text", "本校已与企业共建，请复核指导类别。")
        page.set_input_files("#evidence", str(evidence))
        page.click("#submit-objection")
        page.wait_for_url(f"{base}/school/objections/*")
        objection_path = page.url[len(base):]
        assert page.inner_text("#nav-objections") == "本校异议（1 条待答复）"
        ctx.close()

        ctx, page = page_of("b")
        assert page.goto(base + objection_path).status == 404
        page.goto(f"{base}/school/objections")
        assert "共建" not in page.content()
        ctx.close()

        ctx, page = page_of("c")
        assert page.inner_text("#nav-objections") == "异议处理（1 条待处理）"
        page.click("#nav-objections")
        page.wait_for_url(f"{base}/commission/objections")
        page.click("#objections tbody tr a")
        page.check("#accept")
        page.select_option("#value", "合作办学")
        page.fill("#reason", reason)
        page.click("#submit-decision")
        page.wait_for_load_state()
        assert "已采纳" in page.inner_text("#decision")
        assert page.inner_text("#nav-objections") == "异议处理"  # nothing left to answer
        page.goto(f"{base}/commission/audit")
        assert "处理异议" in page.inner_text("#audit") and reason in page.inner_text("#audit")
        page.screenshot(path=str(ARTIFACTS / "cycle-audit.png"), full_page=True)
        ctx.close()
        browser.close()

    assert main(["edition", "close-review", draft, "--home", str(home)]) == 0
    assert main(["policy", "confirm", "--doc-number", "京教职成〔2026〕5号", "--home", str(home)]) == 0
    assert main(["edition", "finalize", draft, "--home", str(home)]) == 0
    final = (published / "CURRENT").read_text(encoding="utf-8").strip()
    assert final == draft.removesuffix("-draft")
    meta = json.loads((published / final / "datapackage.json").read_text(encoding="utf-8"))
    assert meta["state"] == "正式"
    code, note = offering["major_code"], f"经市教委复核调整：指导类别调整为「合作办学」（{reason}）"
    row = pl.read_parquet(published / final / "guiding_catalog.parquet").filter(
        pl.col("major_code") == code).row(0, named=True)
    assert row["guidance"] == "合作办学" and note in row["reasons"]
    school_row = pl.read_parquet(published / final / "school_major_scores.parquet").filter(
        (pl.col("school_code") == school_a) & (pl.col("major_code") == code)).row(0, named=True)
    assert note in school_row["reasons"]
    assert (published / draft / "datapackage.json").is_file(), "the draft stays as it was"
    with open(published / final / "changes.csv", encoding="utf-8-sig") as fh:
        changes = list(csv.DictReader(fh))
    assert [r["复核调整"] for r in changes if r["专业代码"] == code] == ["是"]
    actions = [e.action for e in audit.entries(open_store(home))]
    for step in ("policy.confirm", "review.open", "token.issue", "objection.file", "override.add", "objection.decide",
                 "review.close", "edition.finalize"):
        assert step in actions, step
