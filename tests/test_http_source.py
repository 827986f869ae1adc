"""fetch() against a real local HTTP server: ETag/304, retries on 503/429, no retry on 404."""

from __future__ import annotations

import hashlib
import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from inbox.http_source import STATE_FILE, FetchError, fetch

BODY = "专业代码,专业名称\n610101,种子生产技术\n".encode("gb18030")  # bytes must arrive unchanged
ETAG = '"v1-abc"'
MODIFIED = "Wed, 21 Oct 2026 07:28:00 GMT"


class Handler(BaseHTTPRequestHandler):
    hits: Counter = Counter()
    seen_headers: dict = {}

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 (http.server's naming)
        Handler.hits[self.path] += 1
        Handler.seen_headers[self.path] = dict(self.headers)
        n = Handler.hits[self.path]
        if self.path == "/data.csv":
            if self.headers.get("If-None-Match") == ETAG:
                return self._send(304, headers={"ETag": ETAG})
            return self._send(200, BODY, {"ETag": ETAG, "Last-Modified": MODIFIED})
        if self.path == "/flaky.csv":
            return self._send(503, b"busy") if n <= 2 else self._send(200, BODY)
        if self.path == "/limited.csv":
            return self._send(429, headers={"Retry-After": "0"}) if n == 1 else self._send(200, BODY)
        if self.path == "/down.csv":
            return self._send(503, b"down")
        if self.path == "/error-once.csv":
            return self._send(500, b"oops") if n == 1 else self._send(200, BODY)
        if self.path == "/truncated.csv":
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY) + 100))
            self.end_headers()
            self.wfile.write(BODY)
            self.wfile.flush()
            self.close_connection = True
            return None
        if self.path == "/same-etag.csv":  # a server that changes the file but not its ETag
            return self._send(200, BODY + f"{n}\n".encode(), {"ETag": ETAG})
        if self.path == "/slow.csv":
            import time

            time.sleep(1.5)
            return self._send(200, BODY)
        if self.path == "/elsewhere.csv":
            port = self.server.server_address[1]
            return self._send(302, headers={"Location": f"http://localhost:{port}/data.csv"})
        return self._send(404, b"not here")


@pytest.fixture()
def server():
    Handler.hits = Counter()
    Handler.seen_headers = {}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def test_download_then_304_returns_the_stored_bytes(server, tmp_path):
    first = fetch(f"{server}/data.csv", tmp_path, backoff=0.01)
    assert (first.status, first.not_modified, first.attempts) == (200, False, 1)
    assert first.sha256 == hashlib.sha256(BODY).hexdigest() and first.bytes == len(BODY)
    assert first.path.read_bytes() == BODY and first.path.name == f"{first.sha256[:16]}-data.csv"
    assert (first.etag, first.last_modified) == (ETAG, MODIFIED)
    assert (tmp_path / STATE_FILE).is_file()

    second = fetch(f"{server}/data.csv", tmp_path, backoff=0.01)
    assert Handler.seen_headers["/data.csv"]["If-None-Match"] == ETAG
    assert Handler.seen_headers["/data.csv"]["If-Modified-Since"] == MODIFIED
    assert (second.status, second.not_modified, second.attempts) == (304, True, 1)
    assert second.path == first.path and second.sha256 == first.sha256
    assert Handler.hits["/data.csv"] == 2


def test_a_lost_local_copy_is_downloaded_again(server, tmp_path):
    first = fetch(f"{server}/data.csv", tmp_path)
    first.path.unlink()
    again = fetch(f"{server}/data.csv", tmp_path)
    assert "If-None-Match" not in Handler.seen_headers["/data.csv"]
    assert again.status == 200 and again.path.read_bytes() == BODY


def test_503_twice_then_success_is_retried(server, tmp_path):
    result = fetch(f"{server}/flaky.csv", tmp_path, retries=3, backoff=0.01)
    assert result.attempts == 3 and result.status == 200
    assert result.sha256 == hashlib.sha256(BODY).hexdigest()
    assert Handler.hits["/flaky.csv"] == 3


def test_429_is_retried(server, tmp_path):
    assert fetch(f"{server}/limited.csv", tmp_path, backoff=0.01).attempts == 2


def test_404_is_not_retried(server, tmp_path):
    with pytest.raises(FetchError) as info:
        fetch(f"{server}/missing.csv", tmp_path, retries=3, backoff=0.01)
    assert info.value.attempts == 1 and info.value.status == 404
    assert Handler.hits["/missing.csv"] == 1
    assert f"{server}/missing.csv" in str(info.value) and "1 次" in str(info.value)


def test_retries_are_bounded_and_the_error_names_url_and_attempts(server, tmp_path):
    with pytest.raises(FetchError) as info:
        fetch(f"{server}/down.csv", tmp_path, retries=2, backoff=0.01)
    assert info.value.attempts == 3 and Handler.hits["/down.csv"] == 3
    assert f"{server}/down.csv" in str(info.value) and "3 次" in str(info.value) and "503" in str(info.value)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".incoming-")]


def test_connection_errors_are_retried(tmp_path):
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FetchError) as info:
        fetch(f"http://127.0.0.1:{port}/x.csv", tmp_path, retries=1, backoff=0.01, timeout=(1, 1))
    assert info.value.attempts == 2 and "ConnectionError" in str(info.value)


def test_a_given_session_is_used_and_left_open(server, tmp_path):
    with requests.Session() as session:
        session.headers["X-Test"] = "1"
        fetch(f"{server}/data.csv", tmp_path, session=session)
        assert Handler.seen_headers["/data.csv"]["X-Test"] == "1"
        fetch(f"{server}/data.csv", tmp_path, session=session)  # still usable


def test_500_then_200_is_retried_and_the_attempts_counted(server, tmp_path):
    result = fetch(f"{server}/error-once.csv", tmp_path, backoff=0.01)
    assert result.attempts == 2 and result.path.read_bytes() == BODY


def test_a_truncated_body_is_refused_and_nothing_is_stored(server, tmp_path):
    with pytest.raises(FetchError, match="不完整|连接中断"):
        fetch(f"{server}/truncated.csv", tmp_path, retries=0)
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] == []


def test_a_timeout_gives_up_with_the_url_and_attempts(server, tmp_path):
    with pytest.raises(FetchError) as caught:
        fetch(f"{server}/slow.csv", tmp_path, retries=1, backoff=0.01, timeout=(1, 0.3))
    assert caught.value.attempts == 2 and "slow.csv" in str(caught.value)


def test_other_bytes_under_the_same_etag_are_kept_and_flagged(server, tmp_path):
    first = fetch(f"{server}/same-etag.csv", tmp_path)
    second = fetch(f"{server}/same-etag.csv", tmp_path)
    assert not first.changed_under_same_etag and second.changed_under_same_etag
    assert first.sha256 != second.sha256 and second.path.read_bytes().endswith(b"2\n")


def test_a_redirect_to_another_host_is_refused(server, tmp_path):
    with pytest.raises(FetchError, match="重定向到其他主机"):
        fetch(f"{server}/elsewhere.csv", tmp_path)
