"""Hardening shared by every response: security headers, a sign-in rate limit, Chinese error pages.

Inline CSS and JS are allowed by their SHA-256 hashes (no 'unsafe-inline', no external source), so
identical requests get byte-identical bodies (the 404 for another school's data equals the 404 for
an unknown one).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import threading
import time
from collections import deque
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.charts import palette_css

log = logging.getLogger("majorwatch.portal")

ASSETS = Path(__file__).parent / "templates"
INLINE_CSS = (ASSETS / "portal.css").read_text(encoding="utf-8") + palette_css()
INLINE_JS = (ASSETS / "portal.js").read_text(encoding="utf-8")

MESSAGES = {
    400: "请求有误。",
    401: "请先登录：需要有效的访问令牌。",
    403: "无权访问：此内容不在您的权限范围内。",
    404: "未找到：请求的内容不存在。",
    405: "不支持此请求方式。",
    413: "提交的内容过大，未保存；请压缩证明材料后重试。",
    422: "请求参数不合法。",
    429: "登录尝试过于频繁，请一分钟后再试。",
    431: "请求头过大，请清除本站的 Cookie 后重试。",
    500: "服务器内部错误，请稍后再试。",
    503: "尚无已发布的目录版本，请稍后再试。",
}
BUSY = "系统正忙（评审数据库暂时被占用），请稍后重试。"


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def security_headers(secure: bool) -> list[tuple[str, str]]:
    """The headers every response carries (HSTS only when the portal is served over HTTPS)."""
    csp = ("default-src 'none'; "
           f"script-src {_csp_hash(INLINE_JS)}; style-src {_csp_hash(INLINE_CSS)}; "
           "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
           "frame-ancestors 'none'; base-uri 'none'")
    headers = [
        ("Content-Security-Policy", csp),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        # same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" with every form post,
        # and null is refused (login CSRF comes from sandboxed frames with exactly that origin); other sites
        # still get no referrer at all
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        ("Cache-Control", "no-store"),
    ]
    if secure:
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    return headers


class SecurityHeadersMiddleware:
    """Pure ASGI middleware adding :func:`security_headers` to every HTTP response."""

    def __init__(self, app: ASGIApp, secure: bool = False) -> None:
        self.app = app
        self.headers = security_headers(secure)
        self.raw = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in self.headers]
        self.names = {n for n, _ in self.raw}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(n, v) for n, v in message.get("headers", []) if n.lower() not in self.names]
                message["headers"] = kept + self.raw
            await send(message)

        await self.app(scope, receive, send_with_headers)


class FailureLimiter:
    """Failed sign-ins in a sliding window, counted per (token prefix, client address) and per address.

    Only failures count: a valid token is never held back by someone else's mistakes from the same
    address, and a user who mistyped once signs in on the next try. Guessing is still bounded: ``limit``
    failures with one token prefix from one address, ``address_limit`` failures in all from one address.
    """

    PREFIX = 8

    def __init__(self, limit: int = 10, window: float = 60.0, address_limit: int | None = None) -> None:
        self.limit, self.window = limit, window
        self.address_limit = address_limit if address_limit is not None else 5 * limit
        self._fails: dict[tuple[str, ...], deque[float]] = {}
        self._lock = threading.Lock()

    def _keys(self, token: str, address: str) -> tuple[tuple[str, str], tuple[str]]:
        return (token[: self.PREFIX], address), (address,)

    def _recent(self, key: tuple[str, ...], now: float) -> deque[float]:
        hits = self._fails.get(key)
        if hits is None:
            return deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def blocked(self, token: str, address: str) -> bool:
        """True when this token prefix or this address has used up its failures in the window."""
        if not self._fails:  # the common case: nobody failed lately (checked without taking the lock)
            return False
        now = time.monotonic()
        pair, whole = self._keys(token, address)
        with self._lock:
            return len(self._recent(pair, now)) >= self.limit or len(self._recent(whole, now)) >= self.address_limit

    def fail(self, token: str, address: str) -> None:
        """Record one failed attempt (an unknown, revoked or malformed token)."""
        now = time.monotonic()
        with self._lock:
            if len(self._fails) > 10_000:
                self._purge(now)
            for key in self._keys(token, address):
                self._fails.setdefault(key, deque()).append(now)

    def _purge(self, now: float) -> None:
        stale = [k for k, v in self._fails.items() if not v or v[-1] <= now - self.window]
        for key in stale:
            del self._fails[key]


class HeaderLimitMiddleware:
    """Refuse a request whose headers exceed ``max_bytes`` in all with 431 and a plain Chinese sentence
    (JSON under /api and /downloads, a short page elsewhere), before any other work is done."""

    def __init__(self, app: ASGIApp, max_bytes: int = 16_384, secure: bool = False) -> None:
        self.app, self.max_bytes = app, max_bytes
        self.raw = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in security_headers(secure)]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and sum(len(n) + len(v) + 4 for n, v in scope["headers"]) > self.max_bytes:
            await plain_error(send, scope["path"], 431, MESSAGES[431], "请求头过大", self.raw)
            return
        await self.app(scope, receive, send)


async def plain_error(send: Send, path: str, status: int, message: str, title: str,
                      extra: list[tuple[bytes, bytes]] = ()) -> None:
    """Answer from a middleware, before any route ran: ``{"detail": message}`` under /api and /downloads,
    a short Chinese page (with a link to sign in) elsewhere."""
    if wants_json(path):
        body, kind = json.dumps({"detail": message}, ensure_ascii=False).encode(), b"application/json"
    else:
        body = (f'<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><title>{title}</title>'
                f'<p>{message}</p><p><a href="/signin">登录</a></p></html>').encode()
        kind = b"text/html; charset=utf-8"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def wants_json(path: str) -> bool:
    """Errors under /api and /downloads are JSON (``{"detail": ...}``), as the OpenAPI text documents."""
    return path == "/api" or path.startswith(("/api/", "/downloads/"))
