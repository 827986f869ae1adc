"""Character n-gram hashing for Chinese job-posting text, vectorised with numpy.

Business meaning: a pipeline run may classify millions of postings, so turning text into features must
run at well over 50,000 postings per second on two cores. It does what scikit-learn's
`HashingVectorizer(analyzer="char", ngram_range=(1, 3), alternate_sign=False, norm="l2")` does (hashed
counts of 1–3 character grams, non-negative), but hashes all grams of a batch in a
few numpy operations instead of a Python loop per document (HashingVectorizer measured about 4,000
postings/s on 200-character texts here). The hash function differs, so the two are not interchangeable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

_MUL = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))
_MIX = np.uint64(0xFF51AFD7ED558CCD)


@dataclass(frozen=True)
class CharNgramHasher:
    """Stateless text → sparse matrix transformer (no fitting, so training and serving always agree)."""

    n_features: int = 2**15
    ngram_range: tuple[int, int] = (1, 3)
    max_chars: int = 64  # characters kept per document: the title, then the description's start

    def transform(self, texts: list[str], canonical: bool = False) -> sparse.csr_matrix:
        """Hashed 1–3 character gram counts, one row per text, scaled by 1/sqrt(grams in the text).

        Rows keep repeated columns (a gram seen twice is two entries), which products with a weight
        matrix treat as counts; `canonical=True` merges them (for fitting).
        """
        if self.n_features & (self.n_features - 1):
            raise ValueError("n_features must be a power of two")
        # lower() before measuring: it can lengthen a string ('İ' → 'i̇'), and lengths must match the codes
        clipped = [(t or "").lower()[: self.max_chars] for t in texts]
        lengths = np.fromiter(map(len, clipped), dtype=np.int64, count=len(clipped))
        codes = np.frombuffer("".join(clipped).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        doc = np.repeat(np.arange(len(clipped), dtype=np.int32), lengths)
        lo, hi = self.ngram_range
        grams = sum(np.clip(lengths - n + 1, 0, None) for n in range(lo, hi + 1))
        scale = (1.0 / np.sqrt(np.maximum(grams, 1))).astype(np.float32)
        size, mask = codes.size, np.uint64(self.n_features - 1)
        cols = np.zeros((size, hi - lo + 1), dtype=np.int32)  # column g: the gram of length lo+g starting at i
        valid = np.zeros((size, hi - lo + 1), dtype=bool)
        spare = np.empty(size, dtype=np.uint64)
        for g, n in enumerate(range(lo, hi + 1)):
            count = max(size - n + 1, 0)
            key, tmp = np.full(count, np.uint64(n), dtype=np.uint64), spare[:count]
            for j in range(n):  # in place: these arrays hold every character of the batch
                np.multiply(codes[j:j + count], _MUL[j], out=tmp)
                key ^= tmp
                np.right_shift(key, np.uint64(51), out=tmp)
                key <<= np.uint64(13)
                key |= tmp
            np.right_shift(key, np.uint64(33), out=tmp)
            key ^= tmp
            key *= _MIX
            np.right_shift(key, np.uint64(33), out=tmp)
            key ^= tmp
            key &= mask
            cols[:count, g] = key
            valid[:count, g] = doc[:count] == doc[n - 1:]
        # position-major order: each text's grams are contiguous and in row order, ``grams`` of them per text
        indptr = np.concatenate([[0], np.cumsum(grams)])
        total = sparse.csr_matrix((np.repeat(scale, grams), cols.ravel()[valid.ravel()], indptr),
                                  shape=(len(clipped), self.n_features))
        if canonical:
            total.sum_duplicates()
        return total
