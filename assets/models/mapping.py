"""Models: industries and occupations proposed for the majors whose correspondence is missing.

The proposer is trained (and cross-validated) only when its code, parameters or training inputs changed;
otherwise the saved model is loaded (ml.registry.train_or_reuse). The fits and the proposals are computed in
worker processes (ml.workers), which have scikit-learn imported already: the run's own process never imports
it, nor does loading the definitions (the UI, a run that fails on a contract).
"""

import dagster as dg
import polars as pl

from assets.resources import PROPOSERS, TrainingWorkers, Warehouse
from ml.workers import in_worker
from warehouse.db import WRITER_POOL

MIN_MAPPED = 10
INDUSTRY_MODEL, OCCUPATION_MODEL = PROPOSERS


class ProposalConfig(dg.Config):
    """threshold: the least confidence a proposal needs; seed: for a reproducible model;
    retrain: train and cross-validate even when a saved model matches (the evaluate_models job)."""

    threshold: float = 0.5
    top_k: int = 5
    seed: int = 0
    retrain: bool = False


def model_metadata(trained) -> dict:
    """What the UI and the run summary say about a model: its version and whether it was reused."""
    return {"model_version": trained.short_version, "model_reused": trained.reused, "model_note": trained.reason,
            "trained_at": trained.record.get("created", "")}


def propose(context: dg.AssetExecutionContext, config: ProposalConfig, warehouse: Warehouse, workers: TrainingWorkers,
            majors: pl.DataFrame, pairs: pl.DataFrame, targets: pl.DataFrame, *, code: str, model_name: str
            ) -> pl.DataFrame:
    """Load or (cross-validate, fit and save) one proposer and apply it: the proposals (major_code, <code>, …)."""
    from ml.registry import train_or_reuse

    empty = pl.DataFrame(schema={"major_code": pl.String, code: pl.String, "score": pl.Float64,
                                 "rank": pl.Int32, "model_version": pl.String})
    mapped = pairs["major_code"].n_unique() if pairs.height else 0
    if mapped < MIN_MAPPED or targets.height == 0:
        context.add_output_metadata({"note": f"只有 {mapped} 个专业有对应关系，不足以训练模型"})
        return empty

    def train():  # the five folds and the final fit on both cores: the same models as one after another
        from ml.mapping_cv import evaluate_and_fit

        return evaluate_and_fit(majors, pairs, targets, folds=5, seed=config.seed, n_jobs=workers.processes,
                                pickled=True)

    params = {"seed": config.seed, "folds": 5}  # the threshold only filters proposals: no retraining
    trained = train_or_reuse(warehouse.paths.models / model_name, model_name,
                             ("ml.mapping", "ml.mapping_cv", "ml.mapping_features", "ml.mapping_model", "ml.tfidf"),
                             {"majors": majors, "pairs": pairs, "targets": targets}, params, config.seed, train,
                             retrain=config.retrain)
    context.log.info(f"{model_name}: {trained.reason}")
    metrics = trained.record["metrics"]
    unmapped = majors.filter(~pl.col("major_code").is_in(pairs["major_code"].implode()))
    proposals = empty
    if unmapped.height:  # the unmapped majors come from the training inputs: the model version covers them
        proposals, reused = trained.output(
            {"threshold": config.threshold, "top_k": config.top_k, "code": code},
            lambda blob: (in_worker("ml.mapping:propose_pickled", blob, unmapped, config.top_k)
                          .filter(pl.col("score") >= config.threshold).rename({"target_code": code})
                          .with_columns(model_version=pl.lit(trained.short_version)).select(empty.columns)),
            pickled=True)
        context.log.info(f"{model_name}: proposals {'reused' if reused else 'computed'}")
    context.add_output_metadata({
        "majors_without_mapping": unmapped.height,
        "majors_with_proposal": proposals["major_code"].n_unique() if proposals.height else 0,
        "recall_at_10": round(metrics["recall_at_10"], 4),
        "mrr": round(metrics["mrr"], 4),
        "cv": f"{metrics['folds']}-fold by major over {metrics['n_majors']} mapped majors",
        "threshold": config.threshold,
        **model_metadata(trained),
    })
    return proposals


MODELS = {"group_name": "models", "kinds": {"scikitlearn", "duckdb"}, "pool": WRITER_POOL, "owners": ["team:data"]}


@dg.asset(**MODELS)
def proposed_major_industries(context: dg.AssetExecutionContext, config: ProposalConfig, warehouse: Warehouse,
                              training_workers: TrainingWorkers, majors: pl.DataFrame, industries: pl.DataFrame,
                              major_industry_map: pl.DataFrame) -> pl.DataFrame:
    """模型推断：为没有专业—行业对应的专业推荐行业（附置信度与模型版本），评分时标注「模型推断」。"""
    return propose(context, config, warehouse, training_workers, majors, major_industry_map, industries,
                   code="industry_code", model_name=INDUSTRY_MODEL)


@dg.asset(**MODELS)
def proposed_major_occupations(context: dg.AssetExecutionContext, config: ProposalConfig, warehouse: Warehouse,
                               training_workers: TrainingWorkers, majors: pl.DataFrame, occupations: pl.DataFrame,
                               major_occupation_map: pl.DataFrame) -> pl.DataFrame:
    """模型推断：为没有专业—职业对应的专业推荐职业（附置信度与模型版本），供数据团队核对后补入对应表，不参与评分。"""
    return propose(context, config, warehouse, training_workers, majors, major_occupation_map, occupations,
                   code="occupation_code", model_name=OCCUPATION_MODEL)
