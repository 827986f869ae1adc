"""One run per home, and a killed run never blocks the next one (issue 14: concurrent runs, SIGKILL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import dagster as dg
import pytest

from pipelines.cli import main
from pipelines.home_lock import exclusive_run
from tests.handmade_inbox import write_handmade_inbox
from warehouse.home import Home


def test_a_second_run_on_a_busy_home_is_refused_naming_the_holder(home, tmp_path, capsys):
    inbox = write_handmade_inbox(tmp_path / "inbox")
    with exclusive_run(Home(home), "/somewhere/inbox-A", "2511"):
        assert main(["run", "--inbox", str(inbox), "--home", str(home)]) == 3
    err = capsys.readouterr().err
    assert f"进程 {os.getpid()}" in err and "/somewhere/inbox-A" in err and "同一主目录同时只允许一次运行" in err
    assert not (home / "published" / "CURRENT").exists()            # the refused run wrote nothing


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_a_run_killed_during_the_models_is_cleared_and_the_next_run_succeeds(home, tmp_path, capsys):
    inbox = write_handmade_inbox(tmp_path / "inbox")
    proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run", "--inbox", str(inbox), "--home", str(home),
                             "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 400
    while not (home / "models").exists() or not any((home / "models").iterdir()):   # a model step has run
        assert proc.poll() is None and time.monotonic() < deadline, "the run ended before the kill point"
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with dg.DagsterInstance.get() as instance:
        left = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))
    assert len(left) == 1                                               # the dead run still says STARTED
    assert main(["run", "--inbox", str(inbox), "--home", str(home), "--quiet"]) == 0   # unattended, no hang
    out = capsys.readouterr().out
    assert f"已清理被中断的运行 {left[0].run_id}" in out
    with dg.DagsterInstance.get() as instance:
        assert instance.get_run_by_id(left[0].run_id).status == dg.DagsterRunStatus.FAILURE
        assert instance.event_log_storage.get_concurrency_run_ids() == set()
    assert (home / "published" / "CURRENT").read_text().strip() == "2026-draft"
    assert not list((home / "published").glob(".tmp-*"))
