"""Models: an industry proposed for every job posting that arrived without one.

The classifier is trained (with its held-out evaluation) only when the labelled postings, its parameters
or its code changed; new unlabelled postings are classified by the saved model.
"""

import dagster as dg
import polars as pl

from assets.models.mapping import MODELS, model_metadata
from assets.resources import Warehouse

MIN_LABELLED = 50


class ClassifierConfig(dg.Config):
    seed: int = 0
    retrain: bool = False


@dg.asset(**MODELS)
def posting_industry_proposals(context: dg.AssetExecutionContext, config: ClassifierConfig, warehouse: Warehouse,
                               job_postings: pl.DataFrame) -> pl.DataFrame:
    """模型推断：为没有行业代码的招聘信息推荐行业（文本分类，附置信度），并报告留出集准确率与宏F1。"""
    from ml.registry import frame_hash, train_or_reuse

    postings = job_postings
    empty = pl.DataFrame(schema={"posting_id": pl.String, "proposed_industry_code": pl.String,
                                 "confidence": pl.Float64, "model_version": pl.String})
    labelled = postings.filter(pl.col("industry_code").is_not_null()) if postings.height else postings
    if labelled.height < MIN_LABELLED:
        context.add_output_metadata({"note": f"带行业代码的招聘信息只有 {labelled.height} 条，不训练模型"})
        return empty
    training = labelled.select(*[c for c in ("posting_id", "title", "description", "industry_code")
                                 if c in labelled.columns])
    trained = train_or_reuse(warehouse.paths.models / "posting_classifier", "posting_classifier",
                             ("ml.postings", "ml.text_hash"), training, {"seed": config.seed}, config.seed,
                             lambda: _train(postings, config.seed), retrain=config.retrain)
    context.log.info(f"posting_classifier: {trained.reason}")
    metrics = trained.record["metrics"]
    missing = postings.filter(pl.col("industry_code").is_null())
    proposals = empty
    if missing.height:
        proposals, _ = trained.output(
            {"postings": frame_hash(missing.select(*[c for c in ("posting_id", "title", "description")
                                                     if c in missing.columns]))},
            lambda model: _classify(model, missing).with_columns(model_version=pl.lit(trained.short_version)))
    context.add_output_metadata({
        "accuracy": round(metrics["accuracy"], 4),
        "macro_f1": round(metrics["macro_f1"], 4),
        "majority_baseline_accuracy": round(metrics["majority_accuracy"], 4),
        "n_train": metrics["n_train"], "n_test": metrics["n_test"], "n_classes": metrics["n_classes"],
        **model_metadata(trained),
    })
    return proposals


def _train(postings: pl.DataFrame, seed: int):
    from ml.postings import train_classifier

    return train_classifier(postings, seed=seed)


def _classify(model, missing: pl.DataFrame) -> pl.DataFrame:
    from ml.postings import classify

    return classify(model, missing)
