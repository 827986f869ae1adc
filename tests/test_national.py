"""The national deployment: provinces as Dagster partitions, each with its own home and DuckDB file.

Two provinces run at once under the multiprocess executor (launched with Dagster's own CLI, no scheduler
of ours), and the Kubernetes run config is checked against dagster-k8s's executor schema.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import polars as pl
import pytest
import yaml
from dagster._core.instance.ref import InstanceRef

from tests.handmade_inbox import write_handmade_inbox
from warehouse.db import connect, query_frame

REPO = Path(__file__).resolve().parents[1]


def test_every_asset_is_partitioned_by_province_and_beijing_by_edition_only():
    from assets.partitions import EDITIONS
    from pipelines.definitions import defs as city
    from pipelines.national import PROVINCES, defs

    graph = defs.resolve_asset_graph()
    assert graph.get_all_asset_keys() == city.resolve_asset_graph().get_all_asset_keys()
    for key in graph.get_all_asset_keys():
        assert graph.get(key).partitions_def.get_partition_keys() == list(PROVINCES)
        assert city.resolve_asset_graph().get(key).partitions_def in (None, EDITIONS)   # Beijing: by edition
    # the output checks block a province's publication as they block Beijing's
    assert {key.name for key in graph.asset_check_keys} >= {"catalog_valid", "counts_agree", "risk_scores_valid"}
    assert len(PROVINCES) == 31 and PROVINCES["11"] == "北京市"


def test_province_steps_fork_from_a_server_that_imported_the_definitions_once(tmp_path, monkeypatch):
    monkeypatch.setenv("MAJORWATCH_HOME", str(tmp_path / "national"))
    monkeypatch.setenv("MAJORWATCH_INBOX", str(tmp_path / "inbox"))
    from pipelines.national import NATIONAL_JOB, national_definitions

    job = national_definitions("multiprocess").resolve_job_def(NATIONAL_JOB)
    execution = dg.validate_run_config(job, {})["execution"]["multiprocess"]
    assert execution["max_concurrent"] == 1
    preload = execution["start_method"]["forkserver"]["preload_modules"]
    assert {"pipelines.national", "sqlalchemy.orm", "ml.mapping"} <= set(preload)
    assert not [name for name in preload if name.startswith("dagster._")]  # public modules only
    for name in preload:   # multiprocessing skips a preload module that fails to import, silently
        importlib.import_module(name)


def _spans(instance: dg.DagsterInstance, run_id: str) -> list[tuple[float, float]]:
    starts, ends = {}, {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event and event.event_type == dg.DagsterEventType.STEP_START:
            starts[event.step_key] = record.timestamp
        elif event and event.event_type in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
            ends[event.step_key] = record.timestamp
    return sorted((starts[k], ends[k]) for k in starts)


@pytest.mark.slow
def test_two_provinces_run_at_once_each_writing_only_its_own_warehouse(tmp_path):
    from pipelines.national import NATIONAL_JOB, national_definitions, national_instance_yaml

    job = national_definitions("multiprocess").resolve_job_def(NATIONAL_JOB)
    assert len(job.graph.nodes) == 33  # ingest, the data gaps, 5 models (the back-test too), 21 score and publish steps (4 of the action plan, 2 of the demand channels, the track record, the comparisons with the previous edition, the code history), 5 checks
    root, inbox = tmp_path / "national", tmp_path / "inbox"
    dagster_home = root / "dagster"
    dagster_home.mkdir(parents=True)
    (dagster_home / "dagster.yaml").write_text(national_instance_yaml(2), encoding="utf-8")
    instance = dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(dagster_home)))  # storage created once
    write_handmade_inbox(inbox / "11")
    write_handmade_inbox(inbox / "12")
    schools = pl.read_csv(inbox / "12" / "school_majors.csv", infer_schema=False)
    schools.head(schools.height - 3).write_csv(inbox / "12" / "school_majors.csv")   # another province's data
    env = {**os.environ, "PYTHONPATH": str(REPO), "DAGSTER_HOME": str(dagster_home),
           "MAJORWATCH_HOME": str(root), "MAJORWATCH_INBOX": str(inbox), "MAJORWATCH_EXECUTOR": "multiprocess"}
    dagster = Path(sys.executable).with_name("dagster")
    procs = {key: subprocess.Popen([str(dagster), "job", "execute", "-m", "pipelines.national", "-j", "national_job",
                                    "--tags", json.dumps({"dagster/partition": key})], cwd=REPO, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for key in ("11", "12")}
    outputs = {key: proc.communicate(timeout=900)[0] for key, proc in procs.items()}
    assert all(proc.returncode == 0 for proc in procs.values()), outputs

    assert not (root / "warehouse.duckdb").exists()                    # nothing written outside the partitions
    rows = {}
    for key in ("11", "12"):
        home = root / "partitions" / key
        assert (home / "published" / "CURRENT").exists() or any((home / "published").iterdir())
        with connect(home / "warehouse.duckdb") as con:
            rows[key] = query_frame(con, "SELECT count(*) AS n FROM school_majors")["n"][0]
    assert rows["11"] == rows["12"] + 3

    runs = {run.tags["dagster/partition"]: run for run in instance.get_runs()}
    assert set(runs) == {"11", "12"} and all(run.is_success for run in runs.values())
    spans = {key: _spans(instance, run.run_id) for key, run in runs.items()}
    for key, steps in spans.items():
        assert len(steps) == len(job.graph.nodes)  # the city job's steps, its output checks and the action plan's
        assert all(b[0] >= a[1] for a, b in zip(steps, steps[1:], strict=False)), key   # one writer per province
    (a_start, a_end), (b_start, b_end) = [(s[0][0], s[-1][1]) for s in spans.values()]
    assert a_start < b_end and b_start < a_end                          # the two provinces ran at the same time
    catalog = dg.AssetKey("guiding_catalog")
    assert instance.get_materialized_partitions(catalog) == {"11", "12"}
    instance.dispose()


def test_the_kubernetes_run_config_fits_the_executor_and_the_national_job(monkeypatch):
    pytest.importorskip("dagster_k8s", reason="dagster-k8s is the optional extra majorwatch[cluster]")
    monkeypatch.setenv("MAJORWATCH_HOME", "/srv/majorwatch")   # what the config map majorwatch-env provides
    monkeypatch.setenv("MAJORWATCH_INBOX", "/srv/inbox")
    from pipelines.national import NATIONAL_JOB, national_definitions

    config = yaml.safe_load((REPO / "deploy" / "national" / "k8s.yaml").read_text(encoding="utf-8"))
    job = national_definitions("k8s").resolve_job_def(NATIONAL_JOB)
    assert job.executor_def.name == "k8s"
    assert dg.validate_run_config(job, config)["execution"]["k8s"]["max_concurrent"] == 1
    broken = {"execution": {"config": {**config["execution"]["config"], "max_concurent": 1}}}
    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.validate_run_config(job, broken)
