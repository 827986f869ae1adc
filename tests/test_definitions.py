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
    for name in ("rejected_rows", "input_files", "contract_results"):
        assert specs[name].group_name == "ingest" and specs[name].description
    for name in ("major_industry_exposure", "major_market_signals", "major_risk_scores", "school_major_scores",
                 "posting_demand"):
        assert specs[name].group_name == "score" and specs[name].description
    for name in ("labor_forecasts", "forecast_quality", "proposed_major_industries", "posting_industry_proposals"):
        assert specs[name].group_name == "models" and specs[name].description
    for spec in specs.values():
        assert spec.kinds and spec.owners == ["team:data"], spec.key
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


def test_signatures_carry_the_lineage():
    """What a score or publish asset reads is exactly its declared inputs: nothing arrives by a table name."""
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    parents = {key.to_user_string(): {p.to_user_string() for p in graph.get(key).parent_keys}
               for key in graph.get_all_asset_keys()}
    assert parents["major_market_signals"] == {
        "majors", "industries", "major_industry_map", "major_occupation_map", "labor_market", "school_majors",
        "proposed_major_industries", "labor_forecasts", "forecast_quality", "posting_demand", "code_changes",
        "data_gaps"}
    assert parents["data_gaps"] == {"school_majors", "labor_market", "job_postings"}  # every input with a time axis
    assert parents["posting_demand"] == {"job_postings", "posting_industry_proposals"}
    assert parents["guiding_catalog"] == {"majors", "major_risk_scores"}
    # publishing reads the tables it writes out, the edition's facts and the provenance; it computes none of them
    assert {"input_files", "contract_results", "edition_facts", "guiding_catalog", "restriction_list",
            "school_major_scores", "watch_list", "edition_counts", "matching_scores", "edition_changes",
            "industry_list_changes", "edition_history"} <= parents["published_edition"]
    # what reads the published editions says so: a new edition makes it stale
    assert parents["edition_changes"] == {"published_editions", "edition_facts", "guiding_catalog", "restriction_list",
                                          "code_history", "major_risk_scores", "school_major_scores"}
    assert parents["edition_history"] == {"published_editions", "edition_facts", "edition_counts"}
    assert parents["industry_list_changes"] == {"published_editions", "edition_facts", "industries",
                                                "industry_adjustments"}
    assert "published_editions" in parents["warning_track_record"] & parents["backtest_verdicts"]
    # as_of and the edition id come from edition_facts alone, not from the data again
    assert {"edition_facts"} <= parents["major_industry_exposure"] & parents["major_risk_scores"]
    assert "school_majors" not in parents["major_industry_exposure"] | parents["major_risk_scores"]
    assert parents["forecast_quality"] == {"labor_market"}


def test_editions_are_partitions_of_the_score_and_publish_assets():
    """Each edition is a partition (its data year): ingest and the models are not partitioned, the rest is."""
    from assets.partitions import EDITIONS
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    by_group = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        by_group.setdefault(node.group_name, set()).add(node.partitions_def)
    assert by_group["score"] == by_group["publish"] == {EDITIONS}
    assert by_group["ingest"] == by_group["models"] == {None}
    for job in ("majorwatch_job", "score_and_publish", "finalize_edition"):
        assert defs.resolve_job_def(job).partitions_def == EDITIONS


def test_every_asset_has_its_stage_code_version_and_every_input_its_inbox_file():
    """What Dagster needs to tell a stale asset: a code version on every asset (one per stage, from its code) and
    each input downstream of its file's observable source asset (data version: the file's SHA-256)."""
    from assets.versions import STAGES, code_version
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    for key in dg.AssetSelection.all().resolve(graph):
        node = graph.get(key)
        assert node.code_version == code_version(node.group_name) and node.group_name in STAGES, key
    assert len({code_version(stage) for stage in STAGES}) == len(STAGES)
    for name in load_contracts():
        source = graph.get(dg.AssetKey(["inbox", name]))
        assert source.is_observable and not source.is_materializable
        assert dg.AssetKey(["inbox", name]) in graph.get(dg.AssetKey(name)).parent_keys


def test_jobs_sensors_schedule_and_pool():
    from pipelines.definitions import defs

    job = defs.resolve_job_def("majorwatch_job")
    assert {"ingest_inbox", "publish_catalogs", "major_risk_scores"} <= {n.name for n in job.graph.nodes}
    stages = {name: {n.name for n in defs.resolve_job_def(name).graph.nodes}
              for name in ("refresh_inputs", "score_and_publish", "evaluate_models")}
    assert stages["refresh_inputs"] == {"ingest_inbox", "data_gaps"}  # the inputs and the years missing from them
    assert "publish_catalogs" in stages["score_and_publish"] and "ingest_inbox" not in stages["score_and_publish"]
    assert stages["evaluate_models"] == {"labor_forecasts", "proposed_major_industries", "proposed_major_occupations",
                                         "posting_industry_proposals", "warning_backtest"}
    assert defs.resolve_sensor_def("inbox_sensor")
    assert defs.resolve_sensor_def("failure_log").minimum_interval_seconds <= 10   # failures logged within seconds
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


def test_inbox_sensor_observes_the_files_and_requests_the_stale_assets_once_per_change(tmp_path):
    """On a change of the inbox's listing the sensor records each file's SHA-256 as its source asset's data
    version and requests the stale assets of the inbox's edition (all of them on an instance with no run yet)."""
    import hashlib

    from assets.resources import Inbox, Warehouse
    from pipelines.definitions import defs

    sensor = defs.resolve_sensor_def("inbox_sensor")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    resources = {"inbox": Inbox(path=str(inbox)), "warehouse": Warehouse(home=str(tmp_path / "home"))}
    instance = dg.DagsterInstance.ephemeral()
    with dg.build_sensor_context(resources=resources, instance=instance) as ctx:
        assert isinstance(sensor(ctx), dg.SkipReason)
    (inbox / "majors.csv").write_text("专业代码\n510201\n", encoding="utf-8")
    (inbox / "school_majors.csv").write_text("学校代码,专业代码,年份,招生人数\n4111010001,510201,2023,30\n4111010001,510201,2024,31\n",
                                            encoding="utf-8")
    with dg.build_sensor_context(resources=resources, instance=instance) as ctx:
        result = sensor(ctx)
    assert isinstance(result, dg.SensorResult) and len(result.run_requests) == 1
    first = result.run_requests[0]
    assert first.tags["majorwatch/inbox"] == first.run_key
    # the edition partition is the inbox's data year, added to the instance's editions
    assert first.partition_key == "2024" and instance.get_dynamic_partitions("edition") == ["2024"]
    graph = defs.resolve_asset_graph()
    assert set(first.asset_selection) == dg.AssetSelection.all().resolve(graph)   # nothing materialized yet
    versions = {e.asset_key.to_user_string(): e.tags["dagster/data_version"] for e in result.asset_events}
    assert versions["inbox/majors"] == hashlib.sha256((inbox / "majors.csv").read_bytes()).hexdigest()
    assert versions["inbox/labor_market"] == "absent" and len(versions) == len(load_contracts()) + 1
    assert versions["published_editions"] == "absent"  # observed with the files: none published yet
    with dg.build_sensor_context(cursor=first.run_key, resources=resources, instance=instance) as ctx:
        assert isinstance(sensor(ctx), dg.SkipReason)


def test_docs_tables_md_is_generated_from_the_definitions():
    """docs/tables.md cannot drift: it must equal what `majorwatch docs` renders from the asset graph."""
    from pipelines.definitions import defs
    from pipelines.tables_doc import DOC, render

    text = render(defs)
    assert DOC.read_text(encoding="utf-8") == text, "docs/tables.md is stale: run `majorwatch docs`"
    for key in defs.resolve_asset_graph().get_all_asset_keys():
        assert f"| `{key.to_user_string()}` |" in text
