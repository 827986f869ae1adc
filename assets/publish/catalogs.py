"""Publish: the guiding catalog and the restriction list, written as one immutable edition."""

import dagster as dg
import polars as pl

from assets.charts import PALETTE, bar_chart_md, preview_md, value_counts
from assets.resources import PolicyFile, Warehouse
from scoring.catalog import CHINESE_HEADERS, guiding_catalog, restriction_list
from scoring.palette import WARNING_ORDER
from warehouse.db import WRITER_POOL
from warehouse.editions import default_edition, publication_package, publish_next

EDITION_TAG = "majorwatch/edition"  # set by `majorwatch run --edition` on the run
PUBLISH = {"group_name": "publish", "kinds": {"duckdb", "parquet", "xlsx"}, "owners": ["team:data"]}


class PublishConfig(dg.Config):
    """edition: the id to publish, e.g. 2026 or 2026-r2; empty = the year after the latest data."""

    edition: str = ""


def _changes_md(folder) -> str:
    path = folder / "changes.csv"
    if not path.exists():
        return "_无_"
    changes = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    return preview_md(changes, rows=10, width=50) if changes.height else "_与上一版相比无变化_"


@dg.multi_asset(
    outs={
        "guiding_catalog": dg.AssetOut(**PUBLISH, description="专业指导性目录：每个专业一行，含指导类别、预警等级、风险分值与依据。"),
        "restriction_list": dg.AssetOut(**PUBLISH, description="禁限目录：停止新设或限制招生的专业，含适用区域与依据。"),
    },
    pool=WRITER_POOL,
)
def publish_catalogs(context: dg.AssetExecutionContext, config: PublishConfig, warehouse: Warehouse,
                     policy: PolicyFile, majors: pl.DataFrame, school_majors: pl.DataFrame,
                     major_risk_scores: pl.DataFrame, school_major_scores: pl.DataFrame,
                     input_files: pl.DataFrame, contract_results: pl.DataFrame):
    """Build both catalogs, then publish them with the school scores as one edition (CURRENT last)."""
    rules = policy.load()
    catalog = guiding_catalog(majors, major_risk_scores)
    restrictions = restriction_list(major_risk_scores, majors)
    package = publication_package(input_files, contract_results, context.run.run_id, rules)
    requested = config.edition or context.run.tags.get(EDITION_TAG, "")
    edition = requested or default_edition(school_majors)
    result = publish_next(
        warehouse.paths.published, edition, explicit=bool(requested),
        tables={"guiding_catalog": catalog, "restriction_list": restrictions,
                "school_major_scores": school_major_scores},
        headers=CHINESE_HEADERS, package=package,
    )
    outcome = (f"内容未变，沿用版本 {result.edition}" if getattr(result, "unchanged", False)
               else f"已发布版本 {result.edition}")
    context.log.info(f"{outcome}: {result.folder}")
    edition_meta = {
        "edition": result.edition,
        "outcome": outcome,
        "edition_folder": dg.MetadataValue.path(str(result.folder)),
        "changes_since_previous": result.changes,
        "previous_edition": result.previous or "（无）",
    }
    yield dg.Output(catalog, output_name="guiding_catalog", metadata={
        **edition_meta,
        "guidance": dg.MetadataValue.md(
            bar_chart_md("指导类别", value_counts(catalog, "guidance", list(rules.guidance_precedence)))),
        "warning_level": dg.MetadataValue.md(
            bar_chart_md("预警等级", value_counts(catalog, "warning_level", WARNING_ORDER), PALETTE)),
        "changes": dg.MetadataValue.md(_changes_md(result.folder)),
        "files": dg.MetadataValue.md("\n".join(f"- `{p.name}` {p.bytes} 字节" for p in result.files)),
    })
    yield dg.Output(restrictions, output_name="restriction_list", metadata={
        **edition_meta,
        "restriction": dg.MetadataValue.md(bar_chart_md("限制类型", value_counts(restrictions, "restriction"))),
    })
