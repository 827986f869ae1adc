"""Who is asking, decided only from the token (Bearer header) or the session it signed in (cookie).

A school's identity comes from its token, never from the path, a query parameter or a header; the
dependencies below are the only place a request gets a principal.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import HTTPBearer

from portal.editions import Snapshot
from portal.security import MESSAGES
from portal.tokens import Principal

COOKIE_NAME = "mw_session"  # a session id (portal.sessions), never the token
bearer_scheme = HTTPBearer(auto_error=False, description="学校或教委的访问令牌：Authorization: Bearer <令牌>")


def _trusted(address: str, proxies: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_ip(request: Request) -> str:
    """The client's address: the peer's, or — when the peer is a configured trusted proxy — the
    right-most X-Forwarded-For entry that is not itself a trusted proxy (anything further left could
    have been written by the client). Headers from any other peer are ignored."""
    peer = request.client.host if request.client else "unknown"
    proxies = request.app.state.trusted_proxies
    if not proxies or not _trusted(peer, proxies):
        return peer
    chain = [a.strip() for h in request.headers.getlist("x-forwarded-for") for a in h.split(",") if a.strip()]
    for address in reversed(chain):
        if not _trusted(address, proxies):
            return address
    return peer


def _checked(request: Request, secret: str, cookie: bool) -> Principal | None:
    """Verify a presented token (or session id, ``cookie``) under the failure limit.

    A valid credential always answers, whatever happened before from its address: only a failure is
    limited (429 once this prefix or this address has failed too often lately) and recorded."""
    auth, limiter = request.app.state.auth, request.app.state.limiter
    principal = auth.session(secret, lookup=False) if cookie else auth.token(secret)
    if principal is not None:
        return principal
    address = client_ip(request)
    if limiter.blocked(secret, address):
        raise HTTPException(429, MESSAGES[429])
    if cookie:  # a session started by another portal process: asked of the store once
        principal = auth.session(secret, lookup=True)
    if principal is None:
        limiter.fail(secret, address)
    return principal


def check_token(request: Request, token: str) -> Principal | None:
    """The principal of a presented token (see :func:`_checked`): None for a bad one."""
    return _checked(request, token, cookie=False)


def presented(request: Request) -> tuple[str, bool] | None:
    """What a request carries: (the Bearer token, False) first, else (the session cookie, True)."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), False
    sid = request.cookies.get(COOKIE_NAME)
    return (sid, True) if sid else None


def resolve_principal(request: Request) -> Principal | None:
    """The principal of a valid token or session, None without either; a bad one counts as a failed sign-in."""
    found = presented(request)
    if found is None:
        return None
    principal = _checked(request, *found)
    request.state.principal = principal
    return principal


def _signed_in(request: Request) -> Principal:
    principal = resolve_principal(request)
    if principal is None:
        raise HTTPException(401, MESSAGES[401], headers={"WWW-Authenticate": "Bearer"})
    return principal


# Each role check is one dependency (FastAPI's per-dependency cost is most of a request's time); the
# Security(...) parameter only documents the Bearer scheme in the OpenAPI text.
async def current_principal(request: Request, _: object = Security(bearer_scheme)) -> Principal | None:
    return resolve_principal(request)


async def require_user(request: Request, _: object = Security(bearer_scheme)) -> Principal:
    return _signed_in(request)


def school_principal(request: Request) -> Principal:
    """The signed-in school (401 without a valid token, 403 for a commission token)."""
    principal = _signed_in(request)
    if principal.role != "school" or not principal.school_code:
        raise HTTPException(403, "无权访问：此页面仅供学校账户使用。")
    return principal


async def require_school(request: Request, _: object = Security(bearer_scheme)) -> Principal:
    return school_principal(request)


async def require_commission(request: Request, _: object = Security(bearer_scheme)) -> Principal:
    principal = _signed_in(request)
    if principal.role != "commission":
        raise HTTPException(403, "无权访问：此页面仅供教委工作人员使用。")
    return principal


AnyUser = Annotated[Principal | None, Depends(current_principal)]
User = Annotated[Principal, Depends(require_user)]
SchoolUser = Annotated[Principal, Depends(require_school)]
CommissionUser = Annotated[Principal, Depends(require_commission)]


def snapshot_of(request: Request) -> Snapshot:
    """The edition in force (503 when nothing has been published yet); call after the role check."""
    snap = request.app.state.editions.snapshot()
    if snap is None:
        raise HTTPException(503, MESSAGES[503])
    return snap


def not_found() -> HTTPException:
    """The one 404 for anything outside the caller's scope or nonexistent (identical bodies)."""
    return HTTPException(404, MESSAGES[404])
