"""A national deployment: the same assets, partitioned by province, each province in its own home.

    DAGSTER_HOME=… MAJORWATCH_HOME=/srv/majorwatch MAJORWATCH_INBOX=/srv/inbox dg dev -m pipelines.national

Nothing here is a scheduler: Dagster runs one run per province partition (a backfill over the partitions
in the UI, ``dagster job backfill -m pipelines.national -j national_job``, or one run per province from a
sensor), the instance's run queue decides how many at once, and the executor runs each run's steps.

What keeps the one-writer rule of DuckDB: a province's run writes only ``partitions/<code>/warehouse.duckdb``
under MAJORWATCH_HOME (its own raw store, models and editions too; the inbox is ``<inbox>/<code>/``), and
``national_job`` runs one step of a run at a time (``max_concurrent: 1``), each in its own process. So two
provinces write two files at the same time, and no file ever has two writers. The writer pool
(``duckdb_writer``) is shared by all runs of an instance, so its limit is the number of provinces run at
once (``national_instance_yaml``). The same definitions run on Kubernetes with ``MAJORWATCH_EXECUTOR=k8s``
(dagster-k8s's ``k8s_job_executor``: one pod per step, one step of a run at a time, the homes on a shared
volume) and the run config in deploy/national/k8s.yaml, which a test checks against that executor's schema.
Celery is not offered: dagster-celery's executor has no per-run step limit, so two steps of one province
could write its DuckDB file at once.

The Beijing deployment (pipelines.definitions) is untouched: one home, no partitions.
"""

from __future__ import annotations

import os

import dagster as dg

import pipelines.definitions as city
from assets.resources import resources

# 省级行政区划代码 (GB/T 2260): the partition keys, one home and one DuckDB file each
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区", "21": "辽宁省",
    "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省",
    "35": "福建省", "36": "江西省", "37": "山东省", "41": "河南省", "42": "湖北省", "43": "湖南省",
    "44": "广东省", "45": "广西壮族自治区", "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省",
    "53": "云南省", "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
}
provinces = dg.StaticPartitionsDefinition(list(PROVINCES))
NATIONAL_JOB = "national_job"


def national_instance_yaml(provinces_at_once: int = 2) -> str:
    """dagster.yaml of a national instance: N province runs at once, so N writer slots (one per run)."""
    return (
        "# Written by majorwatch (national). One run per province partition; each writes only its own\n"
        "# partitions/<code>/warehouse.duckdb and runs one step at a time, so the pool allows one writer per run.\n"
        "telemetry:\n  enabled: false\n"
        f"concurrency:\n  pools:\n    default_limit: {provinces_at_once}\n"
        f"  runs:\n    max_concurrent_runs: {provinces_at_once}\n"
    )


def _by_province(spec: dg.AssetSpec) -> dg.AssetSpec:
    return spec.replace_attributes(partitions_def=provinces)


# The steps of a run fork from one server that imported these modules once (Dagster's multiprocess executor,
# start method forkserver), instead of each starting a fresh Python that imports Dagster, polars and every
# asset again, then the instance's storage's libraries (SQLAlchemy, Alembic) and, in the model steps,
# scikit-learn: about 4 s of CPU per step, 20 or so steps per province. Only imports happen in the server (no
# polars, DuckDB or BLAS work), so the children start clean; a module that fails to import is skipped by
# multiprocessing without a word, which tests/test_national.py guards against. Public modules only: Dagster's
# own storage module is private (it moved between releases), SQLAlchemy's and Alembic's are most of its import.
PRELOAD = ["pipelines.national", "sqlalchemy.orm", "alembic.command", "alembic.runtime.migration", "ml.mapping",
           "ml.forecast", "ml.postings"]


def executor(name: str) -> dg.ExecutorDefinition:
    """multiprocess (this machine) or k8s (dagster-k8s, an optional extra); one step of a run at a time."""
    if name == "multiprocess":
        return dg.multiprocess_executor.configured(
            {"max_concurrent": 1, "start_method": {"forkserver": {"preload_modules": PRELOAD}}})
    if name == "k8s":
        from dagster_k8s import k8s_job_executor  # pip install 'majorwatch[cluster]'

        return k8s_job_executor  # max_concurrent: 1 comes with the run config (deploy/national/k8s.yaml)
    raise ValueError(f"MAJORWATCH_EXECUTOR 只能是 multiprocess 或 k8s，而不是 {name!r}")


def national_definitions(executor_name: str = "multiprocess") -> dg.Definitions:
    job = dg.define_asset_job(
        NATIONAL_JOB, selection=dg.AssetSelection.all(), executor_def=executor(executor_name),
        description="一个省级分区的完整运行：读取该省收件箱 → 数据契约 → 模型 → 评分 → 发布（每省一个仓库文件）",
    )
    return dg.Definitions(assets=[asset.map_asset_specs(_by_province) for asset in city.defs.assets], jobs=[job],
                          asset_checks=list(city.defs.asset_checks or []), resources=resources(partitioned=True))


defs = national_definitions(os.environ.get("MAJORWATCH_EXECUTOR", "multiprocess"))
