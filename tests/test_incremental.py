"""Incremental runs: `majorwatch run` materializes the assets Dagster's versions say are stale, and nothing else.

The sample's published home is copied, one input (labor_market) gets new bytes, and the rerun's own event log
says which assets were materialized: exactly those whose upstream closure in the asset graph holds labor_market.
A second rerun with nothing changed launches nothing.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import dagster as dg
import polars as pl

from data_contracts.spec import load_contracts
from inbox.readers import find_input
from pipelines.instance import open_instance
from tests.shared_homes import copy_run, isolated_run
from warehouse.current import list_editions

CHANGED = dg.AssetKey("labor_market")


def _new_bytes(inbox: Path) -> Path:
    """labor_market with one demand figure raised by one: new bytes, the same rows and columns otherwise."""
    path = find_input(inbox, load_contracts()["labor_market"])
    assert path is not None and path.suffix == ".csv", path
    frame = pl.read_csv(path, infer_schema=False)
    column = next(c for c in ("demand", "job_openings", "openings") if c in frame.columns)
    frame = frame.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(
        (pl.col(column).cast(pl.Int64) + 1).cast(pl.String)).otherwise(pl.col(column)).alias(column))
    before = path.read_bytes()
    frame.write_csv(path)
    assert path.read_bytes() != before
    return path


def _readers(graph) -> set[dg.AssetKey]:
    """What reads the published editions, and what is built on it."""
    from assets.ingest.sources import PUBLISHED_EDITIONS

    return dg.AssetSelection.assets(PUBLISHED_EDITIONS).downstream().resolve(graph) - {PUBLISHED_EDITIONS}


def _runs_and_materialized(home: Path) -> tuple[list[str], dict[str, set[str]]]:
    """The main job's run ids, oldest first, and what each materialized (read from the event log)."""
    with open_instance(home / "dagster") as instance:
        runs = list(reversed(instance.get_runs(filters=dg.RunsFilter(job_name="majorwatch_job"))))
        done = {}
        for run in runs:
            records = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
            done[run.run_id] = {r.event_log_entry.dagster_event.asset_key.to_user_string() for r in records}
    return [r.run_id for r in runs], done


def test_a_rerun_with_only_labor_market_changed_materializes_its_downstream_alone(sample_published, tmp_path, capsys):
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    every = dg.AssetSelection.all().resolve(graph)
    # what reads the published editions is stale too: the sample's run published its edition after observing none
    readers = {key.to_user_string() for key in _readers(graph)}
    depends = {key.to_user_string() for key in every
               if CHANGED in dg.AssetSelection.assets(key).upstream().resolve(graph)} | readers
    independent = {key.to_user_string() for key in every} - depends
    run = copy_run(sample_published, tmp_path)
    before, _ = _runs_and_materialized(run.home)
    editions = list_editions(run.home / "published")
    _new_bytes(run.inbox)

    assert isolated_run(["run", "--inbox", str(run.inbox), "--home", str(run.home)]) == 0
    runs, done = _runs_and_materialized(run.home)
    assert len(runs) == len(before) + 1
    rerun = done[runs[-1]]
    assert sorted(rerun & independent) == []       # nothing that does not depend on labor_market
    assert sorted(depends - rerun) == []           # everything that does
    out = capsys.readouterr().out
    assert f"只重新生成过期的 {len(depends)} 个资产" in out and "inbox/labor_market 有新的数据版本" in out
    assert (run.home / "published" / "CURRENT").exists()
    # the same catalogs: nothing newly published, so the editions' version stays the one the readers just read
    assert list_editions(run.home / "published") == editions

    assert isolated_run(["run", "--inbox", str(run.inbox), "--home", str(run.home)]) == 0
    assert _runs_and_materialized(run.home)[0] == runs  # nothing changed: no run launched, nothing materialized
    assert "没有过期的资产，未启动运行" in capsys.readouterr().out


def test_a_missing_table_or_another_edition_makes_an_asset_and_its_downstream_stale(sample_published, tmp_path):
    """What the published home's records say is stale, without running anything (on a copy: opening an
    instance may write its files)."""
    from pipelines.definitions import defs
    from pipelines.run import edition_asked, warehouse_tables
    from pipelines.stale import stale_assets
    from warehouse.home import Home

    graph = defs.resolve_asset_graph()
    home = Home(copy_run(sample_published, tmp_path).home)
    tables = warehouse_tables(home)
    with open_instance(home.dagster_home) as instance:
        partition = next(iter(instance.get_dynamic_partitions("edition")))
        before = stale_assets(graph, instance, partition, tables=tables)
        gone = stale_assets(graph, instance, partition, tables=tables - {"majors"})
        asked = edition_asked(instance, partition, int(partition), "2099", final=False)
        same = edition_asked(instance, partition, int(partition), "", final=False)
        other = stale_assets(graph, instance, partition, tables=tables, forced=asked)
    # the inbox was observed by the run that published it, nothing changed since
    assert before == {}
    downstream = dg.AssetSelection.assets("majors").downstream().resolve(graph)
    assert set(gone) == downstream and gone[dg.AssetKey("majors")] == "仓库中没有这张表（仓库已重建）"
    assert same == {} and "2099" in asked["edition_facts"]
    assert set(other) == dg.AssetSelection.assets("edition_facts").downstream().resolve(graph)


def test_an_input_its_contract_refused_stays_stale_with_everything_after_it(sample_published, tmp_path):
    """The refused labor_market was materialized (its failed check travels with it) from the very bytes now in
    the inbox: only the failed blocking check keeps it, and what depends on it, from being taken as done."""
    from pipelines.definitions import defs
    from pipelines.run import warehouse_tables
    from pipelines.stale import stale_assets
    from warehouse.home import Home

    run = copy_run(sample_published, tmp_path)
    path = find_input(run.inbox, load_contracts()["labor_market"])
    frame = pl.read_csv(path, infer_schema=False)
    frame.with_columns(demand=pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("-1")).otherwise("demand")).write_csv(path)
    assert isolated_run(["run", "--inbox", str(run.inbox), "--home", str(run.home), "--quiet"]) == 1
    graph = defs.resolve_asset_graph()
    home = Home(run.home)
    with open_instance(home.dagster_home) as instance:
        partition = next(iter(instance.get_dynamic_partitions("edition")))
        stale = stale_assets(graph, instance, partition, tables=warehouse_tables(home))
        record = instance.get_latest_data_version_record(CHANGED, is_source=False)
        read = dg.DataProvenance.from_tags(record.event_log_entry.tags).input_data_versions
    # it read the bytes now in the inbox: by its versions alone it would be up to date
    assert read[dg.AssetKey(["inbox", "labor_market"])] == dg.DataVersion(hashlib.sha256(path.read_bytes()).hexdigest())
    assert stale[CHANGED] == "上次生成时未通过阻断性检查"
    assert set(stale) == dg.AssetSelection.assets(CHANGED).downstream().resolve(graph) | _readers(graph)


def test_a_published_edition_makes_what_reads_the_editions_stale(sample_published, tmp_path):
    """The run observed the editions before it published its own (none: ``absent``); the edition it published is a
    new data version of published_editions, so what reads the editions (the back-test, the track record) is stale.
    Another edition, or CURRENT moved, is a new version again."""
    from assets.ingest.sources import ABSENT, PUBLISHED_EDITIONS, inbox_versions, published_version
    from pipelines.definitions import defs
    from pipelines.stale import stale_assets
    from warehouse.current import current_edition, make_current
    from warehouse.home import Home

    graph = defs.resolve_asset_graph()
    home = Home(copy_run(sample_published, tmp_path).home)
    with open_instance(home.dagster_home) as instance:
        partition = next(iter(instance.get_dynamic_partitions("edition")))
        recorded = instance.get_latest_data_version_record(PUBLISHED_EDITIONS, is_source=True)
        observed = inbox_versions(home, tmp_path / "inbox")
        stale = stale_assets(graph, instance, partition, observed=observed)
    assert _version_tag(recorded) == ABSENT and observed[PUBLISHED_EDITIONS] not in (ABSENT, None)
    readers = _readers(graph)
    assert {dg.AssetKey("warning_track_record"), dg.AssetKey("backtest_verdicts")} <= readers
    assert set(stale) == readers
    for name in ("backtest_verdicts", "industry_list_changes"):  # the others: their upstream is stale first
        assert stale[dg.AssetKey(name)] == "published_editions 有新的数据版本"

    first = published_version(home)
    edition = current_edition(home.published)
    shutil.copytree(home.published / edition, home.published / f"{edition}-r2")  # a revision published beside it
    second = published_version(home)
    make_current(home.published, f"{edition}-r2")  # and put in force
    assert len({first, second, published_version(home)}) == 3
    assert published_version(home) == published_version(home)  # the same folders, the same version


def _version_tag(record) -> str | None:
    return (record.event_log_entry.tags or {}).get("dagster/data_version") if record is not None else None


def test_the_edition_publishes_the_comparison_assets_it_was_computed_with(sample_published):
    """industry_list_changes, edition_history and edition_changes are warehouse tables computed against the edition
    in force (none for the sample's first edition); the publication writes those very rows out."""
    import json

    from assets.publish.comparisons import COMPARED, comparison_basis
    from warehouse.current import current_edition
    from warehouse.hashing import rows_hash
    from warehouse.home import Home
    from warehouse.table import WarehouseTable

    home = Home(sample_published.home)
    edition = current_edition(home.published)
    folder = home.published / edition
    tables = {name: WarehouseTable(home.warehouse, name).read() for name in COMPARED}
    with open_instance(home.dagster_home) as instance:
        partition = next(iter(instance.get_dynamic_partitions("edition")))
        assert comparison_basis(instance, partition) == (edition, None)
    for name in ("industry_list_changes", "edition_history"):
        assert pl.read_parquet(folder / f"{name}.parquet").equals(tables[name]), name
    assert tables["edition_history"]["edition"].unique().to_list() == [edition]
    manifest = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    listed = next(r for r in manifest["resources"] if r["path"] == "changes.csv")
    assert listed["rows"] == tables["edition_changes"].height == 0  # a first edition: nothing moved
    assert listed["rows_hash"] == rows_hash(tables["edition_changes"])
