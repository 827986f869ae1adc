"""Model records: versions are reproducible and a saved model predicts as before."""

from __future__ import annotations

import json
import os
import pickle

import numpy as np
import polars as pl
import pytest

import ml.postings
from ml.postings import classify, train_classifier
from ml.registry import Pickled, frame_hash, load_model, model_version, save_model, train_or_reuse
from ml.workers import in_worker


def _postings() -> pl.DataFrame:
    rng = np.random.default_rng(3)
    words = {"65": ["软件", "程序", "数据"], "72": ["会计", "审计", "咨询"]}
    codes = rng.choice(["6511", "7241"], 300)
    return pl.DataFrame({"posting_id": [str(i) for i in range(300)],
                         "title": ["".join(rng.choice(words[c[:2]], 2)) for c in codes],
                         "description": [None] * 300, "industry_code": codes})


def test_frame_hash_ignores_row_order_but_not_content():
    frame = _postings()
    assert frame_hash(frame) == frame_hash(frame.reverse())
    assert frame_hash(frame) != frame_hash(frame.with_columns(pl.lit("6511").alias("industry_code")))


def test_same_seed_same_version_and_predictions(tmp_path):
    postings = _postings()
    records, outputs = [], []
    for run in ("a", "b"):
        model, metrics = train_classifier(postings, seed=7)
        records.append(save_model(tmp_path / run, "posting_classifier", model, ml.postings, postings,
                                  model.params, 7, metrics))
        loaded, record = load_model(tmp_path / run, "posting_classifier")
        outputs.append(classify(loaded, postings))
        assert record == json.loads((tmp_path / run / "posting_classifier.json").read_text(encoding="utf-8"))
    assert records[0]["version"] == records[1]["version"]
    assert records[0]["training_data_hash"] == frame_hash(postings)
    assert outputs[0].equals(outputs[1])
    assert model_version(ml.postings, "x", {"seed": 7}) != model_version(ml.postings, "x", {"seed": 8})


def test_mapping_proposer_is_deterministic_for_a_seed(tmp_path):
    import ml.mapping
    from ml.mapping import fit_mapping_proposer
    from tests.test_ml_mapping import _frames

    majors, pairs, occupations = _frames()
    saved = []
    for run in ("a", "b"):
        model = fit_mapping_proposer(majors, pairs, occupations, seed=3)
        record = save_model(tmp_path / run, "mapping_occupation", model, ml.mapping, pairs, model.params, 3, {})
        loaded, _ = load_model(tmp_path / run, "mapping_occupation")
        saved.append((record["version"], loaded.propose(majors, k=5)))
    assert saved[0][0] == saved[1][0]
    assert saved[0][1].equals(saved[1][1])


def test_a_model_pickled_in_a_worker_is_saved_as_its_bytes_and_handed_on_unopened(tmp_path):
    postings = _postings()
    blob = pickle.dumps({"weights": [1.5, 2.5]})

    def train():
        return Pickled(blob), {"score": 1.0}

    trained = train_or_reuse(tmp_path, "m", ("ml.postings",), postings, {"seed": 0}, 0, train)
    assert not trained.reused and trained.pickled == blob == (tmp_path / "m.pkl").read_bytes()
    assert trained.model == {"weights": [1.5, 2.5]}
    again = train_or_reuse(tmp_path, "m", ("ml.postings",), postings, {"seed": 0}, 0, train)
    assert again.reused and again.pickled == blob and "model" not in again.__dict__  # bytes, never unpickled
    # an output computed from the bytes (as a proposer applies them in a worker) is saved and then reused
    frame, reused = again.output({"k": 1}, lambda b: pl.DataFrame({"n": [len(b)]}), pickled=True)
    assert not reused and frame["n"][0] == len(blob) and "model" not in again.__dict__
    saved, reused = again.output({"k": 1}, lambda b: pl.DataFrame({"n": [0]}), pickled=True)
    assert reused and saved.equals(frame)


def test_in_worker_runs_a_named_function_in_another_process_and_raises_its_errors():
    assert in_worker("os:getpid") != os.getpid()
    assert in_worker("ml.postings:target_label", "code").meta.output_name() == "code"
    with pytest.raises(json.JSONDecodeError):
        in_worker("json:loads", "{")
