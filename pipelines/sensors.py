"""Launch a full run when the inbox changes, publish yearly, and log every failed run where people look."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from assets.partitions import edition_partition, inbox_data_year
from assets.resources import Inbox, Warehouse
from pipelines.failures import failure_messages
from pipelines.jobs import MAIN_JOB, majorwatch_job

INPUT_SUFFIXES = {".csv", ".xlsx", ".parquet", ".yaml"}


def inbox_fingerprint(folder: Path) -> str | None:
    """A hash of the inbox's file names, sizes and modification times (None when there is no file)."""
    if not folder.is_dir():
        return None
    entries = sorted(
        f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES
    )
    return hashlib.sha256("\n".join(entries).encode()).hexdigest() if entries else None


@dg.sensor(job=majorwatch_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED,
           description="收件箱有新文件或文件变化时启动一次完整运行")
def inbox_sensor(context: dg.SensorEvaluationContext, inbox: Inbox):
    fingerprint = inbox_fingerprint(inbox.folder())
    if fingerprint is None:
        return dg.SkipReason("inbox is empty")
    if fingerprint == context.cursor:
        return dg.SkipReason("inbox unchanged since the last run")
    context.update_cursor(fingerprint)
    return edition_request(context.instance, inbox.folder(), run_key=fingerprint,
                           tags={"majorwatch/inbox": fingerprint})


def edition_request(instance: dg.DagsterInstance, folder: Path, **request) -> dg.RunRequest:
    """A full run of the edition partition the inbox's data names (added to the editions when new)."""
    year = inbox_data_year(folder)
    return dg.RunRequest(partition_key=edition_partition(instance, year or datetime.now(UTC).year - 1), **request)


# Every 10 s instead of Dagster's default 30 s: a failed run is in the log (and any notice hooked here goes out)
# within seconds of the failure; a tick reads the event log from its cursor (skipped ticks are purged after 7 days).
@dg.run_failure_sensor(name="failure_log", default_status=dg.DefaultSensorStatus.RUNNING, minimum_interval_seconds=10,
                       description="运行失败时把失败的步骤和数据契约检查写入 logs/failures.log（邮件或即时通讯通知接在这里）")
def failure_log(context: dg.RunFailureSensorContext, warehouse: Warehouse):
    run = context.dagster_run
    messages = failure_messages(context.instance, run.run_id) or [context.failure_event.message or "未知原因"]
    logs = warehouse.paths.root / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    entry = f"{stamp} run {run.run_id} job {run.job_name} failed\n" + "".join(
        "  " + m.replace("\n", "\n  ") + "\n" for m in messages)
    with open(logs / "failures.log", "a", encoding="utf-8") as handle:
        handle.write(entry)


@dg.schedule(name="yearly_catalog", job_name=MAIN_JOB, cron_schedule="0 6 1 3 *",
             execution_timezone="Asia/Shanghai", default_status=dg.DefaultScheduleStatus.STOPPED,
             description="每年 3 月 1 日发布新一版目录（招生计划编制之前）")
def yearly_schedule(context: dg.ScheduleEvaluationContext, inbox: Inbox):
    return edition_request(context.instance, inbox.folder())
__all__ = ["failure_log", "inbox_sensor", "yearly_schedule"]
