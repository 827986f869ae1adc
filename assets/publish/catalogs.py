"""Publish: write the edition's tables and documents out as one immutable edition (CURRENT last).

Nothing is computed here: the catalogs, the figures, the watch list and the counts are assets
(assets/publish/figures.py), and so is what the edition tells against the one before it (comparisons.py) and the edition's facts are ``edition_facts``; their blocking checks
(assets/checks/outputs.py) run before this step, so a broken table never reaches an edition.
"""

import dagster as dg
import polars as pl

from assets.charts import preview_md
from assets.partitions import EDITIONS
from assets.publish.comparisons import COMPARED, comparison
from assets.publish.facts import issuance
from assets.resources import PolicyFile, Warehouse
from documents import CHANNEL_TABLES, FIGURE_TABLES, OUTCOME_TABLES, TRACK_TABLE, EditionInfo, publish_hook
from documents.edition import DEFAULT_ISSUER
from scoring.catalog import CHINESE_HEADERS
from scoring.edition import DRAFT, EditionFacts
from warehouse.changes import overridden_notes
from warehouse.current import current_edition
from warehouse.db import WRITER_POOL
from warehouse.editions import DRAFT_SUFFIX, publication_package, publish_next

PUBLISH = {"group_name": "publish", "owners": ["team:data"]}
PUBLISHED = "published_edition"
DOCUMENT_OUTS = {
    "supply_demand_bulletin": ("行业产业动态调整和人才供需状况公报（bulletin.html / bulletin.pdf）：产业清单变化、人才供需、"
                               "指导类别与预警的变化、临界专业、各区情况、往年预警回溯与数据来源。", "bulletin.pdf"),
    "matching_report": ("专业设置与产业发展匹配分析（matching_report.xlsx）：各行业门类需求与招生的结构偏离度，全市、"
                        "各区、各校的匹配度。", "matching_report.xlsx"),
}
# the tables the documents read besides the published catalogs (the figures and outcomes are assets)
DOCUMENT_SOURCES = ("industries", "industry_adjustments", "forecast_quality", "data_gaps", *FIGURE_TABLES,
                    *OUTCOME_TABLES, *CHANNEL_TABLES, TRACK_TABLE)


class PublishConfig(dg.Config):
    """issuer: who issues the documents; put_in_force: False when `edition finalize` switches CURRENT itself
    (with the review store's records); issued_on: a final edition's 印发日期 (YYYY-MM-DD, default today). The
    edition's id and state are ``edition_facts``' config."""

    issuer: str = DEFAULT_ISSUER
    put_in_force: bool = True
    issued_on: str = ""


def _changes_md(folder) -> str:
    path = folder / "changes.csv"
    if not path.exists():
        return "_无_"
    changes = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    return preview_md(changes, rows=10, width=50) if changes.height else "_与上一版相比无变化_"


@dg.multi_asset(
    outs={
        PUBLISHED: dg.AssetOut(**PUBLISH, kinds={"parquet", "xlsx", "csv"}, dagster_type=dg.Nothing, description=(
            "已发布的版次：目录、禁限目录、各数据表与文书写入一个不再修改的版次文件夹（CURRENT 最后切换）。")),
        **{name: dg.AssetOut(**PUBLISH, kinds={"pdf" if file.endswith("pdf") else "xlsx"}, description=text,
                             dagster_type=dg.Nothing, is_required=False)
           for name, (text, file) in DOCUMENT_OUTS.items()},
    },
    ins={name: dg.AssetIn() for name in (
        "edition_facts", "guiding_catalog", "restriction_list", "school_major_scores", "major_risk_scores",
        "policy_comparisons", "action_plan", "backbone_candidates", "code_history",
        "input_files", "contract_results", *DOCUMENT_SOURCES, *COMPARED)},
    partitions_def=EDITIONS,
    pool=WRITER_POOL,
    can_subset=False,
)
def publish_catalogs(context: dg.AssetExecutionContext, config: PublishConfig, warehouse: Warehouse,
                     policy: PolicyFile, **tables: pl.DataFrame):
    """Write the edition's tables and documents into one edition folder and publish it (CURRENT last)."""
    rules = policy.load()
    facts = EditionFacts.from_frame(tables["edition_facts"])
    issued = issuance(facts.state, config.issued_on, rules, warehouse.paths.review_exports)
    package = {**publication_package(tables["input_files"], tables["contract_results"], context.run.run_id, rules),
               "state": facts.state, "as_of": facts.as_of.isoformat(), **issued.package,
               **({"draft_edition": facts.draft_edition} if facts.draft_edition else {})}
    info = EditionInfo.build(facts.edition, facts.as_of, rules, state=facts.state, issuer=config.issuer,
                             confirmed=issued.confirmation is not None, doc_number=issued.doc_number,
                             issued_on=issued.issued_on)
    published = {name: tables[name] for name in ("guiding_catalog", "restriction_list", "school_major_scores")}
    # optional: a run of a subset that never made them publishes without the comparisons, the action plan and the
    # backbone list (issue 28)
    for name, table in (("policy_comparisons", "policy_comparisons"), ("actions", "action_plan"),
                        ("backbone_candidates", "backbone_candidates")):
        if tables[table].width:
            published[name] = tables[table]
    if tables["code_history"].height:  # issue 27: only a catalog with earlier codes publishes them
        published["code_history"] = tables["code_history"]
    # the track record is told when this run (or an earlier one) made it: a table with no columns was never made
    sources = {name: tables[name] for name in DOCUMENT_SOURCES if name != TRACK_TABLE or tables[name].width}
    result = publish_next(
        warehouse.paths.published, facts.edition, explicit=facts.explicit,
        suffix=DRAFT_SUFFIX if facts.state == DRAFT else "",
        overridden=overridden_notes(tables["major_risk_scores"], tables["school_major_scores"]),
        tables=published, headers=CHINESE_HEADERS, package=package,
        documents=publish_hook(sources, rules, package, info), put_in_force=config.put_in_force,
        compared=comparison(context.instance, context.partition_key, tables),
    )
    done = f"内容未变，沿用版本 {result.edition}" if result.unchanged else f"已发布版本 {result.edition}"
    outcome = f"{done}（{facts.state}）"
    if not result.in_force:  # a draft beside the final in force (warehouse.current.takes_force)
        outcome += f"；现行正式版 {current_edition(warehouse.paths.published)} 保持不变"
    context.log.info(f"{outcome}: {result.folder}")
    edition_meta = {
        "edition": result.edition,
        "data_year": facts.data_year,
        "state": facts.state,
        "as_of": facts.as_of.isoformat(),
        "outcome": outcome,
        "edition_folder": dg.MetadataValue.path(str(result.folder)),
        "changes_since_previous": result.changes,
        "review_adjustments": result.adjusted,  # changes.csv rows marked 复核调整
        "previous_edition": result.previous or "（无）",
    }
    yield dg.Output(None, output_name=PUBLISHED, metadata={
        **edition_meta,
        "changes": dg.MetadataValue.md(_changes_md(result.folder)),
        "files": dg.MetadataValue.md("\n".join(f"- `{p.name}` {p.bytes} 字节" for p in result.files)),
    })
    for name, (_, file) in DOCUMENT_OUTS.items():
        path = result.folder / file
        yield dg.Output(None, output_name=name, metadata={
            **edition_meta, "file": dg.MetadataValue.path(str(path)),
            "bytes": path.stat().st_size if path.exists() else 0})
