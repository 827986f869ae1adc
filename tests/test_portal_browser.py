"""The portal in a real Chromium (Playwright, Debian's /usr/bin/chromium): a school signs in and sees
only its own majors; commission staff sign in and download the guiding catalog. Screenshots of each
page go to test-artifacts/ (install the browser with scripts/install-browser-deps.sh)."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal import tokens
from portal.app import create_app
from tests.portal_fixtures import A_ONLY, B_ONLY, SCHOOL_A, build_home, running_server

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="/usr/bin/chromium is missing: run scripts/install-browser-deps.sh (as root)"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    home = build_home(tmp_path_factory.mktemp("home")).root
    creds = {"school": tokens.issue(home, school=SCHOOL_A), "commission": tokens.issue(home, commission=True)}
    with running_server(create_app(home)) as base:
        yield base, home, creds


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, site):
    base = site[0]
    context = browser.new_context(accept_downloads=True, locale="zh-CN", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda msg: page.problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda err: page.problems.append(str(err)))
    page.on("request", lambda req: None if req.url.startswith(base) else page.problems.append(req.url))
    yield page
    context.close()


def sign_in(page, base: str, token: str) -> None:
    page.goto(f"{base}/")
    assert page.url.endswith("/signin")
    page.fill("#token", token)
    page.click("#signin")


def test_school_sees_its_own_majors_only(page, site):
    base, _, creds = site
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, base, creds["school"])
    page.wait_for_url(f"{base}/school")
    assert "北京市第一职业学校" in page.inner_text("#school-name")
    majors = page.eval_on_selector_all("#majors tbody tr", "rows => rows.map(r => r.dataset.major)")
    assert A_ONLY in majors and B_ONLY not in majors and len(majors) == 3
    assert "北京市商贸职业学院" not in page.content()
    assert page.locator("#majors svg.spark").count() == 3
    page.screenshot(path=str(ARTIFACTS / "portal-school.png"), full_page=True)
    page.fill("#filter-text", "机械")
    assert page.locator("#majors tbody tr:visible").count() == 1
    page.fill("#filter-text", "")
    page.select_option("#filter-level", "红")
    assert page.locator("#majors tbody tr:visible").count() == page.locator('tr[data-level="红"]').count()
    page.select_option("#filter-level", "")
    page.click("#majors th:nth-child(4)")
    page.click("#majors th:nth-child(4)")
    scores = page.eval_on_selector_all("#majors tbody tr td:nth-child(4)", "c => c.map(x => +x.dataset.sort)")
    assert scores == sorted(scores, reverse=True)
    page.click(f'a[href="/school/majors/{A_ONLY}"]')
    page.wait_for_url(f"{base}/school/majors/{A_ONLY}")
    page.screenshot(path=str(ARTIFACTS / "portal-school-major.png"), full_page=True)
    page.click("#signout")
    page.wait_for_url(f"{base}/signin")
    page.screenshot(path=str(ARTIFACTS / "portal-signin.png"))
    assert page.problems == [], page.problems
    response = page.goto(f"{base}/school")
    assert response.status == 401 and "请先登录" in page.content()


def test_commission_downloads_the_guiding_catalog(page, site):
    base, home, creds = site
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, base, creds["commission"])
    page.wait_for_url(f"{base}/commission")
    assert page.locator("#downloads tbody tr").count() == 3
    page.screenshot(path=str(ARTIFACTS / "portal-commission.png"), full_page=True)
    with page.expect_download() as info:
        page.click('a[data-file="2026/guiding_catalog.csv"]')
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data == (home / "published" / "2026" / "guiding_catalog.csv").read_bytes()
    page.fill('input[name="q"]', "机械")
    page.click('form[action="/commission"] button')
    page.wait_for_url("**q=**")
    assert page.locator("#catalog tbody tr").count() == 1
    page.click(f'a[href="/commission/schools/{SCHOOL_A}"]')
    page.wait_for_url(f"{base}/commission/schools/{SCHOOL_A}")
    page.screenshot(path=str(ARTIFACTS / "portal-commission-school.png"), full_page=True)
    assert page.problems == [], page.problems
