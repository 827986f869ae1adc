"""Hardening shared by every response: security headers, a sign-in rate limit, Chinese error pages.

Inline CSS and JS are allowed by their SHA-256 hashes (no 'unsafe-inline', no external source), so
identical requests get byte-identical bodies (the 404 for another school's data equals the 404 for
an unknown one).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
import time
from collections import deque
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("majorwatch.portal")

ASSETS = Path(__file__).parent / "templates"
INLINE_CSS = (ASSETS / "portal.css").read_text(encoding="utf-8")
INLINE_JS = (ASSETS / "portal.js").read_text(encoding="utf-8")

MESSAGES = {
    400: "请求有误。",
    401: "请先登录：需要有效的访问令牌。",
    403: "无权访问：此内容不在您的权限范围内。",
    404: "未找到：请求的内容不存在。",
    405: "不支持此请求方式。",
    422: "请求参数不合法。",
    429: "登录尝试过于频繁，请一分钟后再试。",
    500: "服务器内部错误，请稍后再试。",
    503: "尚无已发布的目录版本，请稍后再试。",
}


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
        ("Referrer-Policy", "no-referrer"),
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


class RateLimiter:
    """Sliding-window limit per client address (sign-in attempts and rejected tokens)."""

    def __init__(self, limit: int = 10, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> bool:
        """Record one attempt; False when the client already used up its attempts in the window."""
        now = time.monotonic()
        with self._lock:
            if len(self._hits) > 10_000:
                self._purge(now)
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def _purge(self, now: float) -> None:
        stale = [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]
        for key in stale:
            del self._hits[key]
