"""Point Dagster and majorwatch at one home folder before any definitions load."""

from __future__ import annotations

import os
from pathlib import Path

from warehouse.home import Home

DAGSTER_YAML = """\
# Written by majorwatch. DuckDB allows one writer: every writer asset is in the pool duckdb_writer.
# One run at a time per home (two runs would mix their inboxes in one warehouse).
telemetry:
  enabled: false
# Dagster's SQLite event log in the same files, keeping one engine per file (pipelines/event_log.py)
event_log_storage:
  module: pipelines.event_log
  class: KeptEngineSqliteEventLogStorage
concurrency:
  pools:
    default_limit: 1
  runs:
    max_concurrent_runs: 1
"""


def prepare_home(home_dir: str | os.PathLike | None, inbox: str | os.PathLike | None = None) -> Home:
    """Create the home folder, write dagster.yaml once, and export the paths the resources read."""
    home = Home.from_env(home_dir).ensure()
    config = home.dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    os.environ["MAJORWATCH_HOME"] = str(home.root)
    os.environ["DAGSTER_HOME"] = str(home.dagster_home)
    os.environ["MAJORWATCH_INBOX"] = str(Path(inbox).expanduser().resolve() if inbox else home.inbox)
    return home
