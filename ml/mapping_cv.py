"""Cross-validation of a mapping proposer, run from a process that need not import scikit-learn.

The folds and the final fit are named (``ml.mapping:…``) and computed in worker processes forked from the
fork server, which has imported scikit-learn once (ml.workers); this module only hands out the work and
averages the answers. With ``pickled`` the final model comes back as its pickle bytes (``ml.registry.Pickled``):
the caller saves it and applies it in a worker (``ml.mapping:propose_pickled``) without ever importing
scikit-learn, about two seconds of CPU on the core a first run waits for.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ml.workers import call, worker_pool


def as_pairs(pairs: pl.DataFrame) -> pl.DataFrame:
    """major_code, target_code from a major_occupation_map / major_industry_map (or already so named)."""
    code = next(c for c in ("target_code", "occupation_code", "industry_code") if c in pairs.columns)
    return pairs.select(pl.col("major_code").cast(pl.String), pl.col(code).cast(pl.String).alias("target_code")) \
        .drop_nulls().unique().sort("major_code", "target_code")


def known_majors(majors: pl.DataFrame, pairs: pl.DataFrame, among: list[str] | None = None) -> list[str]:
    """The codes of the majors with known pairs (of those ``among``, when given), sorted: what the folds split."""
    known = set(pairs["major_code"]) & set(majors["major_code"])
    return sorted(known if among is None else known & set(among))


def _one_thread(target: str, *args, **kwargs):
    """``target`` (``module:function``) with BLAS on one thread: the summation order, and so the fitted model
    to the last bit, then does not depend on the number of cores or on whether the fit runs in a worker."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return call(target, *args, **kwargs)


def evaluate_and_fit(
    majors: pl.DataFrame, pairs: pl.DataFrame, targets: pl.DataFrame, folds: int = 5, seed: int = 0, k: int = 10,
    n_jobs: int = 1, fit: bool = True, pickled: bool = False, among: list[str] | None = None,
):
    """Cross-validate by major and (unless ``fit`` is off) fit the final proposer on every pair: (model, metrics).

    Each held-out fold's majors have all their pairs hidden from training. recall_at_10: per held-out
    major, the share of its true targets among the top k, averaged over majors; mrr: mean reciprocal rank
    of each held-out major's best-ranked true target. With ``n_jobs`` > 1 the folds and the final fit run
    in that many worker processes (ml.workers): the same fits, the same numbers, on every core. ``pickled``
    returns the final model as ``ml.registry.Pickled`` bytes, fitted in a worker even with one job, so this
    process imports no scikit-learn. ``among``: only these majors are held out and scored (e.g. one level's sheet
    of the national guide); the other majors' pairs train every fold.
    """
    pairs = as_pairs(pairs)
    majors = majors.with_columns(pl.col("major_code").cast(pl.String))
    known = known_majors(majors, pairs, among)
    tasks = [("ml.mapping:_fold", (majors, pairs, targets, folds, i, seed, k, among)) for i in range(folds)]
    if fit:
        tasks.append(("ml.mapping:fit_pickled" if pickled else "ml.mapping:fit_mapping_proposer",
                      (majors, pairs, targets, seed)))
    if n_jobs > 1 or pickled:
        with worker_pool(max(n_jobs, 1)) as pool:
            done = [f.result() for f in [pool.submit(_one_thread, target, *args) for target, args in tasks]]
    else:
        done = [_one_thread(target, *args) for target, args in tasks]
    scored, model = (done[:-1], done[-1]) if fit else (done, None)
    if pickled and model is not None:
        from ml.registry import Pickled

        model = Pickled(model)
    recalls = [x for fold_recalls, _ in scored for x in fold_recalls]
    rr = [x for _, fold_rr in scored for x in fold_rr]
    return model, {f"recall_at_{k}": float(np.mean(recalls)), "mrr": float(np.mean(rr)), "folds": folds,
                   "n_majors": len(known), "n_pairs": pairs.filter(pl.col("major_code").is_in(known)).height}


def evaluate_mapping(
    majors: pl.DataFrame, pairs: pl.DataFrame, targets: pl.DataFrame, folds: int = 5, seed: int = 0, k: int = 10,
    n_jobs: int = 1, among: list[str] | None = None,
) -> dict:
    """Cross-validate by major (see ``evaluate_and_fit``): the metrics only."""
    return evaluate_and_fit(majors, pairs, targets, folds, seed, k, n_jobs, fit=False, among=among)[1]
