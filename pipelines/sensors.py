"""Run what an inbox change made stale, publish yearly, and log every failed run where people look."""

from __future__ import annotations

import functools
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from assets.ingest.sources import inbox_versions
from assets.partitions import edition_partition, inbox_data_year
from assets.resources import Inbox, Warehouse, resources
from pipelines.failures import failure_messages
from pipelines.jobs import MAIN_JOB, majorwatch_job
from pipelines.stale import DATA_VERSION_TAG, run_selection, stale_assets

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


def build_inbox_sensor(assets: list) -> dg.SensorDefinition:
    """The inbox sensor over these assets (the Definitions' own list: the sensor is part of them)."""

    @functools.cache
    def graph():
        return dg.Definitions(assets=assets, resources=resources()).resolve_asset_graph()

    @dg.sensor(name="inbox_sensor", job=majorwatch_job, minimum_interval_seconds=60,
               default_status=dg.DefaultSensorStatus.STOPPED,
               description="收件箱有新文件或文件变化时，记下各文件的新版本，并只运行因此过期的资产")
    def inbox_sensor(context: dg.SensorEvaluationContext, inbox: Inbox, warehouse: Warehouse):
        """When the inbox's listing changed: observe each file (its SHA-256) and request the stale assets alone."""
        folder = inbox.folder()
        fingerprint = inbox_fingerprint(folder)
        if fingerprint is None:
            return dg.SkipReason("inbox is empty")
        if fingerprint == context.cursor:
            return dg.SkipReason("inbox unchanged since the last run")
        context.update_cursor(fingerprint)
        observed = inbox_versions(warehouse.paths, folder)
        events = [dg.AssetObservation(asset_key=key, tags={DATA_VERSION_TAG: version}) for key, version in observed.items()]
        request = edition_request(context.instance, folder, run_key=fingerprint, tags={"majorwatch/inbox": fingerprint})
        selection = run_selection(graph(), stale_assets(graph(), context.instance, request.partition_key,
                                                        observed=observed))
        if not selection:
            return dg.SensorResult(skip_reason="no input's bytes changed: nothing is stale", asset_events=events)
        return dg.SensorResult(run_requests=[request.with_replaced_attrs(asset_selection=selection)],
                               asset_events=events)

    return inbox_sensor


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
__all__ = ["build_inbox_sensor", "failure_log", "yearly_schedule"]
