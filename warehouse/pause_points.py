"""Test-only pause points, so a fault test can kill a run exactly at a named stage (issue 14).

Killing a run "during publication" by polling files from outside is racy; instead the run itself says
where it is. ``pause_point("publication")`` does nothing unless BOTH environment variables are set:
``MAJORWATCH_TEST_PAUSE_AT`` naming that point and ``MAJORWATCH_TEST_PAUSE_FILE`` naming a marker file.
Then it writes the marker (the process id and the point) and sleeps, so the test can send SIGKILL or
SIGINT there. The variables are read when the point is reached, never at import; nothing in majorwatch
sets them. After ``MAX_PAUSE`` seconds the run goes on, so a forgotten variable cannot hang a run for good.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE_AT = "MAJORWATCH_TEST_PAUSE_AT"
PAUSE_FILE = "MAJORWATCH_TEST_PAUSE_FILE"
POINTS = frozenset({"ingest", "models", "scoring", "publication"})
MAX_PAUSE = 300.0


def pause_point(name: str) -> None:
    """Pause here when a test asked for this point (see the module docstring); otherwise return at once."""
    if name not in POINTS:
        raise ValueError(f"unknown pause point {name!r}")
    marker = os.environ.get(PAUSE_FILE)
    if os.environ.get(PAUSE_AT) != name or not marker:
        return
    Path(marker).write_text(f"{os.getpid()} {name}\n", encoding="utf-8")
    deadline = time.monotonic() + MAX_PAUSE
    while time.monotonic() < deadline:
        time.sleep(0.1)
