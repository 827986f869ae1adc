"""Text and neighbour signals that say how likely a major prepares for a target (occupation or industry).

Each function returns a dense matrix (majors x candidate targets). The mapping proposer stacks them
and learns how to blend them; nothing here knows which majors are held out, so the caller decides
which majors' known pairs feed the neighbour and class signals.
"""

from __future__ import annotations

import re

import numpy as np
import polars as pl
from scipy import sparse

# Punctuation and the boilerplate of the catalog's 职业面向 paragraph (「面向……等职业，……等岗位（群）」).
_SPLIT = re.compile(r"[、，,；;。：:（）()/\s]+|以及|和|及|与")
_BOILERPLATE = re.compile(r"^面向|等职业$|等岗位$|等职业群$|岗位群$|群$|等$|的$")


def major_text(majors: pl.DataFrame) -> list[str]:
    """The text that describes a major: name, class, and the catalog's 职业面向 paragraph."""
    desc = _col(majors, "description")
    return [f"{n} {c} {d}" for n, c, d in zip(_col(majors, "major_name"), _col(majors, "class_name"), desc, strict=True)]


def orientation_fragments(description: str) -> list[str]:
    """Split a 职业面向 paragraph into the phrases it lists (occupation names, groups, posts)."""
    head = description.split("等职业")[0] if "等职业" in description else description
    out = []
    for part in _SPLIT.split(head):
        part = _BOILERPLATE.sub("", part.strip())
        if len(part) >= 2:
            out.append(part)
    return out


def orientation_posts(description: str) -> str:
    """The posts a 职业面向 paragraph names after its occupations (「……等职业，<posts>等岗位（群）」), which
    read like an occupation's 主要工作任务; the whole paragraph when it names no occupations."""
    return description.split("等职业", 1)[1] if "等职业" in description else description


def fragments(descriptions: list[str]) -> tuple[list[str], np.ndarray]:
    """The phrases of every major's 职业面向, and for each phrase the row of the major it came from."""
    frags: list[str] = []
    owner: list[int] = []
    for i, d in enumerate(descriptions):
        for f in orientation_fragments(d):
            frags.append(f)
            owner.append(i)
    return frags, np.asarray(owner, dtype=np.int64)


def fragment_max_similarity(x_frags: sparse.csr_matrix, owner: np.ndarray, n: int,
                            x_names: sparse.csr_matrix) -> np.ndarray:
    """For each of the n majors, the best cosine between any phrase of its 职业面向 (TF-IDF rows `x_frags`,
    phrase i belonging to major `owner[i]`) and each target name (TF-IDF rows `x_names`)."""
    out = np.zeros((n, x_names.shape[0]))
    if x_frags.shape[0] == 0:
        return out
    sims = (x_frags @ x_names.T).toarray()
    np.maximum.at(out, owner, sims)
    return out


def substring_hits(descriptions: list[str], names: list[str]) -> np.ndarray:
    """1 where a target's name (at least 3 characters) literally occurs in the major's 职业面向."""
    out = np.zeros((len(descriptions), len(names)))
    for j, name in enumerate(names):
        if len(name) < 3:
            continue
        for i, d in enumerate(descriptions):
            if name in d:
                out[i, j] = 1.0
    return out


def own_pairs(y_train: sparse.csr_matrix, self_rows: np.ndarray | None, n: int) -> np.ndarray:
    """Each query's own known pairs (a zero row when the query is not a training major)."""
    out = np.zeros((n, y_train.shape[1]), dtype=np.float32)
    if self_rows is not None:
        hit = self_rows >= 0
        out[hit] = y_train[self_rows[hit]].toarray()
    return out


def neighbour_votes(
    sim: np.ndarray, y_train: sparse.csr_matrix, k: int, power: float, self_rows: np.ndarray | None
) -> np.ndarray:
    """Similarity-weighted share of the k most similar known majors that map to each target.

    `sim` is (query majors x training majors); `self_rows[i]` is query i's own training row (or -1),
    which is left out so that a training major never votes for itself.
    """
    sim = sim.copy()
    if self_rows is not None:
        hit = np.flatnonzero(self_rows >= 0)
        sim[hit, self_rows[hit]] = -1.0
    k = max(1, min(k, sim.shape[1] - 1))
    idx = np.argpartition(-sim, k - 1, axis=1)[:, :k]
    w = np.clip(np.take_along_axis(sim, idx, axis=1), 0.0, None) ** power
    rows = np.repeat(np.arange(sim.shape[0]), k)
    weights = sparse.csr_matrix((w.ravel(), (rows, idx.ravel())), shape=sim.shape)
    votes = (weights @ y_train).toarray()
    total = w.sum(axis=1, keepdims=True)
    return np.divide(votes, total, out=np.zeros_like(votes), where=total > 0)


def group_prior(
    query_groups: list[str], train_groups: list[str], y_train: sparse.csr_matrix, own: np.ndarray
) -> np.ndarray:
    """Share of the other known majors in the same group (专业类 or 专业大类) that map to each target."""
    groups = sorted(set(train_groups))
    gi = {g: i for i, g in enumerate(groups)}
    member = sparse.csr_matrix(
        (np.ones(len(train_groups)), (np.array([gi[g] for g in train_groups]), np.arange(len(train_groups)))),
        shape=(len(groups), len(train_groups)),
    )
    counts = (member @ y_train).toarray()
    sizes = np.asarray(member.sum(axis=1)).ravel()
    out = np.zeros((len(query_groups), y_train.shape[1]))
    for i, g in enumerate(query_groups):
        if g in gi:
            n = sizes[gi[g]] - (1 if own[i].any() else 0)
            if n > 0:
                out[i] = (counts[gi[g]] - own[i]) / n
    return out


def _col(frame: pl.DataFrame, name: str) -> list[str]:
    if name not in frame.columns:
        return [""] * frame.height
    return [v or "" for v in frame[name].cast(pl.String).to_list()]


def membership(groups: list[str]) -> sparse.csr_matrix:
    """Targets x groups indicator (a target with no parent forms its own group)."""
    keys = [g or f"__self{i}" for i, g in enumerate(groups)]
    index = {g: i for i, g in enumerate(sorted(set(keys)))}
    return sparse.csr_matrix(
        (np.ones(len(keys)), (np.arange(len(keys)), [index[g] for g in keys])), shape=(len(keys), len(index))
    )


def sibling_spread(signal: np.ndarray, member: sparse.csr_matrix) -> np.ndarray:
    """Strongest signal among a target's siblings (same parent group): related occupations travel together."""
    out = np.zeros_like(signal)
    m = member.tocsc()
    for g in range(m.shape[1]):
        idx = m.indices[m.indptr[g]:m.indptr[g + 1]]
        if len(idx) > 1:
            out[:, idx] = signal[:, idx].max(axis=1, keepdims=True)
    return out


def row_relative(signal: np.ndarray) -> np.ndarray:
    """Signal divided by the major's strongest value: how a target compares with the major's best."""
    top = signal.max(axis=1, keepdims=True)
    return np.divide(signal, top, out=np.zeros_like(signal), where=top > 0)


def centroid_similarity(
    x_query: sparse.csr_matrix, x_train: sparse.csr_matrix, y_train: sparse.csr_matrix, own: np.ndarray
) -> np.ndarray:
    """Cosine between a major and the summed text of the known majors of each target.

    `own` holds each query's own pairs (training majors): its own text is taken out of those sums.
    """
    s = (y_train.T @ x_train).tocsr()
    dots = (x_query @ s.T).toarray()
    norm2 = np.asarray(s.multiply(s).sum(axis=1)).ravel()[None, :].repeat(x_query.shape[0], axis=0)
    self_norm = np.asarray(x_query.multiply(x_query).sum(axis=1))
    dots = dots - own * self_norm
    norm2 = norm2 - own * (2 * (dots + own * self_norm) - self_norm)
    return np.divide(dots, np.sqrt(np.clip(norm2, 1e-12, None)), out=np.zeros_like(dots), where=norm2 > 1e-9)
