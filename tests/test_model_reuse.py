"""Train once, reuse until something changes: the registry's decision, and the model assets across runs."""

from __future__ import annotations

import polars as pl
import pytest

import ml.forecast
import ml.postings
from ml.registry import REUSED, load_model, reuse_output, train_or_reuse, training_hash
from tests.dagster_helpers import INGEST, materialize
from tests.shared_homes import SAMPLE_MODEL_ASSETS as MODEL_ASSETS
from tests.shared_homes import copy_run, plain, read_record


class Counter:
    """A stand-in trainer that counts how often it was called and returns a picklable model."""

    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return {"weights": [self.calls]}, {"cv_score": 0.5 + self.calls}


def _fit(folder, frames, trainer, params=None, **kwargs):
    return train_or_reuse(folder, "m", ml.postings, frames, params or {"seed": 0}, 0, trainer, **kwargs)


def test_the_same_inputs_load_the_saved_model_and_skip_training(tmp_path):
    frames = {"a": pl.DataFrame({"x": ["1", "2"]}), "b": pl.DataFrame({"y": [1.0]})}
    trainer = Counter()
    first = _fit(tmp_path, frames, trainer)
    second = _fit(tmp_path, {"b": frames["b"], "a": frames["a"].reverse()}, trainer)   # same rows, other order
    assert (first.reused, second.reused, trainer.calls) == (False, True, 1)
    assert second.model == first.model and second.record["metrics"] == {"cv_score": 1.5}
    assert second.reason == f"{REUSED} {first.record['version'][:16]}"


@pytest.mark.parametrize("change", ["row", "other_frame", "params", "code", "retrain"])
def test_any_change_trains_a_new_version(tmp_path, change):
    frames = {"a": pl.DataFrame({"x": ["1", "2"]}), "b": pl.DataFrame({"y": [1.0]})}
    trainer = Counter()
    first = _fit(tmp_path, frames, trainer)
    params, kwargs, module = {"seed": 0}, {}, ml.postings
    if change == "row":
        frames = {**frames, "a": pl.DataFrame({"x": ["1", "3"]})}
    elif change == "other_frame":
        frames = {**frames, "b": pl.DataFrame({"y": [2.0]})}
    elif change == "params":
        params = {"seed": 1}
    elif change == "retrain":
        kwargs = {"retrain": True}
    else:
        module = ml.forecast
    again = train_or_reuse(tmp_path, "m", module, frames, params, 0, trainer, **kwargs)
    assert not again.reused and trainer.calls == 2
    assert (again.record["version"] == first.record["version"]) == (change == "retrain")
    assert load_model(tmp_path, "m")[0] == {"weights": [2]}


@pytest.mark.parametrize("damage", ["garbage", "truncated", "missing"])
def test_a_damaged_or_missing_model_file_is_trained_again_not_fatal(tmp_path, damage):
    frames = {"a": pl.DataFrame({"x": ["1", "2"]})}
    trainer = Counter()
    _fit(tmp_path, frames, trainer)
    pkl = tmp_path / "m.pkl"
    if damage == "garbage":
        pkl.write_bytes(b"not a pickle")
    elif damage == "truncated":
        pkl.write_bytes(pkl.read_bytes()[:-5])
    else:
        pkl.unlink()
    again = _fit(tmp_path, frames, trainer)
    assert not again.reused and trainer.calls == 2 and "损坏" in again.reason
    assert _fit(tmp_path, frames, trainer).reused                      # and the new file is good again


def test_a_reused_model_is_not_unpickled_when_its_output_is_reused(tmp_path):
    frames = {"a": pl.DataFrame({"x": ["1", "2"]})}
    trainer, applied = Counter(), []

    def apply(model):
        applied.append(model)
        return pl.DataFrame({"code": ["7", "8"], "score": [0.9, float(len(applied))]})

    first = _fit(tmp_path, frames, trainer)
    out1, reused1 = first.output({"threshold": 0.5}, apply)
    second = _fit(tmp_path, frames, trainer)
    out2, reused2 = second.output({"threshold": 0.5}, apply)
    assert (reused1, reused2, len(applied)) == (False, True, 1) and out2.equals(out1)
    assert "model" not in vars(second)                                  # the pickle was never loaded
    out3, reused3 = second.output({"threshold": 0.6}, apply)            # another setting: applied again
    assert not reused3 and len(applied) == 2 and out3["score"][1] == 2.0
    assert applied[-1] == {"weights": [1]}                              # … by the saved model, loaded now


@pytest.mark.parametrize("damage", ["data", "meta"])
def test_a_damaged_saved_output_is_computed_again(tmp_path, damage):
    calls = []

    def compute():
        calls.append(1)
        return pl.DataFrame({"x": ["a", "b"]})

    reuse_output(tmp_path, "m", {"k": 1}, compute)
    target = tmp_path / ("m.output.parquet" if damage == "data" else "m.output.json")
    target.write_bytes(target.read_bytes()[:-3])
    frame, reused = reuse_output(tmp_path, "m", {"k": 1}, compute)
    assert not reused and len(calls) == 2 and frame["x"].to_list() == ["a", "b"]
    assert reuse_output(tmp_path, "m", {"k": 1}, compute)[1]


def test_training_hash_names_its_frames():
    a, b = pl.DataFrame({"x": ["1"]}), pl.DataFrame({"x": ["2"]})
    assert training_hash({"p": a, "q": b}) != training_hash({"p": b, "q": a})
    assert training_hash({"p": a}) == training_hash({"p": a.select("x")})


def _models(result) -> dict[str, dict]:
    out = {}
    for event in result.get_asset_materialization_events():
        meta = event.materialization.metadata
        if "model_reused" in meta:
            out[event.asset_key.path[-1]] = plain({k: v.value for k, v in meta.items()})
    return out


@pytest.mark.slow
def test_models_are_reused_until_their_own_inputs_change(home, sample_trained, tmp_path):
    # the first run (inputs and models on the sample, fresh home) is the session's; a copy of its home goes on
    first = {name: meta for name, meta in read_record(sample_trained)["assets"].items() if "model_reused" in meta}
    own = copy_run(sample_trained, tmp_path / "own")
    home, inbox = own.home, own.inbox
    assert set(first) == {"proposed_major_industries", "proposed_major_occupations", "labor_forecasts",
                          "posting_industry_proposals"} and not any(m["model_reused"] for m in first.values())
    second = _models(materialize([*INGEST, *MODEL_ASSETS], home, inbox))
    assert all(m["model_reused"] for m in second.values())
    assert all(second[k]["model_version"] == first[k]["model_version"] for k in first)
    assert all(second[k]["model_note"] == f"{REUSED} {first[k]['model_version']}" for k in first)
    assert second["proposed_major_industries"]["recall_at_10"] == first["proposed_major_industries"]["recall_at_10"]

    # one correspondence row fewer: only the industry proposer learns from major_industry_map
    path = inbox / "major_industry_map.csv"
    table = pl.read_csv(path, infer_schema=False)
    table.slice(1).write_csv(path)
    third = _models(materialize([*INGEST, *MODEL_ASSETS], home, inbox))
    retrained = {k for k, m in third.items() if not m["model_reused"]}
    assert retrained == {"proposed_major_industries"}
    assert third["proposed_major_industries"]["model_version"] != first["proposed_major_industries"]["model_version"]

    # a corrupted saved classifier is trained again, and the run still succeeds
    (home / "models" / "posting_classifier" / "posting_classifier.pkl").write_bytes(b"\x80\x05garbage")
    fourth = _models(materialize([*INGEST, "posting_industry_proposals"], home, inbox))
    assert not fourth["posting_industry_proposals"]["model_reused"]
    assert "损坏" in fourth["posting_industry_proposals"]["model_note"]
    assert fourth["posting_industry_proposals"]["model_version"] == first["posting_industry_proposals"]["model_version"]


def test_only_the_evaluate_models_job_forces_retraining(home):  # home: the resources read its env
    import dagster as dg

    from pipelines.definitions import defs

    forced = dg.validate_run_config(defs.resolve_job_def("evaluate_models"), {})["ops"]
    default = dg.validate_run_config(defs.resolve_job_def("majorwatch_job"), {"ops": {}})["ops"]
    ops = ("proposed_major_industries", "proposed_major_occupations", "labor_forecasts",
           "posting_industry_proposals", "warning_backtest")
    assert all(forced[op]["config"]["retrain"] is True for op in ops)
    assert all(default[op]["config"]["retrain"] is False for op in ops)
