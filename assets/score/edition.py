"""Score: the edition's facts (data year, id, as_of, state), derived once for every later step."""

import hashlib
import warnings
from dataclasses import asdict

import dagster as dg
import polars as pl

from assets.partitions import EDITIONS
from scoring.edition import DRAFT, latest_year
from scoring.edition import edition_facts as derive
from warehouse.db import WRITER_POOL


class EditionConfig(dg.Config):
    """edition: the id to publish, e.g. 2026 or 2026-r2 (empty = the year after the latest data); state:
    征求意见稿 (a draft, published as <id>-draft for objections) or 正式 (the final edition, after review);
    draft_edition: for a final edition, the draft it finalizes."""

    edition: str = ""
    state: str = DRAFT
    draft_edition: str = ""


def partition_year(context: dg.AssetExecutionContext) -> int | None:
    """The data year the run's edition partition names (None outside the edition partitions, e.g. by province)."""
    if context.assets_def.partitions_def != EDITIONS or not context.has_partition_key:
        return None
    return int(context.partition_key)


@dg.asset(group_name="score", kinds={"duckdb", "polars"}, pool=WRITER_POOL, owners=["team:data"],
          partitions_def=EDITIONS, ins={"school_majors": dg.AssetIn(metadata={"columns": ["year"]})})
def edition_facts(context: dg.AssetExecutionContext, config: EditionConfig,
                  school_majors: pl.DataFrame) -> dg.Output[pl.DataFrame]:
    """本版次的基本事实（一行）：数据年份、版本号、基准日（数据年份最后一天）与状态；之后每一步都读这一行，不再各自推算。"""
    data_year = latest_year(school_majors)
    year = partition_year(context)
    if year is not None and data_year is not None and year != data_year:
        raise dg.Failure(f"所选版次分区为 {year} 年的数据，但仓库中的专业点招生就业数据截至 {data_year} 年："
                         f"请先读入 {year} 年的收件箱，或选择 {data_year} 年的分区")
    try:
        facts = derive(year if year is not None else data_year, config.edition, config.state, config.draft_edition)
    except ValueError as exc:
        raise dg.Failure(str(exc)) from exc
    # the facts' own version: another edition id or state (run config, not code or data) makes every step after stale
    version = hashlib.sha256(repr(sorted(asdict(facts).items())).encode()).hexdigest()
    with warnings.catch_warnings():  # Output's data_version is marked beta in Dagster 1.13
        warnings.simplefilter("ignore", dg.BetaWarning)
        return dg.Output(facts.frame(), data_version=dg.DataVersion(version), metadata={
            "data_year": facts.data_year, "edition": facts.edition, "as_of": facts.as_of.isoformat(),
            "state": facts.state})
