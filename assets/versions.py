"""Code versions: what Dagster compares to tell that an asset's code changed since its last materialization.

Each stage's assets carry one ``code_version``, the SHA-256 of the source (and YAML: contracts, policies,
reading rules) of the packages its results are a function of, plus, for the models, the versions of the
libraries they are fitted with. Dagster records it with every materialization; an asset whose recorded code
version differs from this one is stale (pipelines/stale.py), and the UI says so ("code version changed").
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import dagster as dg

ROOT = Path(__file__).resolve().parents[1]
SHARED = ("assets/resources.py", "assets/metadata.py", "assets/charts.py", "assets/partitions.py", "assets/versions.py",
          "warehouse")
# the folders a stage's results depend on, besides SHARED (documents and the rulebook for what is published)
STAGES = {
    "ingest": ("assets/ingest", "inbox", "data_contracts", "scoring/gaps.py", "scoring/rulebook"),  # data_gaps
    "models": ("assets/models", "ml", "scoring"),  # the back-test (warning_backtest) scores past years
    "score": ("assets/score", "assets/checks", "scoring", "ml"),
    "publish": ("assets/publish", "assets/checks", "scoring", "documents"),
}
LIBRARIES = {"models": ("scikit-learn", "numpy", "scipy", "polars")}
SUFFIXES = (".py", ".yaml", ".yml", ".json", ".html", ".css", ".j2")


def _files(part: str) -> list[Path]:
    path = ROOT / part
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SUFFIXES and "__pycache__" not in p.parts)


def _library(name: str) -> str:
    try:
        return f"{name}=={version(name)}"
    except PackageNotFoundError:
        return f"{name}==?"


@cache
def code_version(stage: str) -> str:
    """The stage's code version: 16 hex digits of SHA-256 over its files (path and bytes) and libraries."""
    digest = hashlib.sha256()
    for part in (*SHARED, *STAGES[stage]):
        for path in _files(part):
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for name in LIBRARIES.get(stage, ()):
        digest.update(_library(name).encode())
    return digest.hexdigest()[:16]


def with_code_versions(assets: list) -> list:
    """Every asset with its stage's code version (its group names the stage; observable sources are left as they are)."""
    def versioned(spec: dg.AssetSpec) -> dg.AssetSpec:
        return spec.replace_attributes(code_version=code_version(spec.group_name)) if spec.group_name in STAGES else spec

    return [a.map_asset_specs(versioned) if isinstance(a, dg.AssetsDefinition) and a.is_materializable else a
            for a in assets]
