"""The asset graph is the one truth: every read is a declared input, one DuckDB writer at a time, failures logged."""

import dagster as dg
import polars as pl
import pytest

from assets.resources import UndeclaredReadError, Warehouse, resources
from tests.dagster_helpers import INGEST, materialize
from tests.handmade_inbox import write_handmade_inbox
from tests.shared_homes import copy_run, read_reads
from warehouse.db import connect, query_frame

pytestmark = pytest.mark.slow


def test_a_sql_read_of_an_undeclared_table_is_refused(handmade_published, tmp_path):
    own = copy_run(handmade_published, tmp_path / "own")    # a warehouse where the table majors exists
    home, inbox = own.home, own.inbox
    with connect(home / "warehouse.duckdb", read_only=True) as con:
        assert "majors" in set(query_frame(con, "SHOW TABLES")["name"])

    @dg.asset(deps=["industries"])
    def sneaky(context: dg.AssetExecutionContext, warehouse: Warehouse) -> None:
        warehouse.query(context, "SELECT count(*) FROM majors")

    with pytest.raises(UndeclaredReadError, match="majors"):
        dg.materialize([sneaky], resources=resources(home=str(home), inbox=str(inbox)))


def test_every_table_an_asset_reads_is_one_of_its_declared_inputs(handmade_published):
    """Both ways an asset can read the warehouse were spied on during the session's whole run of the hand-made
    inbox (tests/shared_homes.py: `majorwatch run`, every asset, in this process)."""
    from pipelines.definitions import defs

    reads = read_reads(handmade_published)
    graph = defs.resolve_asset_graph()
    parents: dict[str, set[str]] = {}                      # step → every asset it declares as an input
    for key in graph.get_all_asset_keys():
        node = graph.get(key).assets_def.node_def.name
        parents.setdefault(node, set()).update(p.to_user_string() for p in graph.get(key).parent_keys)
    for check in defs.asset_checks:                          # an output check reads its asset and its declared ins
        for spec in check.check_specs:
            parents.setdefault(check.node_def.name, set()).update(
                {spec.asset_key.to_user_string()} | {k.to_user_string() for k in check.keys_by_input_name.values()})
    assert len(reads) > 30
    assert {step for step, _ in reads} >= {"major_risk_scores", "school_major_scores", "publish_catalogs"}
    undeclared = [(asset, table) for asset, table in reads if table not in parents.get(asset, set())]
    assert undeclared == []


def test_stage_jobs_under_the_multiprocess_executor_keep_one_duckdb_writer(home, tmp_path):
    """Five model steps (four models and the warnings' back-test) could run side by side; the pool duckdb_writer
    (limit 1) must serialise them."""
    inbox = write_handmade_inbox(tmp_path / "inbox")
    import os

    os.environ["MAJORWATCH_INBOX"] = str(inbox)
    with dg.DagsterInstance.get() as instance:
        for job in ("refresh_inputs", "evaluate_models"):
            with dg.execute_job(dg.reconstructable(_stage_job(job)), instance=instance,
                                run_config={"execution": {"config": {"multiprocess": {"max_concurrent": 4}}}}) as result:
                assert result.success, job
        run_id = result.run_id
        spans = _step_spans(instance, run_id)
    assert len(spans) == 5
    ordered = sorted(spans.values())
    overlaps = [(a, b) for a, b in zip(ordered, ordered[1:], strict=False) if b[0] < a[1]]
    assert overlaps == []                                  # never two warehouse writers at once


def _stage_job(name: str):
    from tests import dagster_helpers

    return {"refresh_inputs": dagster_helpers.refresh_inputs_job,
            "evaluate_models": dagster_helpers.evaluate_models_job}[name]


def _step_spans(instance: dg.DagsterInstance, run_id: str) -> dict[str, tuple[float, float]]:
    spans: dict[str, list[float]] = {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None or not event.step_key:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            spans.setdefault(event.step_key, [record.timestamp, 0.0])[0] = record.timestamp
        elif event.event_type == dg.DagsterEventType.STEP_SUCCESS:
            spans.setdefault(event.step_key, [0.0, record.timestamp])[1] = record.timestamp
    return {k: (v[0], v[1]) for k, v in spans.items()}


def test_a_failed_run_is_written_to_the_failure_log_with_check_and_rows(home, tmp_path):
    from pipelines.sensors import failure_log

    inbox = write_handmade_inbox(tmp_path / "inbox")
    frame = pl.read_csv(inbox / "school_majors.csv", infer_schema=False)
    frame.with_columns(pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("-5")).otherwise(pl.col("enrolled"))
                       .alias("enrolled")).write_csv(inbox / "school_majors.csv")
    instance = dg.DagsterInstance.ephemeral()
    result = materialize([*INGEST, "major_market_signals"], home, inbox, raise_on_error=False, instance=instance)
    assert not result.success
    run = instance.get_run_by_id(result.run_id)
    failure = next(r.dagster_event for r in instance.all_logs(result.run_id)
                   if r.dagster_event and r.dagster_event.event_type == dg.DagsterEventType.RUN_FAILURE)
    with dg.build_run_status_sensor_context(
            sensor_name="failure_log", dagster_event=failure, dagster_instance=instance, dagster_run=run,
            resources={"warehouse": Warehouse(home=str(home))}) as context:
        failure_log(context.for_run_failure())
    log = (home / "logs" / "failures.log").read_text(encoding="utf-8")
    assert result.run_id in log and "school_majors_contract" in log
    assert "| 4 | enrolled（招生人数） | -5 |" in log                     # the first rejected row, as in the UI
