"""The home's Dagster instance stores events through connections it keeps open, and another process (the
Dagster UI, the failure sensor) reads every event while they are held."""

from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg
import pytest

from pipelines.event_log import KeptEngineSqliteEventLogStorage

READER = """
import sys, dagster as dg
with dg.DagsterInstance.get() as instance:
    for run_id in sys.argv[1:]:
        logs = instance.all_logs(run_id)
        print(len(logs), sum(1 for e in logs if e.dagster_event and e.dagster_event.event_type_value == 'STEP_SUCCESS'))
"""


@dg.asset
def number() -> int:
    return 1


@dg.asset
def double(number: int) -> int:
    return 2 * number


@pytest.mark.slow
def test_events_are_stored_on_kept_connections_and_read_by_another_process(home):
    with dg.DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, KeptEngineSqliteEventLogStorage)
        first = dg.materialize([number, double], instance=instance)
        second = dg.materialize([number, double], instance=instance)
        assert first.success and second.success
        engines = dict(storage._engines)
        assert first.run_id in engines and second.run_id in engines     # one engine per run file, kept
        with storage._connect(first.run_id) as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL, under WAL
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        # one reader process (it imports Dagster once) reads both runs while this one holds their connections
        out = subprocess.run([sys.executable, "-c", READER, first.run_id, second.run_id], capture_output=True,
                             text=True, check=True, env={**os.environ})
        lines = out.stdout.splitlines()
        assert len(lines) == 2
        for run, line in zip((first, second), lines, strict=True):
            held = instance.all_logs(run.run_id)
            count, steps = map(int, line.split())
            assert count == len(held) > 10 and steps == 2
        assert instance.get_latest_materialization_event(dg.AssetKey("double")).run_id == second.run_id


def test_the_event_log_folder_is_named_in_dagster_yaml_and_follows_a_moved_home(tmp_path, monkeypatch):
    import shutil

    from dagster._core.instance.ref import InstanceRef

    from pipelines.instance import prepare_home

    for var in ("MAJORWATCH_HOME", "DAGSTER_HOME", "MAJORWATCH_INBOX"):
        monkeypatch.setenv(var, "")
    prepare_home(tmp_path / "a")
    config = tmp_path / "a" / "dagster" / "dagster.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "# the data team's own line\n", encoding="utf-8")
    shutil.move(tmp_path / "a", tmp_path / "b")
    prepare_home(tmp_path / "b")
    text = (tmp_path / "b" / "dagster" / "dagster.yaml").read_text(encoding="utf-8")
    assert str(tmp_path / "b" / "dagster" / "history" / "runs") in text and "# the data team's own line" in text
    monkeypatch.delenv("DAGSTER_HOME")                      # a benchmark reads a home by its folder alone
    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(tmp_path / "b" / "dagster"))) as instance:
        assert instance.event_log_storage._base_dir == str(tmp_path / "b" / "dagster" / "history" / "runs")
