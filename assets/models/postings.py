"""Models: an industry proposed for every job posting that arrived without one."""

import dagster as dg
import polars as pl

import ml.postings as postings_module
from assets.models.mapping import MODELS
from assets.resources import Warehouse
from ml.postings import classify, train_classifier
from ml.registry import save_model

MIN_LABELLED = 50


class ClassifierConfig(dg.Config):
    seed: int = 0


@dg.asset(**MODELS)
def posting_industry_proposals(context: dg.AssetExecutionContext, config: ClassifierConfig, warehouse: Warehouse,
                               job_postings: pl.DataFrame) -> pl.DataFrame:
    """模型推断：为没有行业代码的招聘信息推荐行业（文本分类，附置信度），并报告留出集准确率与宏F1。"""
    postings = job_postings
    empty = pl.DataFrame(schema={"posting_id": pl.String, "proposed_industry_code": pl.String,
                                 "confidence": pl.Float64, "model_version": pl.String})
    labelled = postings.filter(pl.col("industry_code").is_not_null()).height if postings.height else 0
    if labelled < MIN_LABELLED:
        context.add_output_metadata({"note": f"带行业代码的招聘信息只有 {labelled} 条，不训练模型"})
        return empty
    model, metrics = train_classifier(postings, seed=config.seed)
    record = save_model(warehouse.paths.models / "posting_classifier", "posting_classifier", model,
                        postings_module, postings.filter(pl.col("industry_code").is_not_null())
                        .select("posting_id", "title", "industry_code"), model.params, config.seed, metrics)
    missing = postings.filter(pl.col("industry_code").is_null())
    proposals = (classify(model, missing).with_columns(model_version=pl.lit(record["version"][:16]))
                 if missing.height else empty)
    context.add_output_metadata({
        "accuracy": round(metrics["accuracy"], 4),
        "macro_f1": round(metrics["macro_f1"], 4),
        "majority_baseline_accuracy": round(metrics["majority_accuracy"], 4),
        "n_train": metrics["n_train"], "n_test": metrics["n_test"], "n_classes": metrics["n_classes"],
        "model_version": record["version"][:16],
    })
    return proposals
