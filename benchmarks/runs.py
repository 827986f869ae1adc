"""Shared by the benchmarks: run `majorwatch run` in a fresh process and read where its seconds went.

``run_cli`` measures the child itself (wall time, and its own peak RSS through ``os.wait4``, not the
largest of all children so far); ``timeline`` reads the run's Dagster event log back (run start, each
step's start and end), so a benchmark can split a run into fixed cost, stages and teardown.
``broken_copy`` makes the inbox of a run that must stop on a blocking contract failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STAGES = {  # step key → stage, by the asset group each step belongs to
    "ingest_inbox": "ingest",
    "proposed_major_industries": "models", "proposed_major_occupations": "models", "labor_forecasts": "models",
    "posting_industry_proposals": "models",
    "publish_catalogs": "publish",
    # the publish group's tables and their output checks (computed inside publish_catalogs before issue 24)
    **dict.fromkeys(("guiding_catalog", "restriction_list", "report_figures", "edition_outcomes",
                     "guiding_catalog_catalog_valid", "restriction_list_restrictions_valid",
                     "edition_counts_counts_agree"), "publish"),
}


@dataclass
class CliRun:
    wall: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str
    started: float  # time.time() at launch, to line up with the event log's timestamps
    timeline: dict = field(default_factory=dict)


def run_cli(inbox: Path, home: Path, *, source: Path = REPO, extra: tuple[str, ...] = ()) -> CliRun:
    """`python -m pipelines.cli run --inbox … --home … --quiet` from ``source``; wall and the child's peak RSS."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    for var in ("MAJORWATCH_HOME", "DAGSTER_HOME", "MAJORWATCH_INBOX"):
        env.pop(var, None)
    command = [sys.executable, "-m", "pipelines.cli", "run", "--inbox", str(inbox), "--home", str(home), "--quiet",
               *extra]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.time()
        t0 = time.perf_counter()
        proc = subprocess.Popen(command, cwd=source, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage, not the max over all children
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        run = CliRun(wall, usage.ru_maxrss / 1024, proc.returncode, out.read(), err.read(), started)
    run.timeline = timeline(home / "dagster", started)
    return run


def timeline(dagster_home: Path, launched: float) -> dict:
    """Seconds from launch to the run's start, to the first step, per step and per stage, and after the last
    ({} when the command launched no run: nothing was stale)."""
    import dagster as dg

    from pipelines.instance import open_instance

    with open_instance(dagster_home) as instance:
        # the command's main run (it observes the inbox in a run of its own first; nothing stale: no main run)
        runs = instance.get_runs(filters=dg.RunsFilter(job_name="majorwatch_job",
                                                       created_after=datetime.fromtimestamp(launched, UTC)), limit=1)
        if not runs:
            return {}
        run_id = runs[0].run_id
        steps: dict[str, list[float]] = {}
        run_start = run_end = None
        for record in instance.all_logs(run_id):
            event = record.dagster_event
            if event is None:
                continue
            kind = event.event_type
            if kind == dg.DagsterEventType.RUN_START:
                run_start = record.timestamp
            elif kind in (dg.DagsterEventType.RUN_SUCCESS, dg.DagsterEventType.RUN_FAILURE):
                run_end = record.timestamp
            elif kind == dg.DagsterEventType.STEP_START:
                steps.setdefault(event.step_key, [record.timestamp, record.timestamp])[0] = record.timestamp
            elif kind in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
                steps.setdefault(event.step_key, [record.timestamp, record.timestamp])[1] = record.timestamp
    if not steps:
        return {"to_run_start": (run_start or launched) - launched}
    first = min(s for s, _ in steps.values())
    last = max(e for _, e in steps.values())
    stages: dict[str, float] = {}
    for key, (start, end) in steps.items():
        stage = STAGES.get(key, "score")
        stages[stage] = stages.get(stage, 0.0) + (end - start)
    return {
        "run_id": run_id,
        "to_run_start": (run_start or first) - launched,
        "to_first_step": first - launched,
        "steps": {k: round(e - s, 3) for k, (s, e) in sorted(steps.items(), key=lambda kv: kv[1][0])},
        "stages": {k: round(v, 3) for k, v in stages.items()},
        "after_last_step": (run_end or last) - last,
    }


def broken_copy(inbox: Path, dest: Path) -> Path:
    """A copy of ``inbox`` whose major_industry_map.csv holds its first row twice: a duplicated key, which the
    contract blocks (the run must end with the error, nothing published)."""
    import polars as pl

    shutil.copytree(inbox, dest)
    path = dest / "major_industry_map.csv"
    table = pl.read_csv(path, infer_schema=False)
    pl.concat([table, table.head(1)]).write_csv(path)
    return dest
