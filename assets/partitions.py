"""Editions as Dagster partitions: one partition per data year, so the UI shows each edition's runs,
materializations and checks side by side, and a past year can be run again (a backfill of its partition).

The scoring and publishing assets are partitioned; ingest and the models are not (they hold what the inbox
holds). A run names its partition: `majorwatch run`, the inbox sensor and the yearly schedule take it from
the inbox's data (``inbox_data_year``), and ``edition_facts`` refuses a partition the data does not match.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import polars as pl

from data_contracts.spec import load_contracts
from inbox.ingest import inbox_sources
from inbox.readers import find_input, read_input
from scoring.edition import latest_year
from warehouse.errors import InputError

EDITIONS = dg.DynamicPartitionsDefinition(name="edition")
PARTITION_TAG = "dagster/partition"


def inbox_data_year(inbox: Path) -> int | None:
    """The latest data year of the inbox's school_majors file (read as ingest reads it), within the contract's
    range; None when the inbox has no such file or it cannot be read (the run's contract check says why)."""
    contract = load_contracts()["school_majors"]
    try:
        path = find_input(Path(inbox), contract) if Path(inbox).is_dir() else None
        if path is None:
            return None
        frame = read_input(path, contract, sources=inbox_sources(Path(inbox))).frame.select("year")
    except InputError:
        return None
    rule = contract.columns["year"]
    years = frame["year"].cast(pl.String).str.strip_chars().cast(pl.Int64, strict=False)
    return latest_year(frame.with_columns(year=years).filter(pl.col("year").is_between(rule.min, rule.max)))


def edition_partition(instance: dg.DagsterInstance, year: int) -> str:
    """The partition key of a data year, added to the instance's editions if it is new."""
    key = str(year)
    if not instance.has_dynamic_partition(EDITIONS.name, key):
        instance.add_dynamic_partitions(EDITIONS.name, [key])
    return key
