"""The lean path for the portal's busiest request: a school fetching its own page's JSON (/api/school).

Each school contact's browser polls ``GET /api/school``; the answer depends only on the edition in force
and the school named by the token, and the full app already keeps it as finished bytes on the edition's
snapshot. Routing that request through FastAPI (route matching, dependency solving, query validation,
several middleware layers) cost ~0.4 ms of CPU for a few microseconds of work, so :class:`PortalApp`
answers it before FastAPI when — and only when — everything is ordinary:

* the Bearer token (a single Authorization header) is known and not revoked, and belongs to a school;
* the query is empty or only ``limit``/``offset`` as plain numbers within their bounds;
* an edition is in service and this school's page is already cached on its snapshot.

Anything else — no token, a cookie, a bad or revoked token (which the full app counts against the rate
limit), a commission token, another parameter, a first request after an edition switch — goes to the
full app unchanged, so every error, limit and header stays decided in one place. The fast answer carries
the same headers as the full app's (content length and type, then :func:`security_headers`).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from portal.security import security_headers

log = logging.getLogger("majorwatch.portal")

SCHOOL_PATH = "/api/school"
DEFAULT_LIMIT, MAX_LIMIT, DEFAULT_OFFSET, MAX_OFFSET = 50, 200, 0, 1_000_000
_BOUNDS = {b"limit": (1, MAX_LIMIT), b"offset": (0, MAX_OFFSET)}


def school_json_key(school_code: str, limit: int, offset: int) -> tuple:
    """Where a school page's finished JSON bytes are kept on the snapshot (shared with :mod:`portal.api`)."""
    return ("school-json", school_code, limit, offset)


def bearer_token(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The token of the one ``Authorization: Bearer`` header; None when absent, repeated or another scheme
    (those cases are left to the full app, which also looks at the sign-in cookie)."""
    found = None
    for name, value in headers:
        if name == b"authorization":
            if found is not None:
                return None
            found = value
    if found is None:
        return None
    scheme, _, token = found.decode("latin-1").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def page_of(query: bytes) -> tuple[int, int] | None:
    """``(limit, offset)`` of a plain query (``limit=N&offset=M``, each at most once); None otherwise."""
    values = {b"limit": DEFAULT_LIMIT, b"offset": DEFAULT_OFFSET}
    if query:
        seen = set()
        for part in query.split(b"&"):
            name, sep, raw = part.partition(b"=")
            if not sep or name not in _BOUNDS or name in seen or not raw.isdigit() or len(raw) > 7:
                return None
            low, high = _BOUNDS[name]
            number = int(raw)
            if not low <= number <= high:
                return None
            seen.add(name)
            values[name] = number
    return values[b"limit"], values[b"offset"]


class PortalApp(FastAPI):
    """The portal's FastAPI app, answering an ordinary ``GET /api/school`` from memory (see module doc)."""

    fast_headers: list[tuple[bytes, bytes]] | None = None  # None: off, every request goes to FastAPI

    def enable_fast_path(self, secure: bool) -> None:
        """Turn the fast path on with the headers every fast answer carries (the full app's security
        headers); until then nothing is answered without them."""
        self.fast_headers = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in security_headers(secure)]

    def cached_school_json(self, scope: Scope) -> bytes | None:
        """The finished answer for this request, or None to let the full app handle it."""
        page = page_of(scope.get("query_string", b""))
        if page is None:
            return None
        token = bearer_token(scope["headers"])
        if token is None:
            return None
        state = self.state
        principal = state.tokens.verify(token)
        if principal is None or principal.role != "school" or not principal.school_code:
            return None
        snap = state.editions.snapshot()
        if snap is None:
            return None
        return snap.cache.get(school_json_key(principal.school_code, *page))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        fast_headers = self.fast_headers
        if fast_headers is not None and scope["type"] == "http" and scope["path"] == SCHOOL_PATH \
                and scope["method"] == "GET":
            try:
                body = self.cached_school_json(scope)
            except Exception:  # never fail here: the full app answers (and logs) properly
                log.exception("fast path failed on %s; handing the request to the full app", SCHOOL_PATH)
                body = None
            if body is not None:
                headers = [(b"content-length", str(len(body)).encode("latin-1")),
                           (b"content-type", b"application/json"), *fast_headers]
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await super().__call__(scope, receive, send)
