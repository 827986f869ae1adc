"""Request bodies are judged before they are read: who sends them, then how large they are.

A request that carries a body (POST and the like) is refused with 401 before a byte of it is read unless
it presents a valid token or session (sign-in and sign-out excepted), and with 413 when its
Content-Length is over the limit. A body sent without a length is counted as it streams and refused
with 413 as soon as it passes the limit, so nothing larger than the limit is ever parsed or spooled to
temporary files.
"""

from __future__ import annotations

from fastapi import HTTPException, Request
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.auth import resolve_principal
from portal.security import MESSAGES, plain_error, security_headers
from review.evidence import MAX_BYTES as EVIDENCE_BYTES

MAX_BODY = EVIDENCE_BYTES + 1024 * 1024  # one evidence file, the form's text fields and multipart framing
OPEN = frozenset({"/signin", "/signout"})  # posted without being signed in (small forms)
NO_BODY = frozenset({"GET", "HEAD", "OPTIONS"})


class BodyTooLarge(Exception):
    """The streamed body passed the limit (raised from ``receive``; the middleware answers 413)."""


def too_large(limit: int) -> str:
    return f"{MESSAGES[413]}（每次提交上限 {limit / 1048576:.0f} MB）"


class BodyGuardMiddleware:
    """Authenticate, then limit, every request body before the application reads it."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY, secure: bool = False) -> None:
        self.app, self.max_bytes = app, max_bytes
        self.raw = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in security_headers(secure)]

    async def _refuse(self, send: Send, scope: Scope, status: int, message: str, title: str) -> None:
        extra = [(b"www-authenticate", b"Bearer")] if status == 401 else []
        await plain_error(send, scope["path"], status, message, title, [*extra, (b"connection", b"close"), *self.raw])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in NO_BODY:
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.strip().isdigit() or int(length) > self.max_bytes):
            status = 413 if length.strip().isdigit() else 400
            await self._refuse(send, scope, status, too_large(self.max_bytes) if status == 413 else MESSAGES[400],
                               "提交内容过大" if status == 413 else "请求有误")
            return
        if scope["path"] not in OPEN:
            try:
                principal = resolve_principal(Request(scope))
            except HTTPException as exc:  # 429: this address has failed too often
                await self._refuse(send, scope, exc.status_code, str(exc.detail), "请稍后再试")
                return
            if principal is None:
                await self._refuse(send, scope, 401, MESSAGES[401], "请先登录")
                return
        await self._counted(scope, receive, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        received, over, started = 0, False, False

        async def limited() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    over = True
                    raise BodyTooLarge
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if over:  # whatever the application made of the broken body, the answer is 413
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, guarded)
        except Exception:
            if not over:
                raise
        if over and not started:
            await self._refuse(send, scope, 413, too_large(self.max_bytes), "提交内容过大")
