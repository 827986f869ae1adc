"""Shared fixtures: a temporary home per test, the generated sample inbox and the hand-made inbox's published
home once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.shared_homes import SharedRun, build_once, publish_handmade, session_root

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


@pytest.fixture(scope="session")
def handmade_published(tmp_path_factory, pytestconfig) -> SharedRun:
    """The hand-made inbox run once (`majorwatch run --edition 2026`, 2026-draft in force) for the whole session,
    shared by every worker. Read-only: copy it with tests.shared_homes.copy_run before changing anything."""
    folder = build_once(session_root(tmp_path_factory, pytestconfig), "handmade-published", publish_handmade)
    return SharedRun(folder / "inbox", folder / "home")


def require_reference(*parts: str) -> Path:
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"REFERENCE DATA MISSING: {path} is not there (../shared/data/reference); integration test skipped")
    return path
