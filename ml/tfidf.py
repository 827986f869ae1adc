"""TF-IDF for the mapping proposers, each piece computed once per process.

A proposer's cross-validation folds and its final fit all use the same fitted vectorizer (the same texts)
and compare the same majors' texts: the vectorizer is fitted once, each distinct text's row is made once,
and the majors' cosines come from one growing product. Everything here gives exactly (to the last bit) what
the direct scikit-learn and scipy calls give; hypothesis tests in tests/test_ml_mapping.py check it.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

_FITTED: OrderedDict[tuple[str, ...], TfidfVectorizer] = OrderedDict()
_FITTED_KEPT = 4  # the two proposers' text sets, with room: cross-validation folds share theirs
_ROWS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # vectorizer -> _Rows


def fit_vectorizer(texts: list[str]) -> TfidfVectorizer:
    """Character 1-3 gram TF-IDF (Chinese has no word boundaries; bigrams carry most meaning).

    The same texts give the same fitted vectorizer, so it is fitted once per process and shared: the
    cross-validation folds and the final fit of a proposer all fit it on every major and every candidate
    name (only the known pairs differ between them)."""
    key = tuple(texts)
    vec = _FITTED.get(key)
    if vec is None:
        vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1)
        vec.fit(texts)
        _FITTED[key] = vec
        while len(_FITTED) > _FITTED_KEPT:
            _FITTED.popitem(last=False)
    _FITTED.move_to_end(key)
    return vec


class _Rows:
    """The TF-IDF rows one fitted vectorizer has made, by text: TF-IDF is row-wise (counts, the fitted idf,
    then each row's norm), so a text's row is the same in any batch and is computed once."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.matrix: sparse.csr_matrix | None = None

    def get(self, vec: TfidfVectorizer, texts: list[str]) -> sparse.csr_matrix:
        new = [t for t in dict.fromkeys(texts) if t not in self.index]
        if new:
            block = vec.transform(new)
            base = len(self.index)
            self.index.update((t, base + i) for i, t in enumerate(new))
            self.matrix = block if self.matrix is None else sparse.vstack([self.matrix, block], format="csr")
        return self.matrix[[self.index[t] for t in texts]]


def transform(vec: TfidfVectorizer, texts: list[str]) -> sparse.csr_matrix:
    """``vec.transform(texts)``, each distinct text vectorised once per fitted vectorizer."""
    if not texts:
        return vec.transform(texts)
    rows = _ROWS.get(vec)
    if rows is None:
        rows = _ROWS[vec] = _Rows()
    return rows.get(vec, texts)


class _Gram:
    """Cosines among a set of texts, from one sparse product. The folds of a cross-validation compare their
    majors' texts with subsets of the same majors: each fold used to multiply its own TF-IDF rows (most of a
    proposer's CPU at the national catalog's size). Each entry sums the same products in the same order as
    the product of the two subsets would (row i's terms in row i's order), so a slice is equal to the last bit."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.matrix = np.zeros((0, 0))

    def add(self, vec: TfidfVectorizer, texts: list[str]) -> None:
        """Grow the product by the texts not in it yet: only their rows and columns are multiplied."""
        new = [t for t in dict.fromkeys(texts) if t not in self.index]
        if not new:
            return
        x_new = transform(vec, new)
        n = len(self.index)
        grown = np.empty((n + len(new), n + len(new)))
        grown[n:, n:] = (x_new @ x_new.T).toarray()
        if n:
            old = transform(vec, list(self.index))
            grown[:n, :n] = self.matrix
            grown[:n, n:] = (old @ x_new.T).toarray()
            grown[n:, :n] = (x_new @ old.T).toarray()
        self.matrix = grown
        self.index.update((t, n + i) for i, t in enumerate(new))

    def block(self, left: list[str], right: list[str]) -> np.ndarray | None:
        """The (left x right) cosines when every text is in the product, else None."""
        try:
            rows = np.fromiter((self.index[t] for t in left), dtype=np.int64, count=len(left))
            cols = np.fromiter((self.index[t] for t in right), dtype=np.int64, count=len(right))
        except KeyError:
            return None
        return self.matrix[np.ix_(rows, cols)]


_GRAMS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # vectorizer -> _Gram


def remember_similarities(vec: TfidfVectorizer, texts: list[str]) -> None:
    """Compute the cosines among ``texts`` once for this vectorizer, for ``similarity`` to slice (the
    proposer's fits remember every major's text: bounded by the catalog, 1,490 texts are 18 MB)."""
    gram = _GRAMS.get(vec)
    if gram is None:
        gram = _GRAMS[vec] = _Gram()
    gram.add(vec, texts)


def similarity(vec: TfidfVectorizer, left: list[str], right: list[str]) -> np.ndarray:
    """``(transform(vec, left) @ transform(vec, right).T).toarray()``: a slice of the remembered cosines
    when both lists are in them, else the product itself (a model applied once remembers nothing)."""
    gram = _GRAMS.get(vec)
    found = gram.block(left, right) if gram is not None else None
    if found is not None:
        return found
    return (transform(vec, left) @ transform(vec, right).T).toarray()
