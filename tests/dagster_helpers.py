"""Materialize majorwatch's assets in-process on a temporary home and inbox (shared by the Dagster tests)."""

from __future__ import annotations

import dagster as dg

from assets.partitions import edition_partition, inbox_data_year
from assets.resources import resources
from data_contracts.spec import load_contracts

INGEST = list(load_contracts())


def materialize(selection: list[str], home, inbox, *, raise_on_error: bool = True, **kwargs):
    from pipelines.definitions import defs

    # a multi-asset step materializes all its outputs (publish_catalogs writes the catalogs and the documents)
    wanted = dg.AssetSelection.assets(*selection).required_multi_asset_neighbors()
    graph = defs.resolve_asset_graph()
    if any(graph.get(key).partitions_def for key in wanted.resolve(graph)) and "partition_key" not in kwargs:
        kwargs["instance"] = kwargs.get("instance") or dg.DagsterInstance.ephemeral()
        year = inbox_data_year(inbox)  # as `majorwatch run` picks the edition partition
        kwargs["partition_key"] = edition_partition(kwargs["instance"], year if year is not None else 2025)
    return dg.materialize(list(defs.assets), selection=wanted, raise_on_error=raise_on_error,
                          resources=resources(home=str(home), inbox=str(inbox)), **kwargs)


def evaluations(result) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def materialized(result) -> set[str]:
    return {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}


def refresh_inputs_job():
    from pipelines.definitions import defs

    return defs.resolve_job_def("refresh_inputs")


def evaluate_models_job():
    from pipelines.definitions import defs

    return defs.resolve_job_def("evaluate_models")
