"""Shared fixtures: a temporary home per test, the generated sample inbox once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "data" / "reference"


@pytest.fixture()
def home(tmp_path, monkeypatch) -> Path:
    """An empty MAJORWATCH_HOME with DAGSTER_HOME inside it, exported for the resources."""
    from pipelines.instance import prepare_home

    root = tmp_path / "home"
    for var in ("MAJORWATCH_HOME", "DAGSTER_HOME", "MAJORWATCH_INBOX"):
        monkeypatch.setenv(var, os.environ.get(var, ""))
    prepare_home(root, root / "inbox")
    return root


@pytest.fixture(scope="session")
def sample_inbox(tmp_path_factory) -> Path:
    """The bundled sample inbox at scale 1 with fewer postings (written once per test session)."""
    from sample_data.generator import write_sample_inbox

    folder = tmp_path_factory.mktemp("sample") / "inbox"
    write_sample_inbox(folder, scale=1, postings_per_scale=4000)
    return folder


def require_reference(*parts: str) -> Path:
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"REFERENCE DATA MISSING: {path} is not there (../shared/data/reference); integration test skipped")
    return path
