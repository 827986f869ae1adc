"""One run at a time per home, and what a killed run left behind cleared by the next one.

A run holds an exclusive lock on ``<home>/run.lock`` (released by the kernel when its process dies, even by
SIGKILL) and writes who it is into the file, so a second run is refused with a message naming the first.
Holding the lock also proves that no other run of this home is alive, so the run can fail the runs that a
dead process left STARTED, free the DuckDB writer slots they held and remove their half-written editions.

Dagster's run monitoring (dagster.yaml, pipelines/instance.py) does not make this redundant: with the default
run launcher it cannot check a started run's worker (``supports_check_run_worker_health`` is false), so it only
fails runs stuck starting or cancelling, and it runs in the daemon, which `majorwatch run` does not start. The
lock itself stays: a command's run is executed in its own process, past the daemon's run queue
(max_concurrent_runs), so the lock is what keeps a second command off the one DuckDB file and inbox.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import dagster as dg

from warehouse.home import Home
from warehouse.recovery import recover_warehouse

PID_TAG = "majorwatch/pid"
HOST_TAG = "majorwatch/host"
IN_PROGRESS = [dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.CANCELING,
               dg.DagsterRunStatus.NOT_STARTED]


class HomeBusyError(RuntimeError):
    """Another run holds this home."""


def lock_holder(home: Home) -> dict | None:
    """Who holds the home's run lock (pid, start, inbox), or None when no live process holds it."""
    path = home.root / "run.lock"
    if not path.exists():
        return None
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return _holder(handle)
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None


def _holder(handle) -> dict:
    """What the lock file says of the run holding it ({} when it says nothing readable)."""
    handle.seek(0)
    try:
        return json.loads(handle.read() or "{}")
    except ValueError:
        return {}


def run_tags() -> dict[str, str]:
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


@contextmanager
def exclusive_run(home: Home, inbox: str, edition: str | None, *, recover: bool = True) -> Iterator[None]:
    path = home.root / "run.lock"
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(handle)
            raise HomeBusyError(
                f"主目录 {home.root} 正在被另一次运行使用（进程 {holder.get('pid', '?')}，"
                f"开始于 {holder.get('started', '?')}，收件箱 {holder.get('inbox', '?')}）；"
                "请等它结束后再运行（同一主目录同时只允许一次运行）") from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "inbox": inbox,
                                 "edition": edition, "started": datetime.now(UTC).isoformat(timespec="seconds")},
                                ensure_ascii=False))
        handle.flush()
        try:
            # with the lock held no run uses the warehouse: a missing or damaged one is set aside and rebuilt
            for note in recover_warehouse(home) if recover else ():
                print(note, flush=True)
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_dead_runs(instance: dg.DagsterInstance, home: Home) -> list[str]:
    """Fail the runs a dead process of this machine left in progress, free their slots, drop .tmp- editions.

    Call it only while holding ``exclusive_run``: then no other CLI run of this home is alive.
    """
    recovered = []
    host = socket.gethostname()
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=IN_PROGRESS)):
        pid = run.tags.get(PID_TAG)
        if pid and run.tags.get(HOST_TAG) == host and int(pid) != os.getpid() and not _alive(int(pid)):
            instance.report_run_failed(run, f"运行进程 {pid} 已终止（被强制结束或断电）；由下一次运行清理")
            recovered.append(run.run_id)
    storage = instance.event_log_storage
    if storage.supports_global_concurrency_limits:
        for run_id in storage.get_concurrency_run_ids():
            run = instance.get_run_by_id(run_id)
            if run is None or run.is_finished:
                storage.free_concurrency_slots_for_run(run_id)
    for tmp in home.published.glob(".tmp-*"):
        shutil.rmtree(tmp, ignore_errors=True)
    return recovered
