"""Hardening: sign-in rate limit, security headers on every answer, page-size caps, Chinese errors
without stack traces, cookies, path traversal, the school taken only from the token, the OpenAPI text."""

from __future__ import annotations

import re
import warnings

import pytest

from portal import tokens, views
from portal.app import create_app
from portal.models import SchoolMajor
from tests.portal_fixtures import SCHOOL_A, SCHOOL_B, build_home

with warnings.catch_warnings():  # starlette's notice about httpx, raised at import time
    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return build_home(tmp_path_factory.mktemp("home")).root


@pytest.fixture
def creds(home):
    return {"a": tokens.issue(home, school=SCHOOL_A), "c": tokens.issue(home, commission=True)}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_signin_counts_failures_per_token_prefix_and_address(home, creds):
    client = TestClient(create_app(home), follow_redirects=False)
    for _ in range(10):
        assert client.post("/signin", data={"token": "guess-same-prefix"}).status_code == 401
    blocked = client.post("/signin", data={"token": "guess-same-prefix"})
    assert blocked.status_code == 429 and "登录尝试过于频繁" in blocked.text
    # the valid user at the same address, just after those failures, is not locked out
    assert client.post("/signin", data={"token": creds["a"]}).status_code == 303
    other = TestClient(client.app, follow_redirects=False, client=("10.0.0.9", 5000))
    assert other.post("/signin", data={"token": "guess-same-prefix"}).status_code == 401


def test_valid_signins_are_not_counted(home, creds):
    client = TestClient(create_app(home, signin_limit=2), follow_redirects=False)
    codes = [client.post("/signin", data={"token": creds["a"]}).status_code for _ in range(6)]
    assert codes == [303] * 6
    assert [client.get("/api/me", headers=bearer(creds["a"])).status_code for _ in range(6)] == [200] * 6


def test_guessing_bearer_tokens_is_rate_limited(home, creds):
    client = TestClient(create_app(home, signin_limit=3))
    codes = [client.get("/api/me", headers=bearer(f"guessing{i}")).status_code for i in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    assert client.get("/api/me", headers=bearer("guessing")).json() == {"detail": "登录尝试过于频繁，请一分钟后再试。"}
    assert client.get("/api/me", headers=bearer(creds["a"])).status_code == 200


def test_guessing_with_ever_new_prefixes_is_bounded_per_address(home, creds):
    app = create_app(home, signin_limit=2)
    client = TestClient(app)
    codes = [client.get("/api/me", headers=bearer(f"{i:08d}-guess")).status_code for i in range(12)]
    assert codes == [401] * app.state.limiter.address_limit + [429] * (12 - app.state.limiter.address_limit)


def test_rate_limit_window_expires(home, monkeypatch):
    import portal.security as security

    app = create_app(home, signin_limit=2, signin_window=60)
    now = [1000.0]
    monkeypatch.setattr(security.time, "monotonic", lambda: now[0])
    limiter = app.state.limiter
    limiter.fail("abcdefgh1", "1.2.3.4")
    limiter.fail("abcdefgh2", "1.2.3.4")
    assert limiter.blocked("abcdefgh3", "1.2.3.4") and not limiter.blocked("abcdefgh3", "1.2.3.5")
    now[0] += 61
    assert not limiter.blocked("abcdefgh3", "1.2.3.4")


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(home, creds):
    proxied = create_app(home, signin_limit=2, trusted_proxies=["10.1.0.0/16"])
    proxy = TestClient(proxied, follow_redirects=False, client=("10.1.2.3", 4000))
    for _ in range(2):
        response = proxy.post("/signin", data={"token": "guess-xx"}, headers={"X-Forwarded-For": "203.0.113.7"})
        assert response.status_code == 401
    assert proxy.post("/signin", data={"token": "guess-xx"},
                      headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 429
    # another user behind the same proxy has a limit of their own; a forged left-most entry changes nothing
    assert proxy.post("/signin", data={"token": "guess-xx"},
                      headers={"X-Forwarded-For": "198.51.100.9"}).status_code == 401
    assert proxy.post("/signin", data={"token": "guess-xx"},
                      headers={"X-Forwarded-For": "1.1.1.1, 203.0.113.7"}).status_code == 429
    # a client talking directly cannot choose its address with the header
    direct = TestClient(proxied, follow_redirects=False, client=("192.0.2.50", 4000))
    for n in range(3):
        response = direct.post("/signin", data={"token": "guess-xx"}, headers={"X-Forwarded-For": f"9.9.9.{n}"})
        assert response.status_code == (401 if n < 2 else 429)
    untrusting = TestClient(create_app(home, signin_limit=2), follow_redirects=False, client=("10.1.2.3", 4000))
    for n in range(3):
        response = untrusting.post("/signin", data={"token": "guess-xx"}, headers={"X-Forwarded-For": f"9.9.9.{n}"})
        assert response.status_code == (401 if n < 2 else 429)


def test_oversized_headers_are_refused_with_a_clear_error(home, creds):
    client = TestClient(create_app(home, max_header_bytes=4096))
    big = {"X-Padding": "x" * 5000}
    api = client.get("/api/me", headers={**bearer(creds["a"]), **big})
    assert api.status_code == 431 and api.json() == {"detail": "请求头过大，请清除本站的 Cookie 后重试。"}
    page = client.get("/signin", headers=big)
    assert page.status_code == 431 and "请求头过大" in page.text and page.headers["x-frame-options"] == "DENY"
    assert client.get("/api/me", headers=bearer(creds["a"])).status_code == 200


@pytest.mark.parametrize(("path", "who", "status"), [
    ("/downloads/2026/guiding_catalog.csv", None, 401), ("/downloads/1999/guiding_catalog.csv", "a", 404),
    ("/downloads/2026/school_major_scores.parquet", "a", 403), ("/downloads/2026/tokens.json", "c", 404)])
def test_download_errors_are_json(home, creds, path, who, status):
    response = TestClient(create_app(home)).get(path, headers=bearer(creds[who]) if who else {})
    assert response.status_code == status and response.headers["content-type"] == "application/json"
    assert not response.json()["detail"].isascii()


def test_secure_cookie_by_default_outside_development(home, creds, monkeypatch):
    monkeypatch.delenv("MAJORWATCH_PORTAL_SECURE_COOKIES", raising=False)
    monkeypatch.delenv("MAJORWATCH_PORTAL_ENV", raising=False)
    signin = TestClient(create_app(home), follow_redirects=False).post("/signin", data={"token": creds["a"]})
    assert "Secure" in signin.headers["set-cookie"] and "strict-transport-security" in signin.headers
    monkeypatch.setenv("MAJORWATCH_PORTAL_ENV", "development")
    signin = TestClient(create_app(home), follow_redirects=False).post("/signin", data={"token": creds["a"]})
    assert "Secure" not in signin.headers["set-cookie"]
    monkeypatch.setenv("MAJORWATCH_PORTAL_SECURE_COOKIES", "1")
    signin = TestClient(create_app(home), follow_redirects=False).post("/signin", data={"token": creds["a"]})
    assert "Secure" in signin.headers["set-cookie"]


@pytest.mark.parametrize("path", ["/signin", "/school", "/nowhere", "/api/school?limit=0", "/api/openapi.json",
                                  "/downloads/2026/guiding_catalog.csv"])
def test_security_headers_on_every_response(home, creds, path):
    response = TestClient(create_app(home)).get(path, headers=bearer(creds["a"]))
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    assert "unsafe-inline" not in csp and "http" not in csp and "*" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"  # no referrer elsewhere; a real Origin here


def test_internal_error_is_plain_chinese_with_headers(home, creds, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(views, "school_view", boom)
    monkeypatch.setattr(views, "school_majors", boom)
    client = TestClient(create_app(home), raise_server_exceptions=False)
    api = client.get("/api/school", headers=bearer(creds["a"]))
    assert api.status_code == 500 and api.json() == {"detail": "服务器内部错误，请稍后再试。"}
    page = client.get("/school", headers=bearer(creds["a"]))
    assert page.status_code == 500 and "服务器内部错误" in page.text
    for response in (api, page):
        assert "secret internal detail" not in response.text and "Traceback" not in response.text
        assert response.headers["x-frame-options"] == "DENY"


def test_page_sizes_are_capped(home, creds):
    client = TestClient(create_app(home))
    assert client.get("/api/commission/schools?limit=200", headers=bearer(creds["c"])).status_code == 200
    too_big = client.get("/api/commission/schools?limit=201", headers=bearer(creds["c"]))
    assert too_big.status_code == 422 and "每页条数" in too_big.json()["detail"]
    assert client.get("/commission/majors?limit=500", headers=bearer(creds["c"])).status_code == 422
    assert client.get("/api/school?offset=-1", headers=bearer(creds["a"])).status_code == 422
    page = client.get("/api/commission/majors?limit=2&offset=1", headers=bearer(creds["c"])).json()
    assert page["total"] == 6 and len(page["items"]) == 2 and page["offset"] == 1


def test_school_comes_from_the_token_only(home, creds):
    client = TestClient(create_app(home))
    attempts = [client.get(f"/api/school?school_code={SCHOOL_B}", headers=bearer(creds["a"])),
                client.get("/api/school", headers={**bearer(creds["a"]), "X-School-Code": SCHOOL_B}),
                client.get("/api/school", headers={**bearer(creds["a"]), "Cookie": f"school_code={SCHOOL_B}"})]
    for response in attempts:
        assert response.json()["school_code"] == SCHOOL_A
        assert SCHOOL_B not in response.text


def test_cookie_flags_and_signout(home, creds):
    client = TestClient(create_app(home, secure_cookies=False), follow_redirects=False)
    response = client.post("/signin", data={"token": creds["a"]})
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    assert client.get("/school").status_code == 200
    out = client.post("/signout")
    assert out.status_code == 303 and 'mw_session=""' in out.headers["set-cookie"]
    secure = TestClient(create_app(home, secure_cookies=True), follow_redirects=False)
    response = secure.post("/signin", data={"token": creds["a"]})
    assert "Secure" in response.headers["set-cookie"]
    assert "strict-transport-security" in response.headers


def test_cross_site_signin_post_is_refused(home, creds):
    client = TestClient(create_app(home), follow_redirects=False)
    response = client.post("/signin", data={"token": creds["a"]}, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403 and "set-cookie" not in response.headers


def test_revoked_token_stops_working(home, creds):
    client = TestClient(create_app(home))
    assert client.get("/api/me", headers=bearer(creds["a"])).status_code == 200
    tokens.revoke(home, tokens.hash_token(creds["a"])[:12])
    assert client.get("/api/me", headers=bearer(creds["a"])).status_code == 401


@pytest.mark.parametrize("path", ["/downloads/2026/..%2F..%2Ftokens.json", "/downloads/..%2F/tokens.json",
                                  "/downloads/%2e%2e/tokens.json", "/downloads/2026/%2e%2e%2fCURRENT",
                                  "/downloads/2026/guiding_catalog.csv%00.txt", "/downloads/.tmp-x/SHA256SUMS"])
def test_downloads_cannot_escape_the_allow_list(home, creds, path):
    response = TestClient(create_app(home)).get(path, headers=bearer(creds["c"]))
    assert response.status_code == 404
    assert "hash" not in response.text


def test_download_is_the_published_file(home, creds):
    client = TestClient(create_app(home))
    response = client.get("/downloads/2025/guiding_catalog.csv", headers=bearer(creds["a"]))
    assert response.content == (home / "published" / "2025" / "guiding_catalog.csv").read_bytes()
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert 'filename="2025-guiding_catalog.csv"' in response.headers["content-disposition"]


def test_openapi_lists_exactly_the_fields_of_each_view(home):
    spec = TestClient(create_app(home)).get("/api/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert set(schemas["SchoolMajor"]["properties"]) == set(SchoolMajor.model_fields)
    assert "school_code" not in schemas["SchoolMajor"]["properties"]
    assert spec["paths"]["/api/school"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"]["$ref"].endswith("/SchoolView")
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    assert not any(p in spec["paths"] for p in ("/school", "/commission", "/signin"))


def test_pages_make_no_external_requests(home, creds):
    client = TestClient(create_app(home))
    for path, who in (("/signin", "a"), ("/school", "a"), ("/school/majors/460101", "a"), ("/commission", "c"),
                      (f"/commission/schools/{SCHOOL_B}", "c"),
                      ("/catalog", "a"), ("/policy", "a"), ("/commission/majors", "c"), ("/commission/majors/460101", "c"),
                      ("/commission/schools", "c"), ("/commission/districts/海淀区", "c")):
        html = client.get(path, headers=bearer(creds[who])).text
        assert not re.search(r"""(src|href|action)=["']?(https?:)?//""", html), path
        assert "<script src" not in html
        assert re.findall(r"<link[^>]*>", html) == ['<link rel="icon" href="data:,">']
