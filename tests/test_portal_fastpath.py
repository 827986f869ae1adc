"""The lean path for GET /api/school answers exactly as the full app does, and only in the ordinary case:
same status, body and headers; a revoked, unknown, commission or cookie-only token, another parameter or
an uncached page goes to the full app (which rate-limits, validates and rejects as before)."""

from __future__ import annotations

import warnings

import pytest

from portal import tokens
from portal.app import create_app
from portal.fastpath import bearer_token, page_of
from tests.portal_fixtures import SCHOOL_A, SCHOOL_B, build_home

with warnings.catch_warnings():  # starlette's notice about httpx, raised at import time
    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return build_home(tmp_path_factory.mktemp("home")).root


def spied(app) -> list[bytes | None]:
    """Record what the fast path decided for each /api/school request (None = handed to the full app)."""
    decisions: list[bytes | None] = []
    original = app.cached_school_json

    def spy(scope):
        decisions.append(original(scope))
        return decisions[-1]

    app.cached_school_json = spy
    return decisions


def comparable(response) -> tuple:
    headers = [(k, v) for k, v in response.headers.multi_items() if k != "date"]
    return response.status_code, headers, response.content


@pytest.mark.parametrize("secure", [False, True])
@pytest.mark.parametrize("query", ["", "?limit=2", "?offset=1&limit=2", "?limit=200&offset=0", "?limit=50&offset=0"])
def test_fast_answer_equals_the_full_app_answer(home, secure, query):
    token = tokens.issue(home, school=SCHOOL_A)
    app = create_app(home, secure_cookies=secure)
    decisions = spied(app)
    client = TestClient(app)
    first = client.get("/api/school" + query, headers={"Authorization": f"Bearer {token}"})
    second = client.get("/api/school" + query, headers={"Authorization": f"bearer  {token} "})
    # full app first; then the cached bytes, which are kept for the default page only (a client must
    # not be able to grow the cache with every limit/offset it can think of)
    cached = query in ("", "?limit=50&offset=0")
    assert decisions[0] is None and (decisions[1] is not None) == cached
    assert first.status_code == 200 and first.json()["school_code"] == SCHOOL_A
    assert comparable(first) == comparable(second)
    assert ("strict-transport-security" in second.headers) is secure


def test_unusual_requests_go_to_the_full_app(home):
    school, commission = tokens.issue(home, school=SCHOOL_A), tokens.issue(home, commission=True)
    app = create_app(home)
    decisions = spied(app)
    client = TestClient(app)
    own = client.get("/api/school", headers={"Authorization": f"Bearer {school}"})
    assert client.get("/api/school", headers={"Authorization": f"Bearer {school}"}).content == own.content
    cases = [
        ("/api/school?school_code=" + SCHOOL_B, {"Authorization": f"Bearer {school}"}, 200),
        ("/api/school?limit=0", {"Authorization": f"Bearer {school}"}, 422),
        ("/api/school?limit=201", {"Authorization": f"Bearer {school}"}, 422),
        ("/api/school?limit=5&limit=6", {"Authorization": f"Bearer {school}"}, 200),
        ("/api/school", {"Authorization": f"Bearer {commission}"}, 403),
        ("/api/school", {"Authorization": f"Basic {school}"}, 401),
        ("/api/school", {"Authorization": "Bearer not-a-token"}, 401),
        ("/api/school", {}, 401),
    ]
    for path, headers, status in cases:
        decisions.clear()
        response = client.get(path, headers=headers)
        assert decisions == [None] and response.status_code == status, (path, headers)
        if status == 200:
            assert response.json()["school_code"] == SCHOOL_A
    decisions.clear()
    client.cookies.set("mw_token", school)
    cookie = client.get("/api/school")
    assert decisions == [None] and cookie.content == own.content


def test_revoked_token_is_refused_at_once_even_when_cached(home):
    token = tokens.issue(home, school=SCHOOL_A)
    client = TestClient(create_app(home))
    for _ in range(2):
        assert client.get("/api/school", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert tokens.revoke(home, tokens.hash_token(token)[:tokens.ID_LENGTH])
    refused = client.get("/api/school", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401 and refused.json() == {"detail": "请先登录：需要有效的访问令牌。"}


def test_bad_tokens_still_count_against_the_rate_limit(home):
    client = TestClient(create_app(home, signin_limit=2))
    codes = [client.get("/api/school", headers={"Authorization": f"Bearer guess-{i}"}).status_code
             for i in range(4)]
    assert codes == [401, 401, 429, 429]


def test_a_failing_fast_path_hands_over_to_the_full_app(home, caplog):
    token = tokens.issue(home, school=SCHOOL_A)
    app = create_app(home)
    client = TestClient(app, raise_server_exceptions=False)
    assert client.get("/api/school", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    class Broken:
        def verify(self, token):
            raise RuntimeError("token store unreadable")

    real = app.state.tokens
    app.state.tokens = Broken()
    with caplog.at_level("ERROR", logger="majorwatch.portal"):
        response = client.get("/api/school", headers={"Authorization": f"Bearer {token}"})
    app.state.tokens = real
    assert response.status_code == 500 and "secret" not in response.text
    assert response.headers["x-frame-options"] == "DENY"
    assert "fast path failed" in caplog.text


@pytest.mark.parametrize(("query", "page"), [
    (b"", (50, 0)), (b"limit=2", (2, 0)), (b"offset=7&limit=1", (1, 7)), (b"limit=200&offset=1000000", (200, 1_000_000)),
    (b"limit=0", None), (b"limit=201", None), (b"offset=1000001", None), (b"limit=-1", None), (b"limit=+1", None),
    (b"limit=1&limit=1", None), (b"q=x", None), (b"limit", None), (b"limit=", None), (b"limit=%31", None),
    (b"limit=00000002", None), (b"&", None),
])
def test_page_of_accepts_only_plain_bounded_numbers(query, page):
    assert page_of(query) == page


@pytest.mark.parametrize(("headers", "token"), [
    ([(b"authorization", b"Bearer abc")], "abc"),
    ([(b"authorization", b"BEARER  abc  ")], "abc"),
    ([(b"authorization", b"Basic abc")], None),
    ([(b"authorization", b"Bearer ")], None),
    ([(b"authorization", b"Bearer a"), (b"authorization", b"Bearer b")], None),
    ([(b"cookie", b"mw_token=abc")], None),
])
def test_bearer_token_reads_one_bearer_header(headers, token):
    assert bearer_token(headers) == token


def test_serve_runs_uvicorn_on_httptools_and_uvloop_without_access_log(tmp_path, monkeypatch):
    import portal.server as server

    pytest.importorskip("httptools")
    pytest.importorskip("uvloop")
    calls: list[dict] = []
    monkeypatch.setattr(server.uvicorn, "run", lambda app, **options: calls.append(options))
    build_home(tmp_path)
    server.serve(tmp_path, port=9)
    server.serve(tmp_path, port=9, log_level="debug")
    server.serve(tmp_path, port=9, log_level="debug", access_log=False)
    assert [c["access_log"] for c in calls] == [False, True, False]
    assert all(c["http"] == "httptools" and c["loop"] == "uvloop" for c in calls)
    assert all(c["server_header"] is False and c["proxy_headers"] is False for c in calls)


def test_paging_does_not_grow_the_cache(home):
    token = tokens.issue(home, school=SCHOOL_A)
    app = create_app(home)
    client = TestClient(app)
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/school", headers=auth).status_code == 200
    snap = app.state.editions.snapshot()
    before = len(snap.cache)
    for offset in range(0, 60):
        assert client.get(f"/api/school?limit=3&offset={offset}", headers=auth).status_code == 200
    assert len(snap.cache) == before
