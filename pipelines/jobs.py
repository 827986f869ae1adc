"""The one job that the CLI, the sensor, the schedule and the UI all launch."""

import dagster as dg

MAIN_JOB = "majorwatch_job"

# In-process: every step shares one process, so great-expectations and the models load once and
# the DuckDB writer rule (one writer at a time) holds by construction. On a cluster swap the executor
# (the assets assume nothing about processes beyond the writer pool).
majorwatch_job = dg.define_asset_job(
    MAIN_JOB,
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="读取收件箱 → 数据契约 → 评分 → 发布专业指导性目录与禁限目录",
)
