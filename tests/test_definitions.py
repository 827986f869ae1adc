"""The Definitions load, and the asset graph is the one the design describes."""

from __future__ import annotations

import dagster as dg

from data_contracts.spec import load_contracts


def test_definitions_load_with_groups_kinds_and_blocking_checks():
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    specs = {spec.key.to_user_string(): spec for spec in defs.resolve_all_asset_specs()}
    inputs = list(load_contracts())
    for name in inputs:
        assert specs[name].group_name == "ingest"
        assert "duckdb" in specs[name].kinds
        assert specs[name].description
    for name in ("major_industry_exposure", "major_market_signals", "major_risk_scores", "school_major_scores"):
        assert specs[name].group_name == "score" and specs[name].description
    for name in ("guiding_catalog", "restriction_list"):
        assert specs[name].group_name == "publish"
    checks = {key.name: graph.get_check_spec(key) for key in graph.asset_check_keys}
    for name in inputs:
        assert checks[f"{name}_contract"].blocking, name
    # every scoring asset stands downstream of every required input (so their contracts gate it)
    seen, todo = set(), [dg.AssetKey("guiding_catalog")]
    while todo:
        key = todo.pop()
        for parent in graph.get(key).parent_keys:
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    for name, contract in load_contracts().items():
        if contract.required:
            assert dg.AssetKey(name) in seen, name


def test_job_sensor_schedule_and_pool():
    from pipelines.definitions import defs

    job = defs.resolve_job_def("majorwatch_job")
    assert {"majors", "publish_catalogs", "major_risk_scores"} <= {n.name for n in job.graph.nodes}
    assert defs.resolve_sensor_def("inbox_sensor")
    assert defs.resolve_schedule_def("yearly_catalog").cron_schedule == "0 6 1 3 *"
    assets = defs.resolve_asset_graph()
    writer = assets.get(dg.AssetKey("majors")).pools
    assert writer == {"duckdb_writer"}


def test_no_io_at_import(tmp_path, monkeypatch):
    """Importing the definitions creates nothing in the home folder."""
    import importlib

    monkeypatch.setenv("MAJORWATCH_HOME", str(tmp_path / "h"))
    import pipelines.definitions as module

    importlib.reload(module)
    assert not (tmp_path / "h").exists()


def test_inbox_sensor_requests_a_run_once_per_change(tmp_path, monkeypatch):
    from pipelines.sensors import inbox_sensor

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    monkeypatch.setenv("MAJORWATCH_INBOX", str(inbox))
    ctx = dg.build_sensor_context()
    assert isinstance(inbox_sensor(ctx), dg.SkipReason)
    (inbox / "majors.csv").write_text("专业代码\n510201\n", encoding="utf-8")
    first = inbox_sensor(ctx)
    assert isinstance(first, dg.RunRequest)
    ctx = dg.build_sensor_context(cursor=first.run_key)
    assert isinstance(inbox_sensor(ctx), dg.SkipReason)
