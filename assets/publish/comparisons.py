"""Publish: what an edition tells against the edition before it, computed once as assets before it is published.

The publication compares with the edition in force when it publishes (``CURRENT``: datapackage.json's
``previous_edition``); these assets read that edition's Parquet tables, so they depend on the published editions
(an observable source): a newly published or finalized edition makes them stale. The publication writes them out
when it publishes the id they were computed for against that same edition, else (a revision -rN, another edition
put in force since) computes them itself with the same functions (warehouse.publish.Comparison).
"""

import dagster as dg
import polars as pl

from assets.ingest.sources import PUBLISHED_EDITIONS
from assets.partitions import EDITIONS
from assets.resources import Warehouse
from documents import comparison_tables
from scoring.edition import DRAFT, EditionFacts
from warehouse.changes import compute_changes, overridden_notes
from warehouse.current import current_edition
from warehouse.db import WRITER_POOL
from warehouse.editions import DRAFT_SUFFIX, publication_id
from warehouse.publish import Comparison, previous_tables

PUBLISH = {"group_name": "publish", "owners": ["team:data"]}
COMPARED = {
    "industry_list_changes": "产业清单的变化：与上一版相比新增、移除或调整适用区域的行业（公报「产业清单变化」一节）。",
    "edition_history": "历年各版的预警专业数：本版与此前每个数据年份的版次中各预警等级的专业数（公报与门户的历年对比）。",
    "edition_changes": "与上一版相比的专业变化（changes.csv 的各行）：新增、移除，指导类别、预警等级或限制变化，以及复核调整。",
}
# what each reads besides edition_facts and the edition it compares with
READS = {"industry_list_changes": ("industries", "industry_adjustments"), "edition_history": ("edition_counts",),
         "edition_changes": ("guiding_catalog", "restriction_list", "code_history", "major_risk_scores",
                             "school_major_scores")}
# what the publication reads of the previous edition for them
PREVIOUS_TABLES = ("guiding_catalog", "restriction_list", "industry_adjustments", "edition_history")


def edition_id(facts: EditionFacts) -> str:
    """The id the publication publishes the edition under first (publish_next; a revision -rN only when it is taken)."""
    return publication_id(facts.edition, DRAFT_SUFFIX if facts.state == DRAFT else "")


def comparison_basis(instance: dg.DagsterInstance, partition: str) -> tuple[str, str | None] | None:
    """The edition id and previous edition the comparisons of ``partition`` were last computed for (their
    materialization's metadata), None when they never were."""
    records = instance.fetch_materializations(dg.AssetRecordsFilter(
        asset_key=dg.AssetKey("edition_changes"), asset_partitions=[partition]), limit=1).records
    if not records or records[0].asset_materialization is None:
        return None
    meta = records[0].asset_materialization.metadata
    return str(meta["edition"].value), str(meta["previous_edition"].value) or None


@dg.multi_asset(
    outs={name: dg.AssetOut(**PUBLISH, kinds={"duckdb", "polars"}, description=text) for name, text in COMPARED.items()},
    deps=[PUBLISHED_EDITIONS],  # the edition in force, compared with
    internal_asset_deps={name: {dg.AssetKey(n) for n in ("edition_facts", *reads)} | {PUBLISHED_EDITIONS}
                         for name, reads in READS.items()},
    pool=WRITER_POOL,
    partitions_def=EDITIONS,
)
def edition_comparisons(warehouse: Warehouse, edition_facts: pl.DataFrame, industries: pl.DataFrame,
                        industry_adjustments: pl.DataFrame, edition_counts: pl.DataFrame,
                        guiding_catalog: pl.DataFrame, restriction_list: pl.DataFrame,
                        code_history: pl.DataFrame, major_risk_scores: pl.DataFrame,
                        school_major_scores: pl.DataFrame):
    """The edition against the edition in force (none: a first edition, nothing moved), as publish_edition compares."""
    facts = EditionFacts.from_frame(edition_facts)
    root = warehouse.paths.published
    previous = current_edition(root)
    prior = previous_tables(root, previous, PREVIOUS_TABLES)
    edition = edition_id(facts)
    tables = {**comparison_tables({"industries": industries, "industry_adjustments": industry_adjustments,
                                   "edition_counts": edition_counts}, prior, edition, facts.as_of, facts.state),
              "edition_changes": compute_changes(prior, {"guiding_catalog": guiding_catalog,
                                                         "restriction_list": restriction_list,
                                                         "code_history": code_history},
                                                 overridden_notes(major_risk_scores, school_major_scores))}
    for name in COMPARED:  # the basis the publication checks (comparison_basis); the warehouse adds the preview
        yield dg.Output(tables[name], output_name=name, metadata={"edition": edition, "previous_edition": previous or ""})


def comparison(instance: dg.DagsterInstance, partition: str, tables: dict[str, pl.DataFrame]) -> Comparison | None:
    """The comparisons as the publication takes them (with the edition and previous edition they were computed for)."""
    basis = comparison_basis(instance, partition)
    return None if basis is None else Comparison(*basis, {name: tables[name] for name in COMPARED})
