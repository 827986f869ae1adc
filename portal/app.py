"""The portal application: commission staff download the catalogs, each school sees its own majors.

``create_app(home)`` builds a FastAPI app serving the edition named by ``<home>/published/CURRENT``;
it never opens the DuckDB warehouse.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable
from pathlib import Path

from fastapi import FastAPI

from portal import actions, api, commission_pages, downloads, errors, objections, pages, precheck, whatif
from portal.bodies import MAX_BODY, BodyGuardMiddleware
from portal.editions import EditionStore
from portal.quotas import Quota
from portal.security import FailureLimiter, HeaderLimitMiddleware, SecurityHeadersMiddleware
from portal.sessions import AuthCache

DESCRIPTION = """北京市职业教育专业预警和退出机制门户。
学校令牌只能查看本校专业；教委令牌可查看全部学校并下载不公开的各校评分。
已发布的专业指导性目录、禁限目录等文件对所有登录用户开放下载。"""
ENV_SECURE = "MAJORWATCH_PORTAL_SECURE_COOKIES"   # 1/0: the cookie's Secure flag and HSTS
ENV_DEV = "MAJORWATCH_PORTAL_ENV"                 # "development": plain-HTTP local development
ENV_PROXIES = "MAJORWATCH_PORTAL_TRUSTED_PROXIES"  # comma-separated addresses or networks
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def secure_by_default(explicit: bool | None = None) -> bool:
    """Secure cookies (and HSTS) unless told otherwise: ``explicit``, else ``MAJORWATCH_PORTAL_SECURE_COOKIES``,
    else off only when ``MAJORWATCH_PORTAL_ENV=development`` (local work over plain HTTP)."""
    if explicit is not None:
        return explicit
    value = os.environ.get(ENV_SECURE, "").strip().lower()
    if value in TRUE or value in FALSE:
        return value in TRUE
    return os.environ.get(ENV_DEV, "").strip().lower() != "development"


def trusted_networks(proxies: Iterable[str] | None = None) -> tuple:
    """The proxies whose X-Forwarded-For is believed (``proxies``, else ``MAJORWATCH_PORTAL_TRUSTED_PROXIES``)."""
    if proxies is None:
        proxies = [p for p in os.environ.get(ENV_PROXIES, "").split(",") if p.strip()]
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies)


def create_app(home: Path, *, secure_cookies: bool | None = None, trusted_proxies: Iterable[str] | None = None,
               check_interval: float = 1.0, signin_limit: int = 10, signin_window: float = 60.0,
               max_header_bytes: int = 16_384, max_body_bytes: int = MAX_BODY,
               upload_quota: Quota | None = None) -> FastAPI:
    """Build the portal for one home folder.

    ``secure_cookies``: the cookie's Secure flag and HSTS (see :func:`secure_by_default`);
    ``trusted_proxies``: addresses or networks of reverse proxies whose X-Forwarded-For names the client
    (none by default: the peer address counts); ``check_interval``: how often (seconds) CURRENT is looked
    at; ``signin_limit`` failed attempts per token prefix and address per ``signin_window`` seconds;
    ``max_header_bytes``: larger request headers are refused with 431; ``max_body_bytes``: larger request
    bodies with 413, before they are read; ``upload_quota``: each school's objections and evidence per day
    (default :class:`portal.quotas.Quota`).
    """
    secure = secure_by_default(secure_cookies)
    home = Path(home)
    app = FastAPI(title="majorwatch 专业预警门户", description=DESCRIPTION, version="1.0",
                  openapi_url="/api/openapi.json", docs_url=None, redoc_url=None)
    app.state.home = home
    app.state.secure_cookies = secure
    app.state.trusted_proxies = trusted_networks(trusted_proxies)
    app.state.editions = EditionStore(home, check_interval=check_interval)
    app.state.auth = AuthCache(home, check_interval=check_interval)
    app.state.quota = upload_quota or Quota()
    app.state.limiter = FailureLimiter(limit=signin_limit, window=signin_window)
    # The busiest request (every school contact's page polls it) first, as a plain route of the app: the same
    # middleware, security headers and error handlers apply, without FastAPI's per-route machinery
    # (dependency solving, parameter models), which cost ~0.25 ms of CPU per request against ~0.03 ms for
    # everything else; the answer is the finished bytes kept on the edition's snapshot. api.router holds the
    # same endpoint as an APIRoute, which documents it in the OpenAPI text (this route matches first).
    app.add_route("/api/school", api.school, methods=["GET"], include_in_schema=False)
    app.include_router(api.router)  # most traffic first: routes are matched in order
    app.include_router(precheck.api)
    app.include_router(whatif.api)
    app.include_router(downloads.router)
    app.include_router(pages.router)
    app.include_router(commission_pages.router)
    app.include_router(actions.router)
    app.include_router(precheck.pages)
    app.include_router(whatif.pages)
    objections.install(app)  # 异议: review store, never the warehouse
    errors.install(app)
    app.add_middleware(BodyGuardMiddleware, max_bytes=max_body_bytes, secure=secure)
    app.add_middleware(SecurityHeadersMiddleware, secure=secure)
    app.add_middleware(HeaderLimitMiddleware, max_bytes=max_header_bytes, secure=secure)
    return app
