"""Objections in a real Chromium: school A files one with a PDF through the form, school B does not see it,
the commission accepts it with a reason and school A reads the answer. Screenshots at 1366 and 390 px go
to test-artifacts/."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal import tokens
from portal.app import create_app
from review import audit
from review.audit import Actor
from review.db import open_store
from review.windows import open_review
from tests.portal_fixtures import A_ONLY, SCHOOL_A, SCHOOL_B, build_home, running_server
from tests.test_portal_browser import ARTIFACTS, CHROMIUM, LAUNCH_ARGS, capture, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing: run scripts/install-browser-deps.sh"),
]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    home = build_home(tmp_path_factory.mktemp("home")).root
    open_review(open_store(home), Actor("命令行（测试）", "cli"), "2026", date.today() + timedelta(days=14))
    creds = {"a": tokens.issue(home, school=SCHOOL_A, label="甲校教务处"), "b": tokens.issue(home, school=SCHOOL_B),
             "c": tokens.issue(home, commission=True, label="教委审核员")}
    with running_server(create_app(home)) as base:
        yield base, home, creds


def test_objection_round_trip_in_the_browser(site, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    base, home, creds = site
    ARTIFACTS.mkdir(exist_ok=True)
    evidence = tmp_path / "转型说明.pdf"
    evidence.write_bytes(PDF)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)

        def session(who, width=1366):
            context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
            page = context.new_page()
            problems = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("request", lambda r: None if r.url.startswith(base) else problems.append(r.url))
            sign_in(page, base, creds[who])
            page.wait_for_load_state()
            return context, page, problems

        ctx, page, problems = session("a")
        page.goto(f"{base}/school/objections")
        assert "征求意见中" in page.inner_text("#review-state")
        page.select_option("#target", "offering")
        page.fill("#major_code", A_ONLY)
        page.select_option("#contested", "guidance")
        page.fill("#text", "本校该专业已转向智能制造方向，近两年毕业去向落实率均高于全市。")
        page.set_input_files("#evidence", str(evidence))
        capture(page, ARTIFACTS / "objections-school-form-1366.png")
        page.click("#submit-objection")
        page.wait_for_url(f"{base}/school/objections/*")
        objection_url = page.url
        assert "待处理" in page.content() and page.inner_text("#evidence-link") == "转型说明.pdf"
        capture(page, ARTIFACTS / "objection-school-detail-1366.png")
        assert problems == []
        ctx.close()

        ctx, page, _ = session("b")
        page.goto(f"{base}/school/objections")
        assert "本校尚未提出异议" in page.content() and "智能制造" not in page.content()
        response = page.goto(objection_url)
        assert response.status == 404 and "智能制造" not in page.content()
        ctx.close()

        ctx, page, problems = session("c")
        page.goto(f"{base}/commission/objections")
        capture(page, ARTIFACTS / "objections-commission-1366.png")
        page.click("#objections tbody tr a")
        page.check("#accept")
        page.select_option("#value", "正常")
        page.fill("#reason", "材料属实：该专业已完成转型，指导类别调整为正常。")
        capture(page, ARTIFACTS / "objection-decide-1366.png")
        page.click("#submit-decision")
        page.wait_for_load_state()
        assert "已采纳" in page.inner_text("#decision")
        assert problems == []
        ctx.close()

        for width in (1366, 390):
            ctx, page, problems = session("a", width)
            page.goto(f"{base}/school/objections")
            capture(page, ARTIFACTS / f"objections-school-list-{width}.png")
            page.goto(objection_url)
            assert "材料属实" in page.inner_text("#decision")
            capture(page, ARTIFACTS / f"objection-answered-{width}.png")
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width + 1, f"the detail page scrolls sideways at {width} px ({scroll})"
            assert problems == []
            ctx.close()
        ctx, page, _ = session("c", 390)
        page.goto(f"{base}/commission/objections")
        capture(page, ARTIFACTS / "objections-commission-390.png")
        ctx.close()
        browser.close()
    actions = [e.action for e in audit.entries(open_store(home))]
    assert actions[actions.index("objection.file"):] == ["objection.file", "override.add", "objection.decide"]
