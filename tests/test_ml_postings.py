"""Unit tests of the posting industry classifier and its text hashing."""

from __future__ import annotations

import numpy as np
import polars as pl

from ml.postings import classify, target_label, train_classifier
from ml.text_hash import CharNgramHasher

WORDS = {"13": ["饲料", "屠宰", "粮食加工", "食用油"], "65": ["软件开发", "程序员", "数据库", "前端"],
         "72": ["会计", "咨询", "人力资源", "审计"]}


def _postings(n: int = 600, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        code = ["1310", "6511", "7241"][i % 3]
        words = WORDS[code[:2]]
        rows.append({"posting_id": f"P{i}", "title": f"{rng.choice(words)}专员",
                     "description": "负责" + "、".join(rng.choice(words, 3)) + "相关工作",
                     "industry_code": code if i % 10 else None})
    return pl.DataFrame(rows)


def test_hasher_counts_grams_and_is_deterministic():
    h = CharNgramHasher(n_features=2**10, max_chars=10)
    m = h.transform(["软件", "", "软件"], canonical=True)
    assert m.shape == (3, 2**10)
    assert m[1].nnz == 0
    assert m[0].nnz == 3  # 软, 件, 软件 (barring a hash collision, which these three do not have)
    assert np.isclose(m[0].sum(), 3 / np.sqrt(3))
    assert (m[0] != m[2]).nnz == 0
    assert h.transform(["a" * 50])[0].sum() == h.transform(["a" * 10])[0].sum()  # cut at max_chars


def test_target_is_the_division_for_digit_codes():
    frame = pl.DataFrame({"c": ["6511", "13", "计算机软件", " 7241 "]})
    assert frame.select(target_label("c"))["c"].to_list() == ["65", "13", "计算机软件", "72"]


def test_classifier_learns_industries_and_reports_held_out_metrics():
    postings = _postings()
    model, metrics = train_classifier(postings, seed=0)
    assert metrics["n_classes"] == 3 and metrics["n_test"] > 50
    assert metrics["accuracy"] > 0.9 and metrics["macro_f1"] > 0.9
    assert metrics["majority_accuracy"] < 0.5
    unlabelled = postings.filter(pl.col("industry_code").is_null())
    out = classify(model, unlabelled)
    assert out.columns == ["posting_id", "proposed_industry_code", "confidence"]
    assert out.height == unlabelled.height
    assert out["confidence"].is_between(0, 1).all()
    truth = ["13", "65", "72"]
    expected = [truth[int(p[1:]) % 3] for p in out["posting_id"]]
    assert (out["proposed_industry_code"] == pl.Series(expected)).mean() > 0.9


def test_proposals_and_confidences_are_scikit_learns_complement_naive_bayes():
    from sklearn.naive_bayes import ComplementNB

    from ml.postings import ALPHA, fit_model, posting_text

    postings = _postings(300, seed=2).filter(pl.col("industry_code").is_not_null())
    labels = postings.select(target_label("industry_code"))["industry_code"].to_numpy()
    model = fit_model(postings, labels)
    matrix = model.hasher.transform(posting_text(postings), canonical=True)
    reference = ComplementNB(alpha=ALPHA).fit(matrix, labels)
    new = _postings(90, seed=3)
    out = classify(model, new, batch=40)
    new_matrix = model.hasher.transform(posting_text(new))
    assert out["proposed_industry_code"].to_list() == list(reference.predict(new_matrix))
    best = reference.predict_proba(new_matrix).max(axis=1)
    assert np.allclose(out["confidence"].to_numpy(), best, atol=1e-5)   # float32 weights
    assert out["confidence"].min() >= 1 / 3 - 1e-6                      # the best of three classes


def test_classify_keeps_order_across_batches():
    postings = _postings(300)
    model, _ = train_classifier(postings, seed=1)
    whole = classify(model, postings)
    batched = classify(model, postings, batch=37)
    assert whole["posting_id"].to_list() == postings["posting_id"].to_list()
    assert whole.equals(batched)


def test_text_whose_lowercase_is_longer_does_not_break_the_batch():
    from ml.text_hash import CharNgramHasher

    matrix = CharNgramHasher().transform(["İstanbul 销售", "会计"])
    assert matrix.shape[0] == 2 and matrix[1].nnz > 0


def _reference_row(text: str, n_features: int, max_chars: int) -> dict[int, float]:
    """One text's hashed grams, written out one gram at a time with Python integers (the definition)."""
    mul, mix, full = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9), 0xFF51AFD7ED558CCD, 2**64 - 1
    chars = [ord(c) for c in text.lower()[:max_chars]]
    keys = []
    for n in (1, 2, 3):
        for start in range(len(chars) - n + 1):
            key = n
            for j in range(n):
                key ^= (chars[start + j] * mul[j]) & full
                key = ((key << 13) | (key >> 51)) & full
            key ^= key >> 33
            key = (key * mix) & full
            key ^= key >> 33
            keys.append(key & (n_features - 1))
    out: dict[int, float] = {}
    for k in keys:
        out[k] = out.get(k, 0.0) + 1 / np.sqrt(len(keys))
    return out


def test_hasher_matches_the_one_gram_at_a_time_definition():
    texts = ["软件开发工程师 负责Java后端", "", "会计", "İstanbul 销售", "a", "数据分析师" * 20]
    matrix = CharNgramHasher(n_features=2**12, max_chars=40).transform(texts, canonical=True)
    for i, text in enumerate(texts):
        row = matrix[i]
        got = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))
        expected = _reference_row(text, 2**12, 40)
        assert got.keys() == expected.keys()
        assert all(np.isclose(got[k], v, rtol=1e-6) for k, v in expected.items())
