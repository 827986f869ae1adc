"""Publish: the guiding catalog, the restriction list and the edition's documents, as one immutable edition."""

import dagster as dg
import polars as pl

from assets.charts import PALETTE, bar_chart_md, preview_md, value_counts
from assets.resources import PolicyFile, Warehouse
from documents import EditionInfo, edition_date, publish_hook
from documents.edition import DEFAULT_ISSUER, DRAFT, FINAL
from scoring.catalog import CHINESE_HEADERS, guiding_catalog, restriction_list
from scoring.dates import default_as_of
from scoring.overrides import overridden_majors
from scoring.palette import WARNING_ORDER
from scoring.upgrade import home_rows
from warehouse.db import WRITER_POOL
from warehouse.editions import DRAFT_SUFFIX, default_edition, publication_package, publish_next
from warehouse.table import WarehouseTable

LATEST_COLUMNS = ("school_code", "major_code", "year", "enrolled", "graduates")
LATEST_YEAR = "year = (SELECT max(year) FROM school_majors)"  # fixed SQL, no values
EDITION_TAG = "majorwatch/edition"  # set by `majorwatch run --edition` on the run
PUBLISH = {"group_name": "publish", "owners": ["team:data"]}
DOCUMENT_OUTS = {
    "supply_demand_bulletin": ("行业产业动态调整和人才供需状况公报（bulletin.html / bulletin.pdf）：产业清单变化、人才供需、"
                               "指导类别与预警的变化、临界专业、各区情况与数据来源。", "bulletin.pdf"),
    "matching_report": ("专业设置与产业发展匹配分析（matching_report.xlsx）：各行业门类需求与招生的结构偏离度，全市、"
                        "各区、各校的匹配度。", "matching_report.xlsx"),
}


class PublishConfig(dg.Config):
    """edition: the id to publish, e.g. 2026 or 2026-r2 (empty = the year after the latest data); state:
    征求意见稿 (a draft, published as <id>-draft for objections) or 正式 (the final edition, after review);
    issuer: who issues the documents; draft_edition: for a final edition, the draft it finalizes."""

    edition: str = ""
    state: str = DRAFT
    issuer: str = DEFAULT_ISSUER
    draft_edition: str = ""


def latest_offerings(school_majors: WarehouseTable) -> pl.DataFrame:
    """What publishing reads of school_majors (millions of offering-years nationally): the latest year's rows,
    the columns the documents' supply figures use. Its latest year is the table's, so the edition id, its
    date and as-of are the same as from the whole table."""
    return school_majors.read(LATEST_COLUMNS, where=LATEST_YEAR)


def _changes_md(folder) -> str:
    path = folder / "changes.csv"
    if not path.exists():
        return "_无_"
    changes = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    return preview_md(changes, rows=10, width=50) if changes.height else "_与上一版相比无变化_"


@dg.multi_asset(
    outs={
        "guiding_catalog": dg.AssetOut(**PUBLISH, kinds={"duckdb", "parquet", "xlsx"},
                                       description="专业指导性目录：每个专业一行，含指导类别、预警等级、风险分值与依据。"),
        "restriction_list": dg.AssetOut(**PUBLISH, kinds={"duckdb", "parquet", "xlsx"},
                                        description="禁限目录：停止新设或限制招生的专业，含适用区域与依据。"),
        **{name: dg.AssetOut(**PUBLISH, kinds={"pdf" if file.endswith("pdf") else "xlsx"}, description=text,
                             dagster_type=dg.Nothing, is_required=False)
           for name, (text, file) in DOCUMENT_OUTS.items()},
    },
    pool=WRITER_POOL,
    can_subset=False,
)
def publish_catalogs(context: dg.AssetExecutionContext, config: PublishConfig, warehouse: Warehouse,
                     policy: PolicyFile, majors: pl.DataFrame, school_majors: WarehouseTable,
                     major_risk_scores: pl.DataFrame, school_major_scores: pl.DataFrame,
                     input_files: pl.DataFrame, contract_results: pl.DataFrame, industries: pl.DataFrame,
                     major_industry_map: pl.DataFrame, schools: pl.DataFrame, labor_market: pl.DataFrame,
                     posting_demand: pl.DataFrame, industry_adjustments: pl.DataFrame,
                     labor_forecasts: pl.DataFrame, forecast_quality: pl.DataFrame, policy_comparisons: pl.DataFrame,
                     action_plan: pl.DataFrame, backbone_candidates: pl.DataFrame):
    """Build both catalogs, write the documents into the edition, publish it (CURRENT last)."""
    rules = policy.load()
    school_majors = latest_offerings(school_majors)
    catalog = guiding_catalog(majors, major_risk_scores)
    restrictions = restriction_list(major_risk_scores, majors)
    if config.state not in (DRAFT, FINAL):
        raise dg.Failure(f"版次状态只能是「{DRAFT}」或「{FINAL}」，收到：{config.state}")
    as_of = default_as_of(school_majors)
    package = {**publication_package(input_files, contract_results, context.run.run_id, rules),
               "state": config.state, "as_of": as_of.isoformat(),
               **({"draft_edition": config.draft_edition} if config.draft_edition else {})}
    requested = config.edition or context.run.tags.get(EDITION_TAG, "")
    edition = requested or default_edition(school_majors)
    sources = {"industries": industries, "majors": majors, "major_industry_map": major_industry_map,
               "school_majors": school_majors, "schools": schools, "labor_market": home_rows(labor_market),
               "posting_demand": posting_demand, "industry_adjustments": industry_adjustments,
               "labor_forecasts": home_rows(labor_forecasts), "forecast_quality": forecast_quality}
    info = EditionInfo.build(edition, edition_date(school_majors), rules, state=config.state, issuer=config.issuer)
    result = publish_next(
        warehouse.paths.published, edition, explicit=bool(requested),
        suffix=DRAFT_SUFFIX if config.state == DRAFT else "", overridden=overridden_majors(major_risk_scores),
        tables={"guiding_catalog": catalog, "restriction_list": restrictions,
                "school_major_scores": school_major_scores,
                # optional: a run of a subset that never made the comparisons publishes without them
                **({"policy_comparisons": policy_comparisons} if policy_comparisons.width else {}),
                # the action plan and the backbone list (issue 28); a subset run without them publishes without
                **({"actions": action_plan} if action_plan.width else {}),
                **({"backbone_candidates": backbone_candidates} if backbone_candidates.width else {})},
        headers=CHINESE_HEADERS, package=package, documents=publish_hook(sources, rules, package, info),
    )
    done = f"内容未变，沿用版本 {result.edition}" if result.unchanged else f"已发布版本 {result.edition}"
    outcome = f"{done}（{config.state}）"
    context.log.info(f"{outcome}: {result.folder}")
    edition_meta = {
        "edition": result.edition,
        "state": config.state,
        "as_of": as_of.isoformat(),
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
    for name, (_, file) in DOCUMENT_OUTS.items():
        path = result.folder / file
        yield dg.Output(None, output_name=name, metadata={
            **edition_meta, "file": dg.MetadataValue.path(str(path)),
            "bytes": path.stat().st_size if path.exists() else 0})
