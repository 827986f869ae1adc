"""Models: industries proposed for the majors that have no row in major_industry_map."""

import dagster as dg
import polars as pl

import ml.mapping as mapping_module
from assets.charts import preview_md
from ml.mapping import evaluate_mapping, fit_mapping_proposer
from ml.registry import save_model
from warehouse.db import WRITER_POOL, Warehouse, replace_table

MIN_MAPPED = 10


class ProposalConfig(dg.Config):
    """threshold: the least confidence a proposed industry needs; seed: for a reproducible model."""

    threshold: float = 0.5
    top_k: int = 5
    seed: int = 0


@dg.asset(
    group_name="models", kinds={"scikitlearn", "duckdb"}, pool=WRITER_POOL,
    deps=["majors", "industries", "major_industry_map"],
)
def proposed_major_industries(config: ProposalConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    """模型推断：为没有专业—行业对应的专业推荐行业（附置信度与模型版本），评分时标注「模型推断」。"""
    f = warehouse.read("majors", "industries", "major_industry_map")
    majors, pairs, industries = f["majors"], f["major_industry_map"], f["industries"]
    empty = pl.DataFrame(schema={"major_code": pl.String, "industry_code": pl.String, "score": pl.Float64,
                                 "rank": pl.Int32, "model_version": pl.String})
    mapped = pairs["major_code"].n_unique() if pairs.height else 0
    if mapped < MIN_MAPPED:
        with warehouse.writer() as con:
            replace_table(con, "proposed_major_industries", empty)
        return dg.MaterializeResult(metadata={"dagster/row_count": 0,
                                              "note": f"只有 {mapped} 个专业有行业对应，不足以训练模型"})
    metrics = evaluate_mapping(majors, pairs, industries, folds=5, seed=config.seed)
    model = fit_mapping_proposer(majors, pairs, industries, seed=config.seed)
    unmapped = majors.filter(~pl.col("major_code").is_in(pairs["major_code"].implode()))
    record = save_model(warehouse.paths.models / "mapping_industry", "mapping_industry", model, mapping_module,
                        pairs.select("major_code", "industry_code"), {**model.params, "threshold": config.threshold},
                        config.seed, metrics)
    proposals = empty
    if unmapped.height:
        proposals = (model.propose(unmapped, k=config.top_k).filter(pl.col("score") >= config.threshold)
                     .rename({"target_code": "industry_code"})
                     .with_columns(model_version=pl.lit(record["version"][:16])).select(empty.columns))
    with warehouse.writer() as con:
        replace_table(con, "proposed_major_industries", proposals)
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
