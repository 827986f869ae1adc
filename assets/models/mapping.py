"""Models: industries and occupations proposed for the majors whose correspondence is missing."""

import dagster as dg
import polars as pl

import ml.mapping as mapping_module
from assets.charts import preview_md
from ml.mapping import evaluate_mapping, fit_mapping_proposer
from ml.registry import save_model
from warehouse.db import WRITER_POOL, Warehouse, replace_table

MIN_MAPPED = 10


class ProposalConfig(dg.Config):
    """threshold: the least confidence a proposal needs; seed: for a reproducible model."""

    threshold: float = 0.5
    top_k: int = 5
    seed: int = 0


def propose(config: ProposalConfig, warehouse: Warehouse, *, pairs_table: str, targets_table: str,
            code: str, table: str, model_name: str) -> dg.MaterializeResult:
    """Cross-validate, fit, save and apply one proposer; write `table` (major_code, <code>, score, …)."""
    f = warehouse.read("majors", targets_table, pairs_table)
    majors, pairs, targets = f["majors"], f[pairs_table], f[targets_table]
    empty = pl.DataFrame(schema={"major_code": pl.String, code: pl.String, "score": pl.Float64,
                                 "rank": pl.Int32, "model_version": pl.String})
    mapped = pairs["major_code"].n_unique() if pairs.height else 0
    if mapped < MIN_MAPPED or targets.height == 0:
        with warehouse.writer() as con:
            replace_table(con, table, empty)
        return dg.MaterializeResult(metadata={"dagster/row_count": 0,
                                              "note": f"只有 {mapped} 个专业有对应关系，不足以训练模型"})
    metrics = evaluate_mapping(majors, pairs, targets, folds=5, seed=config.seed)
    model = fit_mapping_proposer(majors, pairs, targets, seed=config.seed)
    unmapped = majors.filter(~pl.col("major_code").is_in(pairs["major_code"].implode()))
    record = save_model(warehouse.paths.models / model_name, model_name, model, mapping_module,
                        pairs.select("major_code", code), {**model.params, "threshold": config.threshold},
                        config.seed, metrics)
    proposals = empty
    if unmapped.height:
        proposals = (model.propose(unmapped, k=config.top_k).filter(pl.col("score") >= config.threshold)
                     .rename({"target_code": code})
                     .with_columns(model_version=pl.lit(record["version"][:16])).select(empty.columns))
    with warehouse.writer() as con:
        replace_table(con, table, proposals)
    return dg.MaterializeResult(metadata={
        "dagster/row_count": proposals.height,
        "majors_without_mapping": unmapped.height,
        "majors_with_proposal": proposals["major_code"].n_unique() if proposals.height else 0,
        "recall_at_10": round(metrics["recall_at_10"], 4),
        "mrr": round(metrics["mrr"], 4),
        "cv": f"{metrics['folds']}-fold by major over {metrics['n_majors']} mapped majors",
        "model_version": record["version"][:16],
        "threshold": config.threshold,
        "preview": dg.MetadataValue.md(preview_md(proposals, rows=10)),
    })


@dg.asset(
    group_name="models", kinds={"scikitlearn", "duckdb"}, pool=WRITER_POOL,
    deps=["majors", "industries", "major_industry_map"],
)
def proposed_major_industries(config: ProposalConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    """模型推断：为没有专业—行业对应的专业推荐行业（附置信度与模型版本），评分时标注「模型推断」。"""
    return propose(config, warehouse, pairs_table="major_industry_map", targets_table="industries",
                   code="industry_code", table="proposed_major_industries", model_name="mapping_industry")


@dg.asset(
    group_name="models", kinds={"scikitlearn", "duckdb"}, pool=WRITER_POOL,
    deps=["majors", "occupations", "major_occupation_map"],
)
def proposed_major_occupations(config: ProposalConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    """模型推断：为没有专业—职业对应的专业推荐职业（附置信度与模型版本），供数据团队核对后补入对应表，不参与评分。"""
    return propose(config, warehouse, pairs_table="major_occupation_map", targets_table="occupations",
                   code="occupation_code", table="proposed_major_occupations", model_name="mapping_occupation")
