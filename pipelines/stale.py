"""What a run must materialize: the assets whose Dagster versions say they are stale, each with its reason.

Dagster records with every materialization the asset's code version and the data version of every input it
read (its provenance). An asset of the run's edition partition is stale when:
- it was never materialized (for that partition), or the warehouse lacks its table (a rebuilt warehouse);
- its code version is not the one it was materialized with (assets/versions.py);
- an input's data version is not the one it read: an inbox file's SHA-256 (assets/ingest/sources.py), or an
  upstream asset's version, which Dagster derives from that asset's own code and input versions;
- an upstream asset is stale itself (it will be rematerialized, with a new version);
- its last materialization failed a blocking check (what is downstream must not be built on it);
- its table holds another edition's rows (the warehouse keeps one edition's scores at a time), or the run asks
  for what it was not materialized with (``forced``: another edition id or state).
This is the rule the UI shows as "unsynced" with its causes; it is computed here from the public
``DagsterInstance`` records so that ``majorwatch run`` and the inbox sensor can launch the stale assets alone.
Dagster's own ``RunRequest(stale_assets_only=True)`` cannot serve: it asks for the stale status of an asset
without a partition, which Dagster 1.13 reports as fresh for every partitioned asset (the edition's scores and
publication would never run).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from graphlib import TopologicalSorter

import dagster as dg

DATA_VERSION_TAG = "dagster/data_version"
DUCKDB_KIND = "dagster/kind/duckdb"


class _Records:
    """The instance's latest records, read once per (asset, partition) and per run."""

    def __init__(self, instance: dg.DagsterInstance, observed: Mapping[dg.AssetKey, str] | None = None) -> None:
        self.instance = instance
        self.observed = dict(observed or {})
        self._latest: dict[tuple, dg.EventLogRecord | None] = {}
        self._failed: dict[str, set[dg.AssetKey]] = {}

    def latest(self, key: dg.AssetKey, partition: str | None = None, *, source: bool = False):
        if (key, partition, source) not in self._latest:
            self._latest[key, partition, source] = self.instance.get_latest_data_version_record(
                key, is_source=source, partition_key=partition)
        return self._latest[key, partition, source]

    def failed_checks(self, run_id: str) -> set[dg.AssetKey]:
        """The assets whose blocking (ERROR) checks failed in a run."""
        if run_id not in self._failed:
            records = self.instance.get_records_for_run(
                run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
            evaluations = [r.event_log_entry.dagster_event.event_specific_data for r in records]
            self._failed[run_id] = {e.asset_key for e in evaluations
                                    if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR}
        return self._failed[run_id]


def _version(record) -> str | None:
    return (record.event_log_entry.tags or {}).get(DATA_VERSION_TAG) if record is not None else None


def stale_assets(graph, instance: dg.DagsterInstance, partition: str | None, *, tables: Iterable[str] | None = None,
                 forced: Mapping[str, str] | None = None, observed: Mapping[dg.AssetKey, str] | None = None,
                 ) -> dict[dg.AssetKey, str]:
    """Every materializable asset of ``graph`` (``Definitions.resolve_asset_graph()``) that is stale for
    ``partition`` (the run's edition), with its reason in Chinese.

    ``tables``: the warehouse's tables (None: not checked); ``forced``: asset name → reason, stale whatever the
    records say; ``observed``: the inbox files' data versions as just observed (else the instance's latest
    observations: the ``observe_inbox`` job must have run first)."""
    wanted = dg.AssetSelection.all().resolve(graph)
    records, forced, tables = _Records(instance, observed), dict(forced or {}), None if tables is None else set(tables)
    stale: dict[dg.AssetKey, str] = {}
    order = TopologicalSorter({key: set(graph.get(key).parent_keys) & wanted for key in wanted}).static_order()
    for key in order:
        node = graph.get(key)
        part = partition if node.partitions_def is not None else None
        reason = forced.get(key.path[-1]) or _reason(graph, records, key, part, partition, stale, tables)
        if reason:
            stale[key] = reason
    return stale


def _reason(graph, records: _Records, key: dg.AssetKey, part: str | None, partition: str | None,
            stale: dict[dg.AssetKey, str], tables: set[str] | None) -> str | None:
    node = graph.get(key)
    record = records.latest(key, part)
    if record is None:
        return "从未生成" + (f"（版次 {part}）" if part else "")
    if tables is not None and DUCKDB_KIND in node.tags and key.path[-1] not in tables:
        return "仓库中没有这张表（仓库已重建）"
    if part is not None:
        last = records.latest(key)
        if last is not None and last.partition_key != part:
            return f"仓库中的表是版次 {last.partition_key} 的"
    if key in records.failed_checks(record.run_id):
        return "上次生成时未通过阻断性检查"
    provenance = dg.DataProvenance.from_tags(record.event_log_entry.tags or {})
    if provenance is None or provenance.code_version != node.code_version:
        return "代码已变化"
    for parent in sorted(node.parent_keys, key=lambda k: k.to_user_string()):
        name = parent.to_user_string()
        if parent in stale:
            return f"上游 {name} 将重新生成"
        parent_node = graph.get(parent)
        parent_part = partition if parent_node.partitions_def is not None else None
        if parent in records.observed:  # a file just observed, not yet recorded
            if provenance.input_data_versions.get(parent) != dg.DataVersion(records.observed[parent]):
                return f"{name} 有新的数据版本"
            continue
        latest = records.latest(parent, parent_part, source=not parent_node.is_materializable)
        if latest is None:
            continue  # a file never observed: its version is unknown, nothing to compare with
        if not _read_as_is(provenance, parent, latest, partitioned=parent_part is not None):
            return f"{name} 有新的数据版本"
    return None


def _read_as_is(provenance: dg.DataProvenance, parent: dg.AssetKey, latest, *, partitioned: bool) -> bool:
    """Whether the materialization recorded in ``provenance`` read the parent's current version. Dagster records
    a partitioned input as the SHA-256 of its partitions' data versions joined in key order: here one partition,
    the run's edition."""
    if provenance.input_storage_ids.get(parent) == latest.storage_id:
        return True  # the very event it read
    current, recorded = _version(latest), provenance.input_data_versions.get(parent)
    if current is None or recorded is None:
        return False
    return recorded.value == (hashlib.sha256(current.encode()).hexdigest() if partitioned else current)


def run_selection(graph, stale: Iterable[dg.AssetKey]) -> list[dg.AssetKey]:
    """The stale assets with the outputs their steps cannot leave out (a multi-asset that cannot subset)."""
    keys = list(stale)
    if not keys:
        return []
    return sorted(dg.AssetSelection.assets(*keys).required_multi_asset_neighbors().resolve(graph),
                  key=lambda k: k.to_user_string())


__all__ = ["run_selection", "stale_assets"]
