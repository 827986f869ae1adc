"""Throughput of the posting classifier: postings classified per second (target ≥ 50,000 on 2 cores).

Run: .venv/bin/python benchmarks/bench_classifier.py [N]. Builds N synthetic postings (Chinese title +
description of realistic length, 97 industry 大类), trains on a labelled share, then times one
`classify` call over all N and prints postings/second and its ratio to 50,000.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import polars as pl

from ml.postings import classify, train_classifier

TARGET = 50_000
TRAIN = 20_000  # labelled postings the model is trained on (80% of them; timing training is secondary)


def synthetic_postings(n: int, seed: int = 0) -> pl.DataFrame:
    """Postings whose words depend on their industry, so the classifier has something to learn."""
    rng = np.random.default_rng(seed)
    alphabet = np.array([chr(c) for c in range(0x4E00, 0x4E00 + 2500)])
    divisions = [f"{d:02d}" for d in range(1, 98)]
    vocab = {d: ["".join(rng.choice(alphabet, 2)) for _ in range(30)] for d in divisions}
    label = rng.choice(divisions, n)
    words = rng.integers(0, 30, size=(n, 40))
    titles, descs = [], []
    for i in range(n):
        v = vocab[label[i]]
        titles.append(v[words[i, 0]] + v[words[i, 1]] + "工程师")
        descs.append("岗位职责：" + "，".join(v[w] + "".join(rng.choice(alphabet, 2)) for w in words[i, 2:]))
    return pl.DataFrame({"posting_id": [str(i) for i in range(n)], "title": titles, "description": descs,
                         "industry_code": [f"{d}11" for d in label]})


def main(n: int = 200_000) -> None:
    postings = synthetic_postings(n)
    started = time.perf_counter()
    model, metrics = train_classifier(postings.head(min(n, TRAIN)), seed=0)
    print(f"training on {metrics['n_train']} postings: {time.perf_counter() - started:.1f} s, "
          f"held-out accuracy {metrics['accuracy']:.3f}")
    chars = postings.select((pl.col("title").str.len_chars() + pl.col("description").str.len_chars()).mean())
    started = time.perf_counter()
    out = classify(model, postings.drop("industry_code"))
    seconds = time.perf_counter() - started
    rate = out.height / seconds
    print(f"classified {out.height} postings (mean {chars.item():.0f} characters) in {seconds:.2f} s")
    print(f"postings/second: {rate:,.0f}  ratio to {TARGET:,}: {rate / TARGET:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
