"""One run per home, and a killed run never blocks the next one (issue 14: concurrent runs, SIGKILL, Ctrl-C).

The kill tests stop a run exactly at a stage through the test-only pause points (warehouse/pause_points.py):
the run writes a marker file and sleeps there, and the test sends SIGKILL or SIGINT. Each case copies the
home published once per session (tests/shared_homes.py: the handmade inbox, 2026-draft in force) instead of
running the pipeline again.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from pipelines.cli import main
from pipelines.home_lock import exclusive_run, recover_dead_runs
from tests.conftest import REPO
from tests.handmade_inbox import write_handmade_inbox
from warehouse import pause_points
from warehouse.home import Home
from warehouse.pause_points import PAUSE_AT, PAUSE_FILE


def test_a_second_run_on_a_busy_home_is_refused_naming_the_holder(home, tmp_path, capsys):
    inbox = write_handmade_inbox(tmp_path / "inbox")
    with exclusive_run(Home(home), "/somewhere/inbox-A", "2511"):
        assert main(["run", "--inbox", str(inbox), "--home", str(home)]) == 3
    err = capsys.readouterr().err
    assert f"进程 {os.getpid()}" in err and "/somewhere/inbox-A" in err and "同一主目录同时只允许一次运行" in err
    assert not (home / "published" / "CURRENT").exists()            # the refused run wrote nothing


IN_FORCE = "2026-draft"          # what the baseline run of the handmade inbox publishes
NEXT = "2026-r2"                  # the edition the killed run, then the next one, publish (as 2026-r2-draft)
ISOLATED = ("MAJORWATCH_HOME", "DAGSTER_HOME", "MAJORWATCH_INBOX", PAUSE_AT, PAUSE_FILE)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ISOLATED}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env | extra


def _cli(home: Path, inbox: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "pipelines.cli", "run", "--inbox", str(inbox), "--home", str(home), "--quiet", *extra]


@pytest.fixture()
def published_home(handmade_published) -> tuple[Path, Path]:
    """The session's home where the handmade inbox was run once (IN_FORCE in force), and that inbox; copy it,
    never change it."""
    return handmade_published.home, handmade_published.inbox


@pytest.fixture()
def copied_home(published_home, tmp_path, monkeypatch) -> Path:
    """A private copy of the published home; the in-process CLI's environment changes are undone after the test."""
    for var in ISOLATED[:3]:
        monkeypatch.setenv(var, os.environ.get(var, ""))
    home = tmp_path / "home"
    shutil.copytree(published_home[0], home, symlinks=True)
    return home


def _published_digests(home: Path) -> dict[str, str]:
    """SHA-256 of every published file (CURRENT included), leaving out the lock and temporary folders."""
    root = home / "published"
    digests = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and rel.parts[0] != ".publish.lock" and not rel.parts[0].startswith(".tmp-"):
            with path.open("rb") as handle:
                digests[str(rel)] = hashlib.file_digest(handle, "sha256").hexdigest()
    return digests


def _start_paused(home: Path, inbox: Path, point: str, folder: Path) -> subprocess.Popen:
    """Start `majorwatch run` (its output to ``folder/<point>.out`` and ``.err``) and return once it sleeps at
    `point`."""
    marker = folder / f"paused-{point}"
    with open(folder / f"{point}.out", "wb") as out, open(folder / f"{point}.err", "wb") as err:
        proc = subprocess.Popen(_cli(home, inbox, "--edition", NEXT), cwd=REPO, stdout=out,
                                stderr=err, env=_env(**{PAUSE_AT: point, PAUSE_FILE: str(marker)}))
    deadline = time.monotonic() + 300
    while not marker.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the run ended or stalled before the pause point {point} (exit {proc.poll()}): "
                        + (folder / f"{point}.err").read_text(encoding="utf-8")[-2000:])
        time.sleep(0.1)
    assert marker.read_text().split() == [str(proc.pid), point]
    return proc


def _in_progress(home: Path) -> list[dg.DagsterRun]:
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        return list(instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])))


STAGES = ("ingest", "models", "scoring", "publication")


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_a_run_killed_at_each_stage_is_cleared_by_the_next_one_and_the_last_succeeds(published_home, copied_home,
                                                                                     tmp_path, capsys):
    """SIGKILL at ingest, then at model training, scoring and publication, each time in the run that had
    to clear the one killed before it (so each stage's kill is followed by an unattended run that gets
    past it); the run after the last kill publishes. The edition in force never changes meanwhile."""
    home, inbox = copied_home, published_home[1]
    shutil.rmtree(home / "models")           # the copy's saved models would be reused: make the runs train
    for path in home.glob("warehouse.duckdb*"):  # and every stage stale (its tables gone), so each run gets there
        path.unlink()
    before = _published_digests(home)
    dead: list[dg.DagsterRun] = []
    for point in STAGES:
        proc = _start_paused(home, inbox, point, tmp_path)
        if dead:                               # this run got to `point` after clearing the run killed before
            assert f"已清理被中断的运行 {dead[-1].run_id}" in (tmp_path / f"{point}.out").read_text(encoding="utf-8")
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
        dead = [*dead, *_in_progress(home)]
        assert len(_in_progress(home)) == 1                          # the dead run still says STARTED
        with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
            assert instance.event_log_storage.get_concurrency_run_ids() == {dead[-1].run_id}   # and holds the slot
        left = list((home / "published").glob(".tmp-*"))
        if point == "publication":      # killed with the edition written beside, before its rename and CURRENT
            assert len(left) == 1 and (left[0] / "datapackage.json").is_file() and (left[0] / "SHA256SUMS").is_file()
        assert not (home / "published" / f"{NEXT}-draft").exists()
        assert _published_digests(home) == before                       # the edition in force is untouched

    assert main(["run", "--inbox", str(inbox), "--home", str(home), "--edition", NEXT, "--quiet"]) == 0
    assert f"已清理被中断的运行 {dead[-1].run_id}" in capsys.readouterr().out
    with dg.DagsterInstance.get() as instance:
        assert {instance.get_run_by_id(run.run_id).status for run in dead} == {dg.DagsterRunStatus.FAILURE}
        assert instance.event_log_storage.get_concurrency_run_ids() == set()
    assert not list((home / "published").glob(".tmp-*"))
    assert (home / "published" / "CURRENT").read_text().strip() == f"{NEXT}-draft"
    after = _published_digests(home)
    assert {k: after.get(k) for k in before if k != "CURRENT"} == {k: v for k, v in before.items() if k != "CURRENT"}


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_ctrl_c_stops_a_run_and_leaves_nothing_for_the_next_run_to_clear(published_home, copied_home, tmp_path):
    home, inbox = copied_home, published_home[1]
    before = _published_digests(home)
    proc = _start_paused(home, inbox, "publication", tmp_path)          # the edition half-way into place
    started = time.monotonic()
    os.kill(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=60) == 1                                   # stopped, and says it failed
    assert time.monotonic() - started < 60
    err = (tmp_path / "publication.err").read_text(encoding="utf-8")
    assert "运行失败，未发布任何目录（当前版本保持不变）" in err and "步骤 publish_catalogs 失败：运行被中断（Ctrl-C）" in err
    assert _in_progress(home) == []
    assert not list((home / "published").glob(".tmp-*"))               # the interrupted publication cleaned up
    assert _published_digests(home) == before
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        assert instance.get_runs(limit=1)[0].status == dg.DagsterRunStatus.FAILURE
        assert instance.event_log_storage.get_concurrency_run_ids() == set()
        with exclusive_run(Home(home), str(inbox), None):                 # the home lock is free
            assert recover_dead_runs(instance, Home(home)) == []        # nothing was left to clear


def test_a_pause_point_needs_both_variables_and_its_own_name(tmp_path, monkeypatch):
    marker = tmp_path / "paused"
    monkeypatch.setattr(pause_points, "MAX_PAUSE", 0.3)
    for at, file in [(None, None), ("publication", None), (None, str(marker)), ("scoring", str(marker))]:
        for var, value in ((PAUSE_AT, at), (PAUSE_FILE, file)):
            if value is None:
                monkeypatch.delenv(var, raising=False)
            else:
                monkeypatch.setenv(var, value)
        started = time.monotonic()
        pause_points.pause_point("publication")
        assert time.monotonic() - started < 0.2 and not marker.exists()
    monkeypatch.setenv(PAUSE_AT, "publication")
    started = time.monotonic()
    pause_points.pause_point("publication")                             # named: marker, then the (bounded) pause
    assert time.monotonic() - started >= 0.3
    assert marker.read_text().split() == [str(os.getpid()), "publication"]
    with pytest.raises(ValueError, match="unknown pause point"):
        pause_points.pause_point("publish")
