"""/api/school serves a school's page as bytes cached on the edition's snapshot, inside normal FastAPI
routing: the cached answer equals the first one, revocation counts at once, paging never grows the cache,
and the server runs uvicorn's fast parts without an access log."""

from __future__ import annotations

import warnings

import pytest

from portal import tokens
from portal.app import create_app
from tests.portal_fixtures import SCHOOL_A, build_home

with warnings.catch_warnings():  # starlette's notice about httpx, raised at import time
    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return build_home(tmp_path_factory.mktemp("home")).root


def comparable(response) -> tuple:
    return response.status_code, [(k, v) for k, v in response.headers.multi_items() if k != "date"], response.content


@pytest.mark.parametrize("query", ["", "?limit=2", "?offset=1&limit=2", "?limit=50&offset=0"])
def test_cached_answer_equals_the_first_answer(home, query):
    token = tokens.issue(home, school=SCHOOL_A)
    app = create_app(home, secure_cookies=False)
    client = TestClient(app)
    first = client.get("/api/school" + query, headers={"Authorization": f"Bearer {token}"})
    cached = ("school-json", SCHOOL_A, 50, 0) in app.state.editions.snapshot().cache
    second = client.get("/api/school" + query, headers={"Authorization": f"bearer  {token} "})
    assert first.status_code == 200 and first.json()["school_code"] == SCHOOL_A
    assert cached is (query in ("", "?limit=50&offset=0"))
    assert comparable(first) == comparable(second)


def test_revoked_token_is_refused_at_once_even_when_cached(home):
    token = tokens.issue(home, school=SCHOOL_A)
    client = TestClient(create_app(home))
    for _ in range(2):
        assert client.get("/api/school", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert tokens.revoke(home, tokens.hash_token(token)[:tokens.ID_LENGTH])
    refused = client.get("/api/school", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401 and refused.json() == {"detail": "请先登录：需要有效的访问令牌。"}


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
