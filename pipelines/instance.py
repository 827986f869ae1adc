"""Point Dagster and majorwatch at one home folder before any definitions load."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from warehouse.home import Home

DAGSTER_YAML = """\
# Written by majorwatch. DuckDB allows one writer: every writer asset is in the pool duckdb_writer.
# One run at a time per home (two runs would mix their inboxes in one warehouse).
telemetry:
  enabled: false
# no "join the community" sign-up dialog over the UI the first time the data team opens it
nux:
  enabled: false
concurrency:
  pools:
    default_limit: 1
  runs:
    max_concurrent_runs: 1
# Dagster's SQLite event log in its usual files, with its connections kept open (pipelines/event_log.py)
event_log_storage:
  module: pipelines.event_log
  class: KeptEngineSqliteEventLogStorage
  config:
    base_dir: {runs}
"""
_BASE_DIR = re.compile(r"^(    base_dir: ).*$", re.MULTILINE)


def prepare_home(home_dir: str | os.PathLike | None, inbox: str | os.PathLike | None = None) -> Home:
    """Create the home folder, write dagster.yaml once (only its event-log folder follows a moved home), and
    export the paths the resources read."""
    home = Home.from_env(home_dir).ensure()
    config = home.dagster_home / "dagster.yaml"
    runs = json.dumps(str(home.dagster_home / "history" / "runs"))  # a YAML-safe quoted path
    if not config.exists():
        config.write_text(DAGSTER_YAML.format(runs=runs), encoding="utf-8")
    else:  # a moved home: the event log follows it (the rest of the file is the data team's)
        text = config.read_text(encoding="utf-8")
        if "module: pipelines.event_log" in text and _BASE_DIR.search(text).group(0) != f"    base_dir: {runs}":
            config.write_text(_BASE_DIR.sub(lambda m: m.group(1) + runs, text, count=1), encoding="utf-8")
    os.environ["MAJORWATCH_HOME"] = str(home.root)
    os.environ["DAGSTER_HOME"] = str(home.dagster_home)
    os.environ["MAJORWATCH_INBOX"] = str(Path(inbox).expanduser().resolve() if inbox else home.inbox)
    return home
