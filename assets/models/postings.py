"""Models: an industry proposed for every job posting that arrived without one.

The classifier is trained (with its held-out evaluation) only when the labelled postings, its parameters
or its code changed; new unlabelled postings are classified by the saved model. job_postings arrives as a
lazy warehouse table (tens of millions of rows nationally): the training data's hash is computed by DuckDB,
the model learns from a capped sample chosen by a hash of posting_id, and the unlabelled postings are
classified in batches, so memory does not grow with the number of postings.
"""

import dagster as dg
import polars as pl

from assets.models.mapping import MODELS, model_metadata
from assets.resources import Warehouse
from ml.postings_sample import MAX_LABELLED
from ml.workers import in_worker
from warehouse.table import BATCH_ROWS, WarehouseTable

MIN_LABELLED = 50
LABELLED, UNLABELLED = "industry_code IS NOT NULL", "industry_code IS NULL"  # fixed SQL, no values
TEXT = ("posting_id", "title", "description")


class ClassifierConfig(dg.Config):
    """max_labelled: the most labelled postings learnt from (a sample by hash of posting_id beyond it);
    batch_rows: unlabelled postings classified per batch."""

    seed: int = 0
    retrain: bool = False
    max_labelled: int = MAX_LABELLED
    batch_rows: int = BATCH_ROWS


@dg.asset(**MODELS)
def posting_industry_proposals(context: dg.AssetExecutionContext, config: ClassifierConfig, warehouse: Warehouse,
                               job_postings: WarehouseTable) -> pl.DataFrame:
    """模型推断：为没有行业代码的招聘信息推荐行业（文本分类，附置信度），并报告留出集准确率与宏F1。"""
    from ml.registry import train_or_reuse

    empty = pl.DataFrame(schema={"posting_id": pl.String, "proposed_industry_code": pl.String,
                                 "confidence": pl.Float64, "model_version": pl.String})
    available = job_postings.columns
    labelled = job_postings.count(LABELLED) if "industry_code" in available else 0
    if labelled < MIN_LABELLED:
        context.add_output_metadata({"note": f"带行业代码的招聘信息只有 {labelled} 条，不训练模型"})
        return empty
    columns = [c for c in (*TEXT, "industry_code") if c in available]
    digest = job_postings.digest(columns, LABELLED)  # changes with any labelled posting, computed in DuckDB

    def train():  # fitted in a worker, where scikit-learn is imported already (ml.workers)
        sample = job_postings.sample(config.max_labelled, "posting_id", columns, LABELLED)
        model, metrics = in_worker("ml.postings:train_classifier", sample, seed=config.seed)
        return model, {**metrics, "labelled_postings": labelled, "training_sample": sample.height}

    trained = train_or_reuse(warehouse.paths.models / "posting_classifier", "posting_classifier",
                             ("ml.postings", "ml.text_hash"), digest,
                             {"seed": config.seed, "max_labelled": config.max_labelled}, config.seed, train,
                             retrain=config.retrain)
    context.log.info(f"posting_classifier: {trained.reason}")
    metrics = trained.record["metrics"]
    text = [c for c in TEXT if c in columns]

    def classify_all(model) -> pl.DataFrame:
        from ml.postings import classify

        parts = [classify(model, batch).with_columns(model_version=pl.lit(trained.short_version))
                 for batch in job_postings.batches(text, UNLABELLED, size=config.batch_rows)]
        return pl.concat(parts) if parts else empty

    # the same model on the same unlabelled postings gives the same proposals: reused, not recomputed
    unlabelled = job_postings.digest(text, UNLABELLED)
    proposals, _ = trained.output({"unlabelled": unlabelled.sha256, "rows": unlabelled.rows}, classify_all)
    context.add_output_metadata({
        "accuracy": round(metrics["accuracy"], 4),
        "macro_f1": round(metrics["macro_f1"], 4),
        "majority_baseline_accuracy": round(metrics["majority_accuracy"], 4),
        "n_train": metrics["n_train"], "n_test": metrics["n_test"], "n_classes": metrics["n_classes"],
        "labelled_postings": labelled, "max_labelled": config.max_labelled,
        "training_sample": metrics.get("training_sample", min(labelled, config.max_labelled)),
        "classified_in_batches_of": config.batch_rows,
        **model_metadata(trained),
    })
    return proposals
