"""Publish: the guiding catalog and the restriction list, written as one immutable edition."""


import dagster as dg

from assets.charts import PALETTE, bar_chart_md, preview_md, value_counts
from assets.score.majors import WARNING_ORDER, major_risk_scores
from assets.score.schools import school_major_scores
from pipelines.resources import PolicyFile
from scoring.catalog import CHINESE_HEADERS, guiding_catalog, restriction_list
from warehouse.db import WRITER_POOL, Warehouse, replace_table
from warehouse.editions import default_edition, publication_package, publish_next


class PublishConfig(dg.Config):
    """edition: the id to publish, e.g. 2026 or 2026-r2; empty = the year after the latest data."""

    edition: str = ""


@dg.multi_asset(
    specs=[
        dg.AssetSpec("guiding_catalog", group_name="publish", kinds={"duckdb", "parquet", "xlsx"},
                     deps=[major_risk_scores, school_major_scores],
                     description="专业指导性目录：每个专业一行，含指导类别、预警等级、风险分值与依据。"),
        dg.AssetSpec("restriction_list", group_name="publish", kinds={"duckdb", "parquet", "xlsx"},
                     deps=[major_risk_scores],
                     description="禁限目录：停止新设或限制招生的专业，含适用区域与依据。"),
    ],
    name="publish_catalogs",
    pool=WRITER_POOL,
)
def publish_catalogs(context: dg.AssetExecutionContext, config: PublishConfig, warehouse: Warehouse,
                     policy: PolicyFile):
    """Build both catalogs, then publish them with the school scores as one edition (CURRENT last)."""
    rules = policy.load()
    f = warehouse.read("majors", "major_risk_scores", "school_major_scores", "school_majors")
    catalog = guiding_catalog(f["majors"], f["major_risk_scores"])
    restrictions = restriction_list(f["major_risk_scores"], f["majors"])
    with warehouse.writer() as con:
        replace_table(con, "guiding_catalog", catalog)
        replace_table(con, "restriction_list", restrictions)
        package = publication_package(con, context.run.run_id, rules)
    home = warehouse.paths
    edition = config.edition or default_edition(f["school_majors"])
    result = publish_next(
        home.published, edition, explicit=bool(config.edition),
        tables={"guiding_catalog": catalog, "restriction_list": restrictions,
                "school_major_scores": f["school_major_scores"]},
        headers=CHINESE_HEADERS, package=package,
    )
    context.log.info(f"published edition {result.edition} at {result.folder}")
    edition_meta = {
        "edition": result.edition,
        "edition_folder": dg.MetadataValue.path(str(result.folder)),
        "changes_since_previous": result.changes,
        "previous_edition": result.previous or "（无）",
    }
    yield dg.MaterializeResult(asset_key="guiding_catalog", metadata={
        **edition_meta,
        "dagster/row_count": catalog.height,
        "guidance": dg.MetadataValue.md(bar_chart_md("指导类别", value_counts(catalog, "guidance", list(rules.guidance_precedence)))),
        "warning_level": dg.MetadataValue.md(
            bar_chart_md("预警等级", value_counts(catalog, "warning_level", WARNING_ORDER), PALETTE)),
        "files": dg.MetadataValue.md("\n".join(f"- `{p.name}` {p.bytes} 字节" for p in result.files)),
        "preview": dg.MetadataValue.md(preview_md(catalog.select(
            "major_code", "major_name", "guidance", "warning_level", "risk_score"), rows=10)),
    })
    yield dg.MaterializeResult(asset_key="restriction_list", metadata={
        **edition_meta,
        "dagster/row_count": restrictions.height,
        "restriction": dg.MetadataValue.md(bar_chart_md("限制类型", value_counts(restrictions, "restriction"))),
        "preview": dg.MetadataValue.md(preview_md(restrictions, rows=10, width=60)),
    })
