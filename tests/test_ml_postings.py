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
