"""The action plan's pages in a real Chromium at desktop (1366 px) and phone (390 px) width: nothing runs off
the side, every row is a readable card on a phone, and the pictures are kept in test-artifacts/ to look at."""

from __future__ import annotations

import pytest

from portal import tokens
from portal.app import create_app
from tests.portal_fixtures import running_server
from tests.scored_edition import CHAOYANG, write_scored_edition
from tests.test_portal_actions import write_plan
from tests.test_portal_browser import ARTIFACTS, CHROMIUM, capture

pytestmark = [
    pytest.mark.browser, pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="/usr/bin/chromium is missing: run scripts/install-browser-deps.sh (as root)"),
]
PAGES = [("school-actions", "school", "/school", "#action-rows"),
         ("commission-actions", "commission", "/commission/actions", "#action-rows"),
         ("commission-backbone", "commission", "/commission/backbone", "#backbone")]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    home = tmp_path_factory.mktemp("actions-browser")
    plan, ranked = write_plan(write_scored_edition(home))
    creds = {"school": tokens.issue(home, school=CHAOYANG), "commission": tokens.issue(home, commission=True)}
    with running_server(create_app(home, secure_cookies=False)) as base:
        yield base, creds, {"school": plan.filter(plan["school_code"] == CHAOYANG).height,
                            "commission": plan.height, "backbone": ranked.height}


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("name,who,path,table", PAGES, ids=[p[0] for p in PAGES])
def test_action_pages_fit_the_screen(site, browser, width, name, who, path, table):
    base, creds, counts = site
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 800})
    context.set_extra_http_headers({"Authorization": f"Bearer {creds[who]}"})
    page = context.new_page()
    try:
        page.goto(base + path)
        rows = page.locator(f"{table} tbody tr")
        expected = counts["backbone"] if name.endswith("backbone") else counts[who]
        assert rows.count() == expected > 0
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing off the side
        box = rows.first.bounding_box()
        assert box is not None and box["width"] <= width
        if width < 600:  # a card: its cells stack, each with its label
            assert page.evaluate(f"getComputedStyle(document.querySelector('{table} tbody td')).display") == "block"
        ARTIFACTS.mkdir(exist_ok=True)
        capture(page, ARTIFACTS / f"{name}-{width}.png")
    finally:
        context.close()
