"""The portal application: commission staff download the catalogs, each school sees its own majors.

``create_app(home)`` builds a FastAPI app serving the edition named by ``<home>/published/CURRENT``;
it never opens the DuckDB warehouse.
"""

from __future__ import annotations

import os
from pathlib import Path

from portal import api, downloads, errors, objections, pages
from portal.editions import EditionStore
from portal.fastpath import PortalApp
from portal.security import RateLimiter, SecurityHeadersMiddleware
from portal.tokens import TokenCache

DESCRIPTION = """北京市职业教育专业预警和退出机制门户。
学校令牌只能查看本校专业；教委令牌可查看全部学校并下载不公开的各校评分。
已发布的专业指导性目录、禁限目录等文件对所有登录用户开放下载。"""


def create_app(home: Path, *, secure_cookies: bool | None = None, check_interval: float = 1.0,
               signin_limit: int = 10, signin_window: float = 60.0) -> PortalApp:
    """Build the portal for one home folder.

    ``secure_cookies`` sets the cookie's Secure flag and HSTS (default: env
    ``MAJORWATCH_PORTAL_SECURE_COOKIES=1``); ``check_interval`` is how often (seconds) CURRENT is
    looked at; ``signin_limit`` attempts per ``signin_window`` seconds per client address.
    """
    if secure_cookies is None:
        secure_cookies = os.environ.get("MAJORWATCH_PORTAL_SECURE_COOKIES", "") in ("1", "true", "yes")
    home = Path(home)
    app = PortalApp(title="majorwatch 专业预警门户", description=DESCRIPTION, version="1.0",
                    openapi_url="/api/openapi.json", docs_url=None, redoc_url=None)
    app.state.home = home
    app.state.secure_cookies = secure_cookies
    app.state.editions = EditionStore(home, check_interval=check_interval)
    app.state.tokens = TokenCache(home)
    app.state.limiter = RateLimiter(limit=signin_limit, window=signin_window)
    app.include_router(api.router)  # most traffic first: routes are matched in order
    app.include_router(downloads.router)
    app.include_router(pages.router)
    objections.install(app)  # 异议: review store, never the warehouse
    errors.install(app)
    app.add_middleware(SecurityHeadersMiddleware, secure=secure_cookies)
    app.enable_fast_path(secure_cookies)  # a school's own page JSON, answered before FastAPI's routing
    return app
