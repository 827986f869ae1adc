"""The home's Dagster instance: Dagster's own SQLite storage by default, PostgreSQL through dagster-postgres when
MAJORWATCH_DAGSTER_PG_URL is set; a small job runs on either and another process (the UI, the daemon) reads
its events; dagster.yaml names no private Dagster class, and a home written by an older release is cleaned."""

from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg
import pytest

from pipelines.instance import PG_URL_ENV, open_instance, prepare_home

READER = """
import sys, dagster as dg
with dg.DagsterInstance.get() as instance:
    for run_id in sys.argv[1:]:
        logs = instance.all_logs(run_id)
        print(len(logs), sum(1 for e in logs if e.dagster_event and e.dagster_event.event_type_value == 'STEP_SUCCESS'))
"""

# dagster.yaml as the release before this one wrote it (def5610), with a line the data team added
LEGACY_YAML = """\
# Written by majorwatch. DuckDB allows one writer: every writer asset is in the pool duckdb_writer.
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
# Dagster's SQLite event log in its usual files, with its connections kept open (pipelines/event_log.py)
event_log_storage:
  module: pipelines.event_log
  class: KeptEngineSqliteEventLogStorage
  config:
    base_dir: "/somewhere/else/dagster/history/runs"
# the data team's own line
"""


@dg.asset
def number() -> int:
    return 1


@dg.asset
def double(number: int) -> int:
    return 2 * number


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def instance_home(request, tmp_path, monkeypatch):
    """A prepared home whose instance stores in SQLite files, or in a fresh PostgreSQL database."""
    for var in ("MAJORWATCH_HOME", "DAGSTER_HOME", "MAJORWATCH_INBOX"):
        monkeypatch.setenv(var, os.environ.get(var, ""))
    if request.param == "postgresql":
        server = request.getfixturevalue("postgres_server")
        monkeypatch.setenv(PG_URL_ENV, server.url(server.new_database(), driver="postgresql+psycopg2"))
    else:
        monkeypatch.delenv(PG_URL_ENV, raising=False)
    return request.param, prepare_home(tmp_path / "home")


@pytest.mark.slow
def test_a_job_runs_on_the_instance_and_another_process_reads_its_events(instance_home):
    backend, home = instance_home
    with dg.DagsterInstance.get() as instance:
        storages = (instance.run_storage, instance.event_log_storage, instance.schedule_storage)
        expected = "dagster_postgres" if backend == "postgresql" else "dagster"
        assert all(type(s).__module__.split(".")[0] == expected for s in storages), storages
        first = dg.materialize([number, double], instance=instance)
        second = dg.materialize([number, double], instance=instance)
        assert first.success and second.success
        out = subprocess.run([sys.executable, "-c", READER, first.run_id, second.run_id], capture_output=True,
                             text=True, check=True, env={**os.environ})
        lines = out.stdout.splitlines()
        assert len(lines) == 2
        for run, line in zip((first, second), lines, strict=True):
            count, steps = map(int, line.split())
            assert count == len(instance.all_logs(run.run_id)) > 10 and steps == 2
        assert instance.get_latest_materialization_event(dg.AssetKey("double")).run_id == second.run_id
    files = {p.name for p in (home.dagster_home / "history").rglob("*.db")} if backend == "sqlite" else set()
    assert (backend == "sqlite") == ("runs.db" in files)   # PostgreSQL: no SQLite file beside it
    with open_instance(home.dagster_home) as again:         # by its folder alone (a benchmark, a backup)
        assert {r.run_id for r in again.get_runs()} == {first.run_id, second.run_id}


def test_dagster_yaml_follows_the_postgres_setting_and_keeps_the_data_teams_lines(tmp_path, monkeypatch):
    for var in ("MAJORWATCH_HOME", "DAGSTER_HOME", "MAJORWATCH_INBOX"):
        monkeypatch.setenv(var, "")
    monkeypatch.delenv(PG_URL_ENV, raising=False)
    config = prepare_home(tmp_path / "a").dagster_home / "dagster.yaml"
    assert "\nstorage:\n" not in config.read_text(encoding="utf-8")
    config.write_text(config.read_text(encoding="utf-8") + "# the data team's own line\n", encoding="utf-8")
    monkeypatch.setenv(PG_URL_ENV, "postgresql://mw:secret@db.example/dagster")
    with pytest.raises(ValueError, match="须以 postgresql\\+psycopg2:// 开头"):  # psycopg 3 would fail mid-run
        prepare_home(tmp_path / "a")
    monkeypatch.setenv(PG_URL_ENV, "postgresql+psycopg2://mw:secret@db.example/dagster")
    prepare_home(tmp_path / "a")
    text = config.read_text(encoding="utf-8")
    assert "env: MAJORWATCH_DAGSTER_PG_URL" in text and "secret" not in text  # the password stays in the env
    assert "# the data team's own line" in text and text.count("\nstorage:\n") == 1
    prepare_home(tmp_path / "a")
    assert config.read_text(encoding="utf-8") == text                        # written once
    monkeypatch.delenv(PG_URL_ENV)
    prepare_home(tmp_path / "a")
    assert "\nstorage:\n" not in config.read_text(encoding="utf-8")
    assert "# the data team's own line" in config.read_text(encoding="utf-8")


def test_a_home_from_the_previous_release_drops_the_private_event_log_class(tmp_path, monkeypatch):
    for var in ("MAJORWATCH_HOME", "DAGSTER_HOME", "MAJORWATCH_INBOX"):
        monkeypatch.setenv(var, "")
    monkeypatch.delenv(PG_URL_ENV, raising=False)
    config = tmp_path / "old" / "dagster" / "dagster.yaml"
    config.parent.mkdir(parents=True)
    config.write_text(LEGACY_YAML, encoding="utf-8")
    prepare_home(tmp_path / "old")
    text = config.read_text(encoding="utf-8")
    assert "pipelines.event_log" not in text and "event_log_storage" not in text and "/somewhere" not in text
    assert "# the data team's own line" in text and "default_limit: 1" in text
    with open_instance(config.parent) as instance:  # Dagster's own storage, in the home's own folder
        assert instance.get_runs() == []
        assert type(instance.event_log_storage).__module__.startswith("dagster.")


def test_run_monitoring_is_on_in_a_new_home_and_added_to_an_older_one(home, monkeypatch):
    """Dagster's run monitoring fails runs stuck starting or cancelling and frees a finished run's writer slot;
    a dagster.yaml written before it gets the block, one that configures it itself is left as it is."""
    from pipelines.instance import instance_yaml

    monkeypatch.delenv(PG_URL_ENV, raising=False)
    with open_instance(home / "dagster") as instance:
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_settings["free_slots_after_run_end_seconds"] == 60
        assert instance.run_monitoring_start_timeout_seconds == 180
    older = "telemetry:\n  enabled: false\n"
    assert instance_yaml(older).startswith(older) and "\nrun_monitoring:\n  enabled: true\n" in instance_yaml(older)
    own = older + "run_monitoring:\n  enabled: false\n"
    assert instance_yaml(own) == own
