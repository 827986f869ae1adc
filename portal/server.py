"""`majorwatch portal`: run the portal with uvicorn on one home folder.

uvicorn is told to use its fastest parts — the httptools HTTP parser and the uvloop event loop — when
they are installed (they are dependencies of ``uvicorn[standard]``); without them it falls back to its
pure-Python parser and asyncio's loop, and says so in the log.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

import uvicorn

from portal.app import create_app

log = logging.getLogger("majorwatch.portal")


def fast_runtime() -> tuple[str, str]:
    """uvicorn's ``(http, loop)`` settings: httptools and uvloop when importable, else its defaults."""
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return http, loop


def serve(home: Path, host: str = "127.0.0.1", port: int = 8080, *, secure_cookies: bool | None = None,
          trusted_proxies: list[str] | None = None,
          log_level: str = "info", access_log: bool | None = None) -> None:
    """Serve the portal until interrupted (binds to loopback unless told otherwise).

    ``access_log`` writes one log line per request (default: only at ``log_level="debug"``); it costs
    CPU on every request, so load tests and busy deployments leave it off. ``secure_cookies`` and
    ``trusted_proxies`` default to the environment (see :func:`portal.app.create_app`): behind a reverse
    proxy, name it in ``MAJORWATCH_PORTAL_TRUSTED_PROXIES`` so sign-in limits apply per real client;
    for plain-HTTP local work set ``MAJORWATCH_PORTAL_ENV=development``.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(Path(home), secure_cookies=secure_cookies, trusted_proxies=trusted_proxies)
    http, loop = fast_runtime()
    if (http, loop) != ("httptools", "uvloop"):
        log.warning("httptools or uvloop missing: serving with http=%s loop=%s (slower)", http, loop)
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False, proxy_headers=False,
                access_log=log_level == "debug" if access_log is None else access_log, http=http, loop=loop)
