"""Model records: a saved model next to a JSON record saying exactly what produced it.

Business meaning: every proposal or forecast the commission sees must be traceable to one model
version. The version is the SHA-256 of the model module's source code, the training data hash and the
parameters, so the same code, data and settings always give the same version.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import pickle
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl

from warehouse.hashing import rows_hash


def frame_hash(frame: pl.DataFrame) -> str:
    """SHA-256 of a frame's rows, independent of row and column order (the published tables' hash)."""
    return rows_hash(frame)


def model_version(module: ModuleType, data_hash: str, params: dict) -> str:
    """SHA-256 of (the model module's source code + training data hash + params)."""
    payload = inspect.getsource(module) + data_hash + json.dumps(params, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def save_model(
    folder: Path | str, name: str, model: Any, module: ModuleType, training: pl.DataFrame, params: dict,
    seed: int, metrics: dict,
) -> dict:
    """Write <folder>/<name>.pkl and <folder>/<name>.json; return the record."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data_hash = frame_hash(training)
    record = {
        "name": name, "version": model_version(module, data_hash, params), "module": module.__name__,
        "training_data_hash": data_hash, "training_rows": training.height, "params": params, "seed": seed,
        "metrics": metrics, "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    with (folder / f"{name}.pkl").open("wb") as fh:
        pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
    (folder / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False, indent=2, default=str),
                                         encoding="utf-8")
    return record


def load_model(folder: Path | str, name: str) -> tuple[Any, dict]:
    """The saved model and its record. Only load models this pipeline wrote (pickle runs code)."""
    folder = Path(folder)
    record = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    with (folder / f"{name}.pkl").open("rb") as fh:
        model = pickle.load(fh)
    return model, record
