"""Propose the occupations (or industries) a vocational major prepares for, and measure how well.

Business meaning: the national correspondence guide maps only some majors to occupations, and the
major→industry table is incomplete. For a major without a mapping we rank candidate targets from honest
sources: majors that resemble it (similar majors share targets), targets common in its 专业类, and the
wording of its 职业面向 paragraph against the targets' names, their parent groups (小类/中类, or the
industry tree) and, where the targets table gives them, their definitions (the 大典's 定义 and 主要工作任务). Proposals are marked as proposed downstream and never replace a published mapping.

Frames: majors (major_code, major_name, class_name, category_name, optional description = 职业面向);
pairs (major_code, target_code — or occupation_code / industry_code); targets (target_code, target_name,
optional parent_code, optional description = definition — or the occupations / industries table as is).
"""

from __future__ import annotations

import pickle

import numpy as np
import polars as pl
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from ml import mapping_features as mf
from ml import tfidf
from ml.mapping_cv import as_pairs, evaluate_and_fit, evaluate_mapping, known_majors
from ml.mapping_model import CHUNK, MappingProposer, candidates, shortlist_mask

__all__ = ["MappingProposer", "as_pairs", "as_targets", "evaluate_and_fit", "evaluate_mapping", "fit_mapping_proposer",
           "fit_pickled", "propose_for_unmapped", "propose_pickled"]


def as_targets(targets: pl.DataFrame) -> pl.DataFrame:
    """target_code, target_name, parent_code, description (the 大典's definition, when given) from the occupations
    or industries table."""
    for prefix in ("target", "occupation", "industry"):
        if f"{prefix}_code" in targets.columns:
            parent = pl.col("parent_code").cast(pl.String) if "parent_code" in targets.columns else pl.lit(None)
            definition = pl.col("description") if "description" in targets.columns else pl.lit(None)
            return targets.select(pl.col(f"{prefix}_code").cast(pl.String).alias("target_code"),
                                  pl.col(f"{prefix}_name").cast(pl.String).alias("target_name"),
                                  parent.cast(pl.String).alias("parent_code"),
                                  definition.cast(pl.String).alias("description")).unique("target_code")
    raise ValueError("targets need target_code/occupation_code/industry_code")


def fit_mapping_proposer(
    majors: pl.DataFrame, pairs: pl.DataFrame, targets: pl.DataFrame, seed: int = 0,
    k_neighbours: int = 10, negative_rate: float = 0.2, shortlist: int = 50,
) -> MappingProposer:
    """Learn from the majors whose pairs are known (each scored with its own pairs left out)."""
    pairs, targets = as_pairs(pairs), as_targets(targets)
    codes, texts, parents = candidates(targets, pairs)
    known = majors.filter(pl.col("major_code").is_in(pairs["major_code"].implode())).sort("major_code")
    if known.height < 2:
        raise ValueError("at least two majors with known pairs are needed")
    vec = tfidf.fit_vectorizer([t for t in mf.major_text(majors) + sum(texts, []) if t])
    tfidf.remember_similarities(vec, mf.major_text(majors))  # once per process: the folds slice it
    col = {c: j for j, c in enumerate(codes)}
    row = {c: i for i, c in enumerate(known["major_code"].to_list())}
    p = pairs.filter(pl.col("major_code").is_in(list(row)))
    y = sparse.csr_matrix((np.ones(p.height), ([row[c] for c in p["major_code"]], [col[c] for c in p["target_code"]])),
                          shape=(len(row), len(codes)))
    params = {"k_neighbours": k_neighbours, "negative_rate": negative_rate, "shortlist": shortlist, "seed": seed}
    model = MappingProposer(vec, codes, tuple(texts), mf.membership(parents), known, y, [], params)
    rng = np.random.default_rng(seed)
    # the signals of every known major, computed once for both stages (known majors x candidates x
    # features in float32: bounded by the catalog, ~150 MB for 1,000 known majors and 1,400 industries)
    chunks = list(_training_chunks(model))
    xs, ys = [], []
    for x, lab in chunks:
        keep = lab | (rng.random(lab.size) < negative_rate)
        xs.append(x[keep])
        ys.append(lab[keep])
    stage1 = _blend(seed).fit(np.vstack(xs), np.concatenate(ys))
    stage1[-1].intercept_ = stage1[-1].intercept_ + np.log(negative_rate)  # undo negative subsampling
    model.stages = [stage1]
    xs, ys = [], []
    for x, lab in chunks:
        top = shortlist_mask(stage1.predict_proba(x)[:, 1].reshape(-1, len(codes)), shortlist).ravel()
        xs.append(x[top])
        ys.append(lab[top])
    xs, ys = np.vstack(xs), np.concatenate(ys)
    if ys.any() and not ys.all():
        model.stages.append(_blend(seed).fit(xs, ys))
    return model


def _fold(majors: pl.DataFrame, pairs: pl.DataFrame, targets: pl.DataFrame, folds: int, index: int, seed: int,
          k: int, among: list[str] | None = None) -> tuple[list[float], list[float]]:
    """Cross-validation fold ``index`` of ``folds`` (by major): fit without the held-out majors' pairs, then
    (recall@k, reciprocal rank) per held-out major. ``pairs`` as ``as_pairs`` gives them; ``among``: only these
    majors are held out (the others' pairs always train)."""
    known = known_majors(majors, pairs, among)
    test_idx = list(KFold(folds, shuffle=True, random_state=seed).split(known))[index][1]
    held = [known[i] for i in test_idx]
    model = fit_mapping_proposer(majors, pairs.filter(~pl.col("major_code").is_in(held)), targets, seed=seed)
    test = majors.filter(pl.col("major_code").is_in(held))
    order = np.argsort(-model.score(test), axis=1, kind="stable")
    codes = np.asarray(model.target_codes, dtype=object)
    truth = {mc: set(g["target_code"]) for (mc,), g in pairs.filter(pl.col("major_code").is_in(held))
             .group_by("major_code")}
    recalls, rr = [], []
    for i, mc in enumerate(test["major_code"]):
        hits = np.isin(codes[order[i]], list(truth[mc]))
        recalls.append(hits[:k].sum() / len(truth[mc]))
        rr.append(1.0 / (np.argmax(hits) + 1) if hits.any() else 0.0)
    return recalls, rr


def fit_pickled(majors: pl.DataFrame, pairs: pl.DataFrame, targets: pl.DataFrame, seed: int = 0) -> bytes:
    """``fit_mapping_proposer``'s model as pickle bytes: a worker's answer its caller saves without unpickling."""
    return pickle.dumps(fit_mapping_proposer(majors, pairs, targets, seed=seed), protocol=pickle.HIGHEST_PROTOCOL)


def propose_pickled(blob: bytes, majors: pl.DataFrame, k: int) -> pl.DataFrame:
    """``MappingProposer.propose`` of a pickled proposer (one this pipeline saved), computed where it is called."""
    model = pickle.loads(blob)  # noqa: S301 - written by this pipeline only
    return model.propose(majors, k=k)


def propose_for_unmapped(
    majors: pl.DataFrame, pairs: pl.DataFrame, targets: pl.DataFrame, k: int = 5, threshold: float = 0.5,
    seed: int = 0,
) -> pl.DataFrame:
    """Proposed targets for the majors that have no pair, keeping only scores ≥ threshold (confidence)."""
    pairs = as_pairs(pairs)
    model = fit_mapping_proposer(majors, pairs, targets, seed=seed)
    unmapped = majors.filter(~pl.col("major_code").cast(pl.String).is_in(pairs["major_code"].implode()))
    if unmapped.height == 0:
        return pl.DataFrame(schema={"major_code": pl.String, "target_code": pl.String, "score": pl.Float64,
                                    "rank": pl.Int32})
    return model.propose(unmapped, k=k).filter(pl.col("score") >= threshold)


def _blend(seed: int) -> Pipeline:
    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=3000, random_state=seed))


def _training_chunks(model: MappingProposer):
    """Known majors' features (own pairs left out) and labels, CHUNK majors at a time."""
    n, t = model.y_train.shape
    for start in range(0, n, CHUNK):
        rows = np.arange(start, min(start + CHUNK, n))
        x = model.features(model.train_frame[start:start + len(rows)], self_rows=rows)
        yield x.reshape(len(rows) * t, -1), model.y_train[rows].toarray().ravel().astype(bool)
