"""`majorwatch portal`: run the portal with uvicorn on one home folder."""

from __future__ import annotations

import logging
from pathlib import Path

import uvicorn

from portal.app import create_app


def serve(home: Path, host: str = "127.0.0.1", port: int = 8080, *, secure_cookies: bool | None = None,
          log_level: str = "info") -> None:
    """Serve the portal until interrupted (binds to loopback unless told otherwise)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(Path(home), secure_cookies=secure_cookies)
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False,
                proxy_headers=False, access_log=log_level == "debug")
