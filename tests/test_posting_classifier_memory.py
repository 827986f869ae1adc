"""The posting classifier asset on a lazy job_postings table: a capped, deterministic training sample
(a tiny cap here), a training hash from DuckDB, every unlabelled posting classified once in batches."""

from __future__ import annotations

import json

import dagster as dg
import polars as pl

from assets.models.postings import posting_industry_proposals
from assets.resources import Warehouse, WarehouseIOManager
from ml.postings import train_classifier
from ml.postings_sample import training_sample
from tests.test_ml_postings import _postings

POSTINGS = _postings(600)


def _run(home, postings: pl.DataFrame, **config):
    @dg.asset(name="job_postings")
    def stub() -> pl.DataFrame:
        return postings

    result = dg.materialize(
        [stub, posting_industry_proposals],
        resources={"warehouse": Warehouse(home=str(home)), "io_manager": WarehouseIOManager(home=str(home))},
        run_config={"ops": {"posting_industry_proposals": {"config": config}}})
    assert result.success
    meta = {k: v.value for k, v in result.asset_materializations_for_node("posting_industry_proposals")[0]
            .metadata.items()}
    return result.output_for_node("posting_industry_proposals"), meta


def test_training_is_capped_deterministic_and_classifies_every_unlabelled_posting_once(tmp_path):
    home = tmp_path / "home"
    proposals, meta = _run(home, POSTINGS, max_labelled=120, batch_rows=7)
    labelled = POSTINGS.filter(pl.col("industry_code").is_not_null())
    assert (meta["labelled_postings"], meta["training_sample"], meta["max_labelled"]) == (labelled.height, 120, 120)
    assert meta["n_train"] + meta["n_test"] == 120 and not meta["model_reused"]
    record = json.loads((home / "models" / "posting_classifier" / "posting_classifier.json").read_text("utf-8"))
    assert record["params"]["max_labelled"] == 120 and record["metrics"]["training_sample"] == 120
    assert record["training_rows"] == labelled.height                  # the hash covers every labelled posting
    # the sample is the one `majorwatch evaluate` measures (same rule in polars): the same held-out scores
    _, metrics = train_classifier(training_sample(labelled, cap=120), seed=0)
    assert round(metrics["macro_f1"], 4) == meta["macro_f1"]
    unlabelled = POSTINGS.filter(pl.col("industry_code").is_null())["posting_id"]
    assert proposals["posting_id"].to_list() == unlabelled.to_list()    # each once, in table order, across batches
    assert proposals["model_version"].n_unique() == 1

    # the same postings in another order: the same sample, so the saved model is reused
    again, meta2 = _run(home, POSTINGS.reverse(), max_labelled=120, batch_rows=1000)
    assert meta2["model_reused"] and meta2["model_version"] == meta["model_version"]
    assert again.sort("posting_id").equals(proposals.sort("posting_id"))

    # one labelled posting's text changes (wherever it is): a new training hash, a new model version
    changed = POSTINGS.with_columns(title=pl.when(pl.col("posting_id") == "P599").then(pl.lit("会计主管"))
                                    .otherwise("title"))
    _, meta3 = _run(home, changed, max_labelled=120)
    assert not meta3["model_reused"] and meta3["model_version"] != meta["model_version"]


def test_below_the_cap_the_classifier_learns_from_every_labelled_posting(tmp_path):
    proposals, meta = _run(tmp_path / "home", POSTINGS)
    labelled = POSTINGS.filter(pl.col("industry_code").is_not_null())
    _, metrics = train_classifier(POSTINGS, seed=0)                      # what the asset did before the cap
    assert meta["training_sample"] == labelled.height and meta["n_train"] == metrics["n_train"]
    assert meta["accuracy"] == round(metrics["accuracy"], 4) and meta["macro_f1"] == round(metrics["macro_f1"], 4)
    assert proposals.height == POSTINGS.height - labelled.height
