"""Point Dagster and majorwatch at one home folder before any definitions load.

The Dagster instance's storage (runs, event log, schedules) is Dagster's own SQLite under
``<home>/dagster/`` by default, or PostgreSQL through ``dagster-postgres`` when ``MAJORWATCH_DAGSTER_PG_URL``
is set (``postgresql+psycopg2://user:password@host:5432/dagster``: dagster-postgres speaks psycopg2, and
SQLAlchemy 2.1 reads a bare ``postgresql://`` as psycopg 3, on which Dagster's NOTIFY fails). dagster.yaml names the variable, never its value,
so the password stays in the environment (deploy/majorwatch.env). Public configuration only: no Dagster class
of ours is named in dagster.yaml.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from warehouse.home import Home

PG_URL_ENV = "MAJORWATCH_DAGSTER_PG_URL"
PG_SCHEME = "postgresql+psycopg2://"

RUN_MONITORING = """\
# Dagster's run monitoring (in the daemon that `dg dev` and the deployment run): a run stuck starting or
# cancelling is failed, and the DuckDB writer slot of a run that ended is freed. A `majorwatch run` whose
# process was killed is failed by the next run instead (pipelines/home_lock.py: the default run launcher
# cannot tell whether a started run's process is alive, and the command runs without the daemon).
run_monitoring:
  enabled: true
  start_timeout_seconds: 180
  cancel_timeout_seconds: 180
  poll_interval_seconds: 60
  free_slots_after_run_end_seconds: 60
"""
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
""" + RUN_MONITORING

_BEGIN = "# majorwatch storage: PostgreSQL (MAJORWATCH_DAGSTER_PG_URL); written and removed by pipelines/instance.py\n"
_END = "# end of majorwatch storage\n"
PG_STORAGE = f"""{_BEGIN}storage:
  postgres:
    postgres_url:
      env: {PG_URL_ENV}
{_END}"""
_MANAGED = re.compile(re.escape(_BEGIN) + r".*?" + re.escape(_END), re.DOTALL)
# what releases before this one wrote: the event log through a subclass of Dagster's private SQLite storage
_LEGACY_EVENT_LOG = re.compile(r"^# Dagster's SQLite event log in its usual files.*\n"
                               r"event_log_storage:\n(?:  .*\n)+", re.MULTILINE)


def instance_yaml(text: str | None) -> str:
    """dagster.yaml as it should be: `text` (the data team's file, or None for a new one) without what older
    releases wrote, with run monitoring unless the file configures it already, and with the PostgreSQL storage
    block exactly when MAJORWATCH_DAGSTER_PG_URL is set."""
    text = DAGSTER_YAML if text is None else _LEGACY_EVENT_LOG.sub("", text)
    if not re.search(r"^run_monitoring:", text, re.MULTILINE):  # a home from before run monitoring was written
        text = text.rstrip("\n") + "\n" + RUN_MONITORING
    text = _MANAGED.sub("", text)
    url = os.environ.get(PG_URL_ENV)
    if url:
        if not url.startswith(PG_SCHEME):
            raise ValueError(f"{PG_URL_ENV} 须以 {PG_SCHEME} 开头（Dagster 的 PostgreSQL 存储使用 psycopg2 驱动），"
                             f"例如 {PG_SCHEME}用户:密码@主机:5432/dagster")
        text = text.rstrip("\n") + "\n" + PG_STORAGE
    return text


def prepare_home(home_dir: str | os.PathLike | None, inbox: str | os.PathLike | None = None) -> Home:
    """Create the home folder, write dagster.yaml (kept as the data team leaves it, apart from the storage
    block, which follows MAJORWATCH_DAGSTER_PG_URL) and export the paths the resources read."""
    home = Home.from_env(home_dir).ensure()
    config = home.dagster_home / "dagster.yaml"
    old = config.read_text(encoding="utf-8") if config.exists() else None
    new = instance_yaml(old)
    if new != old:
        config.write_text(new, encoding="utf-8")
    os.environ["MAJORWATCH_HOME"] = str(home.root)
    os.environ["DAGSTER_HOME"] = str(home.dagster_home)
    os.environ["MAJORWATCH_INBOX"] = str(Path(inbox).expanduser().resolve() if inbox else home.inbox)
    return home


@contextmanager
def open_instance(dagster_home: str | os.PathLike) -> Iterator:
    """The Dagster instance of a DAGSTER_HOME folder, whatever DAGSTER_HOME says (a benchmark or a backup reads a
    home by its folder alone), through Dagster's public `DagsterInstance.get`; disposed at the end."""
    import dagster as dg

    before = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(Path(dagster_home).resolve())
    try:
        instance = dg.DagsterInstance.get()
    finally:
        if before is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = before
    try:
        yield instance
    finally:
        instance.dispose()
