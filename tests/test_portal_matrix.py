"""Every route × every role (anonymous, school A, school B, commission) × own/other/unknown data.

The table MATRIX is the single statement of who may see what. ``test_every_route_is_in_the_matrix``
fails when a route is added to the app without a row here.
"""

from __future__ import annotations

import warnings

import pytest

with warnings.catch_warnings():  # starlette's notice about httpx, raised at import time
    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient
from portal import tokens
from portal.app import create_app
from tests.portal_fixtures import A_ONLY, B_ONLY, SCHOOL_A, SCHOOL_B, SHARED, build_home, session_headers

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROLES = ("anon", "school_a", "school_b", "commission")
UNKNOWN_MAJOR, UNKNOWN_SCHOOL = "999999", "9999999"


def row(method: str, template: str, path: str, anon: int, a: int, b: int, c: int) -> tuple:
    return (method, template, path, dict(zip(ROLES, (anon, a, b, c), strict=True)))


SM, CS, DL = "/school/majors/{major_code}", "/commission/schools/{school_code}", "/downloads/{edition}/{file_name}"
ASM, ACS = "/api" + SM, "/api" + CS
CM, CD = "/commission/majors/{major_code}", "/commission/districts/{district}"
SO, CO = "/school/objections/{objection_id}", "/commission/objections/{objection_id}"
MATRIX = [
    row("GET", "/signin", "/signin", 200, 200, 200, 200),
    row("POST", "/signin", "/signin", 401, 303, 303, 303),
    row("POST", "/signout", "/signout", 303, 303, 303, 303),
    row("GET", "/", "/", 303, 303, 303, 303),
    row("GET", "/school", "/school", 401, 200, 200, 403),
    row("GET", SM, f"/school/majors/{A_ONLY}", 401, 200, 404, 403),
    row("GET", SM, f"/school/majors/{B_ONLY}", 401, 404, 200, 403),
    row("GET", SM, f"/school/majors/{SHARED}", 401, 200, 200, 403),
    row("GET", SM, f"/school/majors/{UNKNOWN_MAJOR}", 401, 404, 404, 403),
    row("GET", "/commission", "/commission", 401, 403, 403, 200),
    row("GET", "/commission", "/commission?q=5&limit=2&offset=1", 401, 403, 403, 200),
    row("GET", "/commission/majors", "/commission/majors", 401, 403, 403, 200),
    row("GET", "/commission/majors", "/commission/majors?warning_level=红&category=装备制造大类", 401, 403, 403, 200),
    row("GET", CM, f"/commission/majors/{A_ONLY}", 401, 403, 403, 200),
    row("GET", CM, f"/commission/majors/{UNKNOWN_MAJOR}", 401, 403, 403, 404),
    row("GET", "/commission/schools", "/commission/schools?district=海淀区", 401, 403, 403, 200),
    row("GET", CD, "/commission/districts/海淀区", 401, 403, 403, 200),
    row("GET", CD, "/commission/districts/不存在区", 401, 403, 403, 404),
    row("GET", "/catalog", "/catalog", 401, 200, 200, 200),
    row("GET", "/catalog", "/catalog?guidance=优先发展&level=高职专科", 401, 200, 200, 200),
    row("GET", "/policy", "/policy", 401, 200, 200, 200),
    row("GET", CS, f"/commission/schools/{SCHOOL_A}", 401, 403, 403, 200),
    row("GET", CS, f"/commission/schools/{SCHOOL_B}", 401, 403, 403, 200),
    row("GET", CS, f"/commission/schools/{UNKNOWN_SCHOOL}", 401, 403, 403, 404),
    row("GET", DL, "/downloads/2026/guiding_catalog.csv", 401, 200, 200, 200),
    row("GET", DL, "/downloads/2026/guiding_catalog.xlsx", 401, 200, 200, 200),
    row("GET", DL, "/downloads/2024/restriction_list.csv", 401, 200, 200, 200),
    row("GET", DL, "/downloads/2025/changes.csv", 401, 200, 200, 200),
    row("GET", DL, "/downloads/2026/datapackage.json", 401, 200, 200, 200),
    row("GET", DL, "/downloads/2026/SHA256SUMS", 401, 200, 200, 200),
    row("GET", DL, "/downloads/2026/school_major_scores.parquet", 401, 403, 403, 200),
    row("GET", DL, "/downloads/1999/guiding_catalog.csv", 401, 404, 404, 404),
    row("GET", DL, "/downloads/2026/tokens.json", 401, 404, 404, 404),
    row("GET", DL, "/downloads/CURRENT/guiding_catalog.csv", 401, 404, 404, 404),
    row("GET", "/api/me", "/api/me", 401, 200, 200, 200),
    row("GET", "/api/editions", "/api/editions", 401, 200, 200, 200),
    row("GET", "/api/school", "/api/school", 401, 200, 200, 403),
    row("GET", ASM, f"/api/school/majors/{A_ONLY}", 401, 200, 404, 403),
    row("GET", ASM, f"/api/school/majors/{B_ONLY}", 401, 404, 200, 403),
    row("GET", ASM, f"/api/school/majors/{UNKNOWN_MAJOR}", 401, 404, 404, 403),
    row("GET", "/api/commission", "/api/commission", 401, 403, 403, 200),
    row("GET", "/api/commission/majors", "/api/commission/majors?q=机械", 401, 403, 403, 200),
    row("GET", "/api/commission/schools", "/api/commission/schools?limit=200", 401, 403, 403, 200),
    row("GET", ACS, f"/api/commission/schools/{SCHOOL_A}", 401, 403, 403, 200),
    row("GET", ACS, f"/api/commission/schools/{SCHOOL_B}", 401, 403, 403, 200),
    row("GET", ACS, f"/api/commission/schools/{UNKNOWN_SCHOOL}", 401, 403, 403, 404),
    row("GET", "/api/openapi.json", "/api/openapi.json", 200, 200, 200, 200),
    # 新设专业预审 (a permitted question is answered; an edition without its policy gets 503: test_portal_precheck.py)
    row("GET", "/school/precheck", "/school/precheck", 401, 200, 200, 403),
    row("GET", "/school/precheck", f"/school/precheck?major={SHARED}&school={SCHOOL_B}", 401, 200, 200, 403),
    row("GET", "/api/school/precheck", f"/api/school/precheck?major={SHARED}&school={SCHOOL_B}", 401, 200, 200, 403),
    row("GET", "/commission/precheck", "/commission/precheck", 401, 403, 403, 200),
    row("GET", "/commission/precheck", f"/commission/precheck?school={UNKNOWN_SCHOOL}&major={SHARED}",
        401, 403, 403, 404),
    row("GET", "/api/commission/precheck", f"/api/commission/precheck?school={SCHOOL_A}&major={SHARED}",
        401, 403, 403, 200),
    row("GET", "/api/commission/precheck", f"/api/commission/precheck?school={UNKNOWN_SCHOOL}&major={SHARED}",
        401, 403, 403, 404),
    row("GET", "/commission/whatif", "/commission/whatif", 401, 403, 403, 200),
    row("GET", "/commission/actions", "/commission/actions?action=撤并&district=全市", 401, 403, 403, 200),
    row("GET", "/commission/backbone", "/commission/backbone", 401, 403, 403, 200),
    row("GET", "/api/commission/whatif", "/api/commission/whatif", 401, 403, 403, 200),
    row("GET", "/school", "/school?certainty=临界&cause=产业清单", 401, 200, 200, 403),
    row("GET", "/api/school", "/api/school?certainty=临界", 401, 200, 200, 403),
    row("GET", "/api/commission/majors", "/api/commission/majors?certainty=临界&cause=毕业去向", 401, 403, 403, 200),
    # objections (no review open in this home: filing is refused; no objection exists: every id is 404)
    row("GET", "/school/objections", "/school/objections", 401, 200, 200, 403),
    row("POST", "/school/objections", "/school/objections", 401, 400, 400, 403),
    row("GET", SO, "/school/objections/1", 401, 404, 404, 403),
    row("GET", SO + "/evidence", "/school/objections/1/evidence", 401, 404, 404, 403),
    row("GET", "/commission/objections", "/commission/objections?status=待处理", 401, 403, 403, 200),
    row("GET", "/commission/audit", "/commission/audit", 401, 403, 403, 200),
    row("GET", CO, "/commission/objections/1", 401, 403, 403, 404),
    row("GET", CO + "/evidence", "/commission/objections/1/evidence", 401, 403, 403, 404),
    row("POST", CO + "/decision", "/commission/objections/1/decision", 401, 403, 403, 404),
]


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    home = build_home(tmp_path_factory.mktemp("home")).root
    creds = {"anon": None, "school_a": tokens.issue(home, school=SCHOOL_A),
             "school_b": tokens.issue(home, school=SCHOOL_B), "commission": tokens.issue(home, commission=True)}
    app = create_app(home, signin_limit=10_000)
    client = TestClient(app, follow_redirects=False)
    return app, client, creds


def served_routes(app):
    """Every route the app answers, flattened through included routers (FastAPI ≥ 0.13x keeps
    included routers as nodes; ``iter_route_contexts`` walks them)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:
        return list(app.routes)
    return list(iter_route_contexts(app.routes))


def call(client: TestClient, creds: dict, role: str, method: str, path: str):
    """Pages get the token as the sign-in cookie, the API as a Bearer header; POST /signin posts it."""
    token = creds[role]
    headers = {}
    if token and path.startswith("/api/"):
        headers["Authorization"] = f"Bearer {token}"
    elif token:
        headers.update(session_headers(client.app, token))
    if method == "POST" and path == "/signin":
        return client.post(path, data={"token": token or "not-a-token"})
    return client.request(method, path, headers=headers)


@pytest.mark.parametrize("method,template,path,expected", MATRIX, ids=[f"{m} {p}" for m, _, p, _ in MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_route_role_matrix(portal, role, method, template, path, expected):
    _, client, creds = portal
    response = call(client, creds, role, method, path)
    assert response.status_code == expected[role], response.text[:300]
    assert response.headers["x-content-type-options"] == "nosniff"
    if response.status_code >= 400 and path.startswith("/api/"):
        detail = response.json()["detail"]
        assert detail and not detail.isascii(), "errors are plain Chinese"
    if response.status_code >= 400:
        assert "Traceback" not in response.text


def uncovered_routes(app) -> tuple[set, set]:
    """(routes the app serves without a MATRIX row, MATRIX rows for routes the app does not serve)."""
    covered = {(m, t) for m, t, _, _ in MATRIX}
    served = set()
    for route in served_routes(app):
        assert route.path and route.methods, f"route without a path or methods: {route!r}"
        for method in set(route.methods) - {"HEAD"}:
            served.add((method, route.path))
    assert len(served) >= 15, "the app's routes were not enumerated"
    return served - covered, covered - served


def test_every_route_is_in_the_matrix(portal):
    app, _, _ = portal
    missing, stale = uncovered_routes(app)
    assert not missing, f"routes without a row in MATRIX: {sorted(missing)}"
    assert not stale, f"MATRIX rows for routes the app does not serve: {sorted(stale)}"


def test_an_added_route_is_caught(tmp_path):
    app = create_app(build_home(tmp_path).root)

    @app.get("/api/new-thing")
    async def new_thing() -> dict:
        return {}

    missing, _ = uncovered_routes(app)
    assert missing == {("GET", "/api/new-thing")}


@pytest.mark.parametrize("prefix", ["/api", ""])
def test_other_school_404_is_identical_to_unknown(portal, prefix):
    _, client, creds = portal
    other = call(client, creds, "school_a", "GET", f"{prefix}/school/majors/{B_ONLY}")
    unknown = call(client, creds, "school_a", "GET", f"{prefix}/school/majors/{UNKNOWN_MAJOR}")
    assert other.status_code == unknown.status_code == 404
    assert other.content == unknown.content
    assert {k: v for k, v in other.headers.items() if k != "date"} == \
        {k: v for k, v in unknown.headers.items() if k != "date"}


@pytest.mark.parametrize("prefix", ["/api", ""])
def test_school_on_commission_routes_gets_one_answer_for_any_code(portal, prefix):
    _, client, creds = portal
    bodies = {call(client, creds, "school_a", "GET", f"{prefix}/commission/schools/{code}").content
              for code in (SCHOOL_A, SCHOOL_B, UNKNOWN_SCHOOL)}
    assert len(bodies) == 1


def test_school_sees_only_its_own_offerings(portal):
    _, client, creds = portal
    body = call(client, creds, "school_a", "GET", "/api/school").json()
    assert body["school_code"] == SCHOOL_A
    assert {m["major_code"] for m in body["majors"]} == {A_ONLY, SHARED, "660301"}
    page = call(client, creds, "school_a", "GET", "/school").text
    assert "北京市第一职业学校" in page and "北京市商贸职业学院" not in page
    assert f'data-major="{B_ONLY}"' not in page and f'data-major="{A_ONLY}"' in page


def test_redirects_follow_the_role(portal):
    _, client, creds = portal
    assert call(client, creds, "anon", "GET", "/").headers["location"] == "/signin"
    assert call(client, creds, "school_b", "GET", "/").headers["location"] == "/school"
    assert call(client, creds, "commission", "GET", "/").headers["location"] == "/commission"
    assert call(client, creds, "commission", "POST", "/signin").headers["location"] == "/commission"
