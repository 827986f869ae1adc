"""The fitted major→target proposer: candidate targets, their signals and a two-stage learned blend.

A target is an occupation (职业分类大典 细类) or an industry (GB/T 4754); the candidates are the targets at
the code levels the known pairs use. Stage one (a logistic regression over all candidates) finds the
plausible few; stage two (a logistic regression fitted only on each known major's top candidates)
orders them. Scores are probabilities in [0, 1].
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline

from ml import mapping_features as mf
from ml import tfidf

FEATURES = (
    "knn_votes", "knn_votes_near", "class_prior", "category_prior", "text_name", "name_name",
    "fragment_name", "fragment_parent", "fragment_grandparent", "substring_name", "substring_parent",
    "substring_grandparent", "text_parent", "popularity", "knn_sibling", "class_sibling",
    "knn_votes_rel", "text_name_rel", "name_name_rel", "fragment_name_rel", "text_parent_rel",
    "centroid", "centroid_rel", "knn_name", "fragment_sibling", "text_sibling",
    "definition_text", "definition_posts", "definition_name", "definition_text_rel", "definition_posts_rel",
    "definition_name_rel",
)
CHUNK = 256  # majors scored at a time: bounds memory to CHUNK x targets x features


@dataclass
class MappingProposer:
    """A fitted proposer: the known majors, the candidate targets and the learned blend."""

    vectorizer: TfidfVectorizer
    target_codes: list[str]
    target_texts: tuple[list[str], ...]  # name, parent name, grandparent name, definition
    sibling: sparse.csr_matrix  # targets x parent groups (same 小类 / parent industry)
    train_frame: pl.DataFrame  # the majors with known pairs, in the row order of y_train
    y_train: sparse.csr_matrix  # known majors x targets, 1 = known pair
    stages: list[Pipeline] = field(default_factory=list)
    params: dict = field(default_factory=dict)
    # the fixed texts (candidate names, known majors) and their TF-IDF rows, made once per model, not pickled:
    # every chunk of majors is compared with the same texts.
    _matrices: dict = field(default_factory=dict, repr=False, compare=False)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_matrices": {}}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update({"_matrices": {}, **state})

    def texts(self, key: str) -> list[str]:
        """The candidates' names ('name', 'parent', 'grandparent'), definitions ('definition') or the known majors'
        texts ('train_text', 'train_name'), made once per model."""
        if ("texts", key) not in self._matrices:
            fixed = dict(zip(("name", "parent", "grandparent", "definition"), self.target_texts, strict=True))
            self._matrices[("texts", key)] = fixed[key] if key in fixed else (
                mf.major_text(self.train_frame) if key == "train_text" else mf._col(self.train_frame, "major_name"))
        return self._matrices[("texts", key)]

    def matrix(self, key: str) -> sparse.csr_matrix:
        """TF-IDF rows of ``texts(key)``."""
        if key not in self._matrices:
            self._matrices[key] = tfidf.transform(self.vectorizer, self.texts(key))
        return self._matrices[key]

    def features(self, majors: pl.DataFrame, self_rows: np.ndarray | None = None) -> np.ndarray:
        """Signals for every (major, candidate): float32 array (majors, targets, len(FEATURES)).

        `self_rows[i]` is major i's row among the known majors (or -1); its own pairs are left out.
        """
        return _features(self, majors, self_rows)

    def score(self, majors: pl.DataFrame) -> np.ndarray:
        """Probability that each candidate target belongs to each major (majors x targets)."""
        parts = [self.score_features(self.features(majors[i:i + CHUNK])) for i in range(0, majors.height, CHUNK)]
        return np.vstack(parts) if parts else np.zeros((0, len(self.target_codes)))

    def score_features(self, x: np.ndarray) -> np.ndarray:
        """Apply the two stages: stage two re-orders each major's top `shortlist` of stage one."""
        n, t, f = x.shape
        flat = x.reshape(n * t, f)
        s1 = self.stages[0].predict_proba(flat)[:, 1].reshape(n, t)
        if len(self.stages) == 1:
            return s1
        top = shortlist_mask(s1, int(self.params["shortlist"]))
        s2 = self.stages[1].predict_proba(flat[top.ravel()])[:, 1]
        out = np.zeros_like(s1)
        out[top] = s2
        floor = np.where(top, out, np.inf).min(axis=1, keepdims=True)  # lowest shortlisted score
        cut = np.where(top, s1, np.inf).min(axis=1, keepdims=True)
        rest = floor * np.divide(s1, cut, out=np.zeros_like(s1), where=cut > 0) * 0.999
        return np.where(top, out, np.minimum(rest, floor * 0.999))

    def propose(self, majors: pl.DataFrame, k: int = 10) -> pl.DataFrame:
        """Top-k targets per major: major_code, target_code, score (0–1), rank (1 = best)."""
        s = self.score(majors)
        k = min(k, s.shape[1])
        order = np.argsort(-s, axis=1, kind="stable")[:, :k]
        codes = np.asarray(self.target_codes, dtype=object)
        return pl.DataFrame({
            "major_code": np.repeat(majors["major_code"].cast(pl.String).to_numpy(), k).tolist(),
            "target_code": codes[order].ravel().tolist(),
            "score": np.take_along_axis(s, order, axis=1).ravel().astype(np.float64),
            "rank": np.tile(np.arange(1, k + 1, dtype=np.int32), len(s)),
        }, schema={"major_code": pl.String, "target_code": pl.String, "score": pl.Float64, "rank": pl.Int32})


def shortlist_mask(scores: np.ndarray, n: int) -> np.ndarray:
    """True for each row's n best candidates."""
    n = max(1, min(n, scores.shape[1]))
    idx = np.argpartition(-scores, n - 1, axis=1)[:, :n]
    mask = np.zeros(scores.shape, dtype=bool)
    np.put_along_axis(mask, idx, True, axis=1)
    return mask


def _features(m: MappingProposer, majors: pl.DataFrame, self_rows: np.ndarray | None) -> np.ndarray:
    text = mf.major_text(majors)
    x_text, x_mnames = tfidf.transform(m.vectorizer, text), tfidf.transform(m.vectorizer, mf._col(majors, "major_name"))
    x_train = m.matrix("train_text")
    own = mf.own_pairs(m.y_train, self_rows, majors.height)
    sim = tfidf.similarity(m.vectorizer, text, m.texts("train_text"))  # = (x_text @ x_train.T).toarray()
    counts = np.asarray(m.y_train.sum(axis=0)).ravel()[None, :] - own  # own pairs must not add popularity
    votes = mf.neighbour_votes(sim, m.y_train, int(m.params["k_neighbours"]), 2.0, self_rows)
    class_prior = mf.group_prior(mf._col(majors, "class_name"), mf._col(m.train_frame, "class_name"), m.y_train, own)
    cen = mf.centroid_similarity(x_text, x_train, m.y_train, own)
    name_sim = (x_mnames @ m.matrix("train_name").T).toarray()
    known = {  # the signals that depend on which pairs are known (they differ between cross-validation folds)
        "knn_votes": votes,
        "knn_votes_near": mf.neighbour_votes(sim, m.y_train, 3, 1.0, self_rows),
        "class_prior": class_prior,
        "category_prior": mf.group_prior(mf._col(majors, "category_name"), mf._col(m.train_frame, "category_name"),
                                         m.y_train, own),
        "popularity": np.log1p(counts) / np.log1p(max(m.y_train.shape[0], 1)),
        "knn_sibling": mf.sibling_spread(votes, m.sibling),
        "class_sibling": mf.sibling_spread(class_prior, m.sibling),
        "knn_votes_rel": mf.row_relative(votes),
        "centroid": cen,
        "centroid_rel": mf.row_relative(cen),
        "knn_name": mf.neighbour_votes(name_sim, m.y_train, 5, 2.0, self_rows),
    }
    out = np.empty((majors.height, len(m.target_codes), len(FEATURES)), dtype=np.float32)
    for name, values in known.items():
        out[:, :, FEATURES.index(name)] = values
    out[:, :, TEXT_COLUMNS] = _text_signals(m, majors)
    return out


TEXT_FEATURES = (
    "text_name", "name_name", "fragment_name", "fragment_parent", "fragment_grandparent", "substring_name",
    "substring_parent", "substring_grandparent", "text_parent", "text_name_rel", "name_name_rel",
    "fragment_name_rel", "text_parent_rel", "fragment_sibling", "text_sibling",
    "definition_text", "definition_posts", "definition_name", "definition_text_rel", "definition_posts_rel",
    "definition_name_rel",
)
TEXT_COLUMNS = [FEATURES.index(name) for name in TEXT_FEATURES]
_TEXT_SIGNALS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # vectorizer -> {candidates: {major: rows}}


def _text_signals(m: MappingProposer, majors: pl.DataFrame) -> np.ndarray:
    """The TEXT_FEATURES of each major (majors, candidates, features) in float32, each major's computed once per
    process, fitted vectorizer and candidate set. They compare a major's own wording with the candidates' names
    and do not depend on the known pairs, so every cross-validation fold of a proposer asks for the same rows:
    each row is computed from that major's text alone (sparse products and maxima are row by row), so a row
    remembered from another batch is equal to the last bit."""
    keys = list(zip(mf._col(majors, "major_name"), mf._col(majors, "class_name"), mf._col(majors, "description"),
                    strict=True))
    memo = _TEXT_SIGNALS.setdefault(m.vectorizer, {}).setdefault(tuple(m.target_codes), {})
    missing = list(dict.fromkeys(k for k in keys if k not in memo))
    if missing:
        names, classes, descriptions = (list(column) for column in zip(*missing, strict=True))
        block = _compute_text_signals(m, names, classes, descriptions)
        memo.update((key, block[i]) for i, key in enumerate(missing))
    return np.stack([memo[k] for k in keys]) if keys else np.zeros((0, len(m.target_codes), len(TEXT_FEATURES)),
                                                                    dtype=np.float32)


def _compute_text_signals(m: MappingProposer, names: list[str], classes: list[str], desc: list[str]) -> np.ndarray:
    text = [f"{n} {c} {d}" for n, c, d in zip(names, classes, desc, strict=True)]  # = mf.major_text
    x_text, x_mnames = tfidf.transform(m.vectorizer, text), tfidf.transform(m.vectorizer, names)
    frags, owner = mf.fragments(desc)
    x_frags = tfidf.transform(m.vectorizer, frags) if frags else sparse.csr_matrix((0, len(m.vectorizer.vocabulary_)))
    x_names, parents, grand = m.matrix("name"), m.matrix("parent"), m.matrix("grandparent")
    target_names, target_parents, target_grand, _ = m.target_texts
    definitions, x_posts = m.matrix("definition"), tfidf.transform(m.vectorizer, [mf.orientation_posts(d) for d in desc])
    n = len(text)
    signals = {
        "text_name": (x_text @ x_names.T).toarray(),
        "name_name": (x_mnames @ x_names.T).toarray(),
        "fragment_name": mf.fragment_max_similarity(x_frags, owner, n, x_names),
        "fragment_parent": mf.fragment_max_similarity(x_frags, owner, n, parents),
        "fragment_grandparent": mf.fragment_max_similarity(x_frags, owner, n, grand),
        "substring_name": mf.substring_hits(desc, target_names),
        "substring_parent": mf.substring_hits(desc, target_parents),
        "substring_grandparent": mf.substring_hits(desc, target_grand),
        "text_parent": (x_text @ parents.T).toarray(),
        "definition_text": (x_text @ definitions.T).toarray(),
        "definition_posts": (x_posts @ definitions.T).toarray(),
        "definition_name": (x_mnames @ definitions.T).toarray(),
    }
    signals |= {f"{name}_rel": mf.row_relative(signals[name])
                for name in ("text_name", "name_name", "fragment_name", "text_parent", "definition_text",
                             "definition_posts", "definition_name")}
    signals["fragment_sibling"] = mf.sibling_spread(signals["fragment_name"], m.sibling)
    signals["text_sibling"] = mf.sibling_spread(signals["text_name"], m.sibling)
    return np.stack([np.asarray(signals[name], dtype=np.float32) for name in TEXT_FEATURES], axis=2)


def candidates(targets: pl.DataFrame, pairs: pl.DataFrame) -> tuple[list[str], list[list[str]], list[str]]:
    """Candidate codes at the levels the known pairs use; their own, parent and grandparent names and their
    definitions (empty where the targets give none); parents.

    Parents come from `parent_code` when given, else from the code (2-02-03-05 → 2-02-03 → 2-02).
    A pair code missing from `targets` is still a candidate (with an empty name).
    """
    name = {c: n or "" for c, n in zip(targets["target_code"], targets["target_name"], strict=True)}
    defined = dict(zip(targets["target_code"], targets["description"], strict=True)) \
        if "description" in targets.columns else {}
    given = dict(zip(targets["target_code"], targets["parent_code"], strict=True)) if "parent_code" in targets.columns else {}

    def parent(code: str) -> str:
        if given.get(code):
            return given[code]
        return code.rsplit("-", 1)[0] if "-" in code else ""

    shapes = {_shape(c) for c in pairs["target_code"].to_list()}
    codes = sorted({c for c in name if _shape(c) in shapes} | set(pairs["target_code"].to_list()))
    par = [parent(c) for c in codes]
    texts = [[name.get(c, "") for c in codes], [name.get(p, "") for p in par],
             [name.get(parent(p), "") if p else "" for p in par], [defined.get(c) or "" for c in codes]]
    return codes, texts, par


def _shape(code: str) -> int:
    """Level of a code: segments for occupation codes (2-02-10-03), length for industry codes (C3911)."""
    return code.count("-") + 10 if "-" in code else len(code)
