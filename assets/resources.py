"""The Dagster resources of majorwatch: the warehouse, its IO manager, the inbox and the policy.

Every table an asset reads is one of its declared inputs: frames arrive through ``WarehouseIOManager``
(which reads the table named after the upstream asset), and the few assets that keep million-row work in
DuckDB SQL go through ``Warehouse.query``, which refuses a table that is not among the asset's inputs.
Paths come from ``EnvVar`` at run time; nothing here touches the disk at import. With ``partitioned=True``
(the national definitions, pipelines/national.py) every partition of a run gets its own home under the
configured one, ``partitions/<key>/``: its own DuckDB file, raw store, models and editions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
from pydantic import PrivateAttr

from assets.metadata import frame_metadata
from warehouse.db import connect, held_open, query_frame, release_buffers, replace_table, return_free_memory
from warehouse.home import Home
from warehouse.table import WarehouseTable


class UndeclaredReadError(RuntimeError):
    """An asset read a warehouse table that is not one of its declared inputs."""


PARTITION_TAG = "dagster/partition"


PROPOSERS = ("mapping_industry", "mapping_occupation")  # the proposers' model names (assets/models/mapping.py)


def _run_partition(context: dg.InitResourceContext, partitioned: bool) -> str | None:
    run = context.run
    return run.tags.get(PARTITION_TAG) if partitioned and run is not None else None


class _HoldsWarehouse:
    """Keeps the run's (or, with the multiprocess executor, the step's) warehouse open from its first use to
    resource teardown, so the many connections in between are cursors, not re-opened files
    (warehouse.db.held_open). Nothing is opened at set-up: a sensor that only needs the home's paths never
    touches the DuckDB file. Every step runs in the duckdb_writer pool, so the process holding the file is
    the one allowed to write. (Each resource class declares its own ``_hold`` private attribute: pydantic
    only registers private attributes declared on the model classes, not on a plain mixin.)"""

    def _held(self, path: Path) -> Path:
        if self._hold is None:
            self._hold = ExitStack()
            self._hold.enter_context(held_open(path))
        return path

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._hold is not None:
            self._hold.close()
            self._hold = None


class Warehouse(_HoldsWarehouse, dg.ConfigurableResource):
    """The DuckDB warehouse under the home folder. Opened per step (pool duckdb_writer), never at import."""

    home: str = "var"
    partitioned: bool = False
    _partition: str | None = PrivateAttr(default=None)
    _hold: ExitStack | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._partition = _run_partition(context, self.partitioned)

    @property
    def paths(self) -> Home:
        return Home.from_env(self.home).partition(self._partition)

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = connect(self._held(self.paths.ensure().warehouse))
        try:
            yield con
        finally:
            con.close()

    def query(self, context: dg.AssetExecutionContext, sql: str, params: list | None = None) -> pl.DataFrame:
        """Run SQL over the asset's declared inputs only; any other table is an error (lineage stays true)."""
        declared = {key.path[-1] for key in context.assets_def.dependency_keys}
        declared |= {key.path[-1] for key in context.assets_def.keys}
        undeclared = set(duckdb.get_table_names(sql)) - declared
        if undeclared:
            raise UndeclaredReadError(
                f"{context.assets_def.node_def.name} reads {sorted(undeclared)} without declaring them as inputs")
        with self.writer() as con:
            return query_frame(con, sql, params)


class WarehouseIOManager(_HoldsWarehouse, dg.ConfigurableIOManager):
    """Polars frames in and out of the warehouse: an asset's output is the table named after it."""

    home: str = "var"
    partitioned: bool = False
    _hold: ExitStack | None = PrivateAttr(default=None)

    def _warehouse(self, context: dg.OutputContext | dg.InputContext) -> Path:
        key = context.partition_key if self.partitioned and context.has_partition_key else None
        return self._held(Home.from_env(self.home).partition(key).ensure().warehouse)

    def handle_output(self, context: dg.OutputContext, obj: pl.DataFrame | None) -> None:
        if obj is None:
            return
        table = context.asset_key.path[-1]
        con = connect(self._warehouse(context))
        try:
            replace_table(con, table, obj)
            # the table's blocks stay cached up to DuckDB's cap after the write: 600 MB after the scale-500
            # school scores, resident through the next step's own peak (publication) unless let go here
            release_buffers(con)
        finally:
            con.close()
        context.add_output_metadata(frame_metadata(obj, table))

    def load_input(self, context: dg.InputContext) -> pl.DataFrame | WarehouseTable:
        """The upstream table as a frame; only its ``columns`` when the input's metadata names them
        (``AssetIn(metadata={"columns": [...]})``); a lazy ``WarehouseTable`` when the parameter is annotated so."""
        table = context.upstream_output.asset_key.path[-1] if context.upstream_output else context.asset_key.path[-1]
        handle = WarehouseTable(self._warehouse(context), table)
        con = connect(handle.path)
        try:
            release_buffers(con)  # what the steps before cached, before this step reads
        finally:
            con.close()
        if context.dagster_type.typing_type is WarehouseTable:
            return handle
        frame = handle.read(columns=(context.definition_metadata or {}).get("columns"))
        return_free_memory()  # the read's transient buffers, before the step's own work
        return frame


class Inbox(dg.ConfigurableResource):
    """The folder of input files for this run (empty = the home folder's inbox/)."""

    path: str = ""
    home: str = "var"
    partitioned: bool = False
    _partition: str | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._partition = _run_partition(context, self.partitioned)

    def folder(self) -> Path:
        """The inbox; in a partitioned deployment, its sub-folder named after the partition (inbox/11/ …)."""
        root = Path(self.path).expanduser().resolve() if self.path else Home.from_env(self.home).inbox
        return root / self._partition if self._partition else root


class PolicyFile(dg.ConfigurableResource):
    """The scoring policy (YAML) in force; empty = the policy shipped in scoring/policy.yaml."""

    path: str = ""

    def load(self):
        from scoring.policy import load_policy

        return load_policy(Path(self.path) if self.path else None)


class TrainingWorkers(dg.ConfigurableResource):
    """Worker processes for cross-validation and model fits (the machine card: two cores). When no
    proposer has been trained in this home yet, setting it up with the run (the in-process job sets every
    resource up before its first step) starts the fork server that imports the training code
    (ml.workers): those seconds then pass while the inputs are ingested, on the core great-expectations
    leaves free, instead of in the first model step. A home with trained models (usually reused) skips it."""

    processes: int = 2
    home: str = "var"
    partitioned: bool = False

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        models = Home.from_env(self.home).partition(_run_partition(context, self.partitioned)).models
        if self.processes > 1 and not any((models / name / f"{name}.json").exists() for name in PROPOSERS):
            from ml.workers import warm_up

            warm_up()


def resources(home: str | None = None, inbox: str | None = None, *, partitioned: bool = False) -> dict:
    """The resources of the Definitions: paths from the environment at run time, or given (tests, CLI)."""
    home_value = home if home is not None else dg.EnvVar("MAJORWATCH_HOME")
    inbox_value = inbox if inbox is not None else dg.EnvVar("MAJORWATCH_INBOX")
    return {
        "warehouse": Warehouse(home=home_value, partitioned=partitioned),
        "io_manager": WarehouseIOManager(home=home_value, partitioned=partitioned),
        "inbox": Inbox(path=inbox_value, home=home_value, partitioned=partitioned),
        "policy": PolicyFile(),
        "training_workers": TrainingWorkers(home=home_value, partitioned=partitioned),
    }
