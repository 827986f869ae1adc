"""Launch the main job when the inbox changes; publish yearly on a schedule."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import dagster as dg

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


def _inbox_folder() -> Path:
    home = Path(os.environ.get("MAJORWATCH_HOME", "var"))
    return Path(os.environ.get("MAJORWATCH_INBOX") or home / "inbox")


@dg.sensor(job=majorwatch_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED,
           description="收件箱有新文件或文件变化时启动一次完整运行")
def inbox_sensor(context: dg.SensorEvaluationContext):
    fingerprint = inbox_fingerprint(_inbox_folder())
    if fingerprint is None:
        return dg.SkipReason("inbox is empty")
    if fingerprint == context.cursor:
        return dg.SkipReason("inbox unchanged since the last run")
    context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint)


yearly_schedule = dg.ScheduleDefinition(
    name="yearly_catalog", job_name=MAIN_JOB, cron_schedule="0 6 1 3 *",
    execution_timezone="Asia/Shanghai", default_status=dg.DefaultScheduleStatus.STOPPED,
    description="每年 3 月 1 日发布新一版目录（招生计划编制之前）",
)
__all__ = ["inbox_sensor", "yearly_schedule"]
