"""Model records: a saved model next to a JSON record saying exactly what produced it, reused until that changes.

Business meaning: every proposal or forecast the commission sees must be traceable to one model
version. The version is the SHA-256 of the model code (its modules' source and the versions of the
libraries it runs on), the training data hash and the parameters, so the same code, data and settings
always give the same version.

Whether a model asset runs at all is Dagster's to say: `majorwatch run` materializes only the stale assets
(pipelines/stale.py), and a model asset is stale only when its code version or a training input's data version
changed, the very cases in which this record's version changes too. The record stays for what Dagster's
versions do not give: the fitted model itself, kept between runs, so that an asset Dagster does rebuild with
the same code and training data (after a rebuilt warehouse, a "materialize all" in the UI, a finalize) loads
it instead of fitting and cross-validating again; and the version each proposal and forecast carries. Any
change (one row of one training input, a parameter, a line of code) trains a new one.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import io
import json
import os
import pickle
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl

from warehouse.hashing import TableDigest, rows_hash

LIBRARIES = ("scikit-learn", "numpy", "scipy", "polars")
REUSED = "模型未变，沿用已训练的模型"


def frame_hash(frame: pl.DataFrame) -> str:
    """SHA-256 of a frame's rows, independent of row and column order (the published tables' hash)."""
    return rows_hash(frame)


def training_hash(frames: pl.DataFrame | TableDigest | Mapping[str, pl.DataFrame]) -> str:
    """One hash over every frame a model learns from (by name), so a change to any of them is a new version.

    A ``TableDigest`` is a hash DuckDB already computed over training rows too many to bring into Python."""
    if isinstance(frames, TableDigest):
        return frames.sha256
    if isinstance(frames, pl.DataFrame):
        return frame_hash(frames)
    digest = hashlib.sha256()
    for name in sorted(frames):
        digest.update(f"{name}={frame_hash(frames[name])}\n".encode())
    return digest.hexdigest()


def _libraries() -> str:
    out = []
    for name in LIBRARIES:
        try:
            out.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            out.append(f"{name}==?")
    return ";".join(out)


Modules = ModuleType | str | Sequence[ModuleType | str]


def _module_names(modules: Modules) -> list[str]:
    modules = [modules] if isinstance(modules, ModuleType | str) else list(modules)
    return sorted(m if isinstance(m, str) else m.__name__ for m in modules)


def source_digest(modules: Modules) -> str:
    """SHA-256 of the modules' source files, read without importing them (a reused model never pays for
    importing scikit-learn), followed by the library versions the models run on."""
    digest = hashlib.sha256()
    for name in _module_names(modules):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError(f"model module {name} has no source file")
        digest.update(Path(spec.origin).read_bytes())
    digest.update(_libraries().encode())
    return digest.hexdigest()


def model_version(modules: Modules, data_hash: str, params: dict) -> str:
    """SHA-256 of (the model modules' source code and library versions + training data hash + params)."""
    payload = source_digest(modules) + data_hash + json.dumps(params, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class Pickled:
    """A model already pickled (by the worker process that fitted it): saved as these bytes and unpickled only
    where it is used, so the run's own process need not import the libraries it was fitted with."""

    blob: bytes


@dataclass
class TrainedModel:
    """A model ready to use, its record, and whether it was loaded (reused) or trained on this call.

    A reused model is unpickled on first use of ``model`` only: a step whose output is reused
    (``reuse_output``) never loads it, nor the libraries it was pickled with. ``pickled`` is the saved
    pickle's bytes, for a step that applies the model in a worker process (ml.workers)."""

    loader: Callable[[], Any]
    record: dict
    reused: bool
    reason: str  # Chinese: why it was reused or (re)trained
    folder: Path | None = None
    name: str = ""
    blob: bytes | None = None

    @functools.cached_property
    def model(self) -> Any:
        return self.loader()

    @property
    def pickled(self) -> bytes:
        return self.blob if self.blob is not None else pickle.dumps(self.model, protocol=pickle.HIGHEST_PROTOCOL)

    @property
    def short_version(self) -> str:
        return self.record["version"][:16]

    def output(self, key: Mapping[str, Any], compute: Callable[[Any], pl.DataFrame], *,
               pickled: bool = False) -> tuple[pl.DataFrame, bool]:
        """This model's output for ``key`` (its settings and a hash of what it is applied to): the saved
        output when the model version and the key match, else ``compute(model)`` saved for next time
        (``compute(pickle bytes)`` with ``pickled``, to apply the model in a worker)."""
        return reuse_output(self.folder, self.name, {"model_version": self.record["version"], **key},
                            lambda: compute(self.pickled if pickled else self.model))


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _save(folder: Path, name: str, model: Any, record: dict) -> dict:
    """The pickle first, then the record naming its digest: a record never points at a half-written model."""
    folder.mkdir(parents=True, exist_ok=True)
    blob = model.blob if isinstance(model, Pickled) else pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    record = {**record, "pickle_sha256": hashlib.sha256(blob).hexdigest()}
    _write_atomically(folder / f"{name}.pkl", blob)
    _write_atomically(folder / f"{name}.json",
                      json.dumps(record, ensure_ascii=False, indent=2, default=str).encode("utf-8"))
    return record


def _record(name: str, modules: Modules, training, params: dict, seed: int, metrics: dict) -> dict:
    frames = {"": training} if isinstance(training, pl.DataFrame | TableDigest) else training
    data_hash = training_hash(training)
    return {
        "name": name, "version": model_version(modules, data_hash, params),
        "module": ", ".join(_module_names(modules)), "training_data_hash": data_hash,
        "training_rows": sum(f.rows if isinstance(f, TableDigest) else f.height for f in frames.values()),
        "params": params, "seed": seed,
        "metrics": metrics, "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def save_model(
    folder: Path | str, name: str, model: Any, module: Modules,
    training: pl.DataFrame | Mapping[str, pl.DataFrame], params: dict, seed: int, metrics: dict,
) -> dict:
    """Write <folder>/<name>.pkl and <folder>/<name>.json; return the record."""
    return _save(Path(folder), name, model, _record(name, module, training, params, seed, metrics))


def _checked_blob(folder: Path, name: str, record: dict) -> bytes:
    """The pickle's bytes; ValueError when they are not the ones the record names (truncated, overwritten)."""
    blob = (folder / f"{name}.pkl").read_bytes()
    expected = record.get("pickle_sha256")
    if expected and hashlib.sha256(blob).hexdigest() != expected:
        raise ValueError(f"{folder / name}.pkl does not match its record")
    return blob


def load_model(folder: Path | str, name: str) -> tuple[Any, dict]:
    """The saved model and its record. Only load models this pipeline wrote (pickle runs code).

    Raises ValueError when the pickle is not the one the record names (truncated, overwritten)."""
    folder = Path(folder)
    record = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    return pickle.loads(_checked_blob(folder, name, record)), record  # noqa: S301 - written by this pipeline only


def _saved(folder: Path, name: str, version: str) -> tuple[bytes, dict] | str:
    """The saved model of this version as its pickle bytes (checked now, unpickled when used) and its record,
    or the Chinese reason why there is none to reuse."""
    if not (folder / f"{name}.json").exists():
        return "首次训练（没有已保存的模型）"
    try:
        record = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        blob = _checked_blob(folder, name, record)
    except Exception:  # noqa: BLE001 - any unreadable model is trained again, never fatal
        return "已保存的模型文件缺失或损坏，重新训练"
    if record.get("version") != version:
        return "训练数据、参数或代码已变化，重新训练"
    return blob, record


def train_or_reuse(
    folder: Path | str, name: str, modules: Modules,
    training: pl.DataFrame | Mapping[str, pl.DataFrame], params: dict, seed: int,
    train: Callable[[], tuple[Any, dict]], *, retrain: bool = False,
) -> TrainedModel:
    """Load the saved model when code, parameters and training data are unchanged; else train, measure, save.

    ``train`` returns (model, metrics) and is where cross-validation belongs: it only runs on retraining. The
    model may be ``Pickled`` (fitted in a worker process): it is saved as those bytes.
    ``retrain`` forces training (the evaluate_models job, `majorwatch evaluate`).
    """
    folder = Path(folder)
    record = _record(name, modules, training, params, seed, {})
    saved = "按要求重新训练并评估" if retrain else _saved(folder, name, record["version"])
    if not isinstance(saved, str):
        blob, old = saved
        return TrainedModel(functools.partial(pickle.loads, blob), old, True, f"{REUSED} {old['version'][:16]}", folder,
                            name, blob)
    model, metrics = train()  # a Pickled model (fitted in a worker) is saved and kept as its bytes
    record = _save(folder, name, model, {**record, "metrics": metrics,
                                         "created": datetime.now(UTC).isoformat(timespec="seconds")})
    blob = model.blob if isinstance(model, Pickled) else None
    loader = functools.partial(pickle.loads, blob) if blob is not None else (lambda: model)
    return TrainedModel(loader, record, False, f"{saved}：新版本 {record['version'][:16]}", folder, name, blob)


def reuse_output(folder: Path | None, name: str, key: Mapping[str, Any],
                 compute: Callable[[], pl.DataFrame]) -> tuple[pl.DataFrame, bool]:
    """(frame, reused): the output saved for exactly this ``key`` (model version, settings, input hash),
    else ``compute()``, saved as <folder>/<name>.output.parquet with its key and digest beside it.

    A model is a deterministic function of its version and what it is applied to, so the same key gives
    the same rows; a damaged or missing file is computed again, never fatal."""
    if folder is None:
        return compute(), False
    digest = hashlib.sha256(json.dumps(dict(key), sort_keys=True, default=str).encode()).hexdigest()
    data, meta = folder / f"{name}.output.parquet", folder / f"{name}.output.json"
    try:
        saved = json.loads(meta.read_text(encoding="utf-8"))
        blob = data.read_bytes()
        if saved["key"] == digest and hashlib.sha256(blob).hexdigest() == saved["sha256"]:
            return pl.read_parquet(blob), True
    except (OSError, ValueError, KeyError, pl.exceptions.PolarsError):
        pass
    frame = compute()
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    _write_atomically(data, buffer.getvalue())
    _write_atomically(meta, json.dumps({"key": digest, "sha256": hashlib.sha256(buffer.getvalue()).hexdigest(),
                                        "rows": frame.height}).encode())
    return frame, False
