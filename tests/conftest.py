"""Shared fixtures: a temporary home per test, the generated sample inbox and the hand-made inbox's published
home once per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres_server import (  # noqa: F401 - the PostgreSQL fixtures and the by-backend summary
    postgres_server,
    postgres_url,
    pytest_runtest_logreport,
    pytest_terminal_summary,
    review_url,
)
from tests.shared_homes import (
    Command,
    SharedRun,
    assert_unchanged,
    build_once,
    evaluate_sample,
    ingest_and_train_sample,
    publish_handmade,
    publish_sample,
    read_command,
    session_root,
)

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
def handmade_published(tmp_path_factory, pytestconfig) -> Iterator[SharedRun]:
    """The hand-made inbox run once (`majorwatch run --edition 2026`, 2026-draft in force) for the whole session,
    shared by every worker. Read-only: copy it with tests.shared_homes.copy_run before changing anything."""
    folder = build_once(session_root(tmp_path_factory, pytestconfig), "handmade-published", publish_handmade)
    yield SharedRun(folder / "inbox", folder / "home")
    assert_unchanged(folder)


@pytest.fixture(scope="session")
def sample_trained(tmp_path_factory, pytestconfig, sample_inbox) -> Iterator[SharedRun]:
    """The sample inbox ingested and every model trained on it in a fresh home, once for the whole session and
    every worker; the run's metadata and check verdicts are in tests.shared_homes.read_record. Read-only."""
    folder = build_once(session_root(tmp_path_factory, pytestconfig), "sample-trained",
                        lambda target: ingest_and_train_sample(target, sample_inbox))
    yield SharedRun(folder / "inbox", folder / "home")
    assert_unchanged(folder)


@pytest.fixture(scope="session")
def sample_published(tmp_path_factory, pytestconfig, sample_trained) -> Iterator[SharedRun]:
    """The sample inbox published (`majorwatch run`, 2026-draft in force) in a copy of ``sample_trained``, once
    for the whole session and every worker (the command and its output: tests.shared_homes.read_command of
    ``home.parent``). Read-only: copy it with tests.shared_homes.copy_run first."""
    folder = build_once(session_root(tmp_path_factory, pytestconfig), "sample-published",
                        lambda target: publish_sample(target, sample_trained))
    yield SharedRun(folder / "inbox", folder / "home")
    assert_unchanged(folder)


@pytest.fixture(scope="session")
def sample_evaluated(tmp_path_factory, pytestconfig, sample_trained) -> Iterator[Command]:
    """`majorwatch evaluate --inbox <sample_trained's inbox> --json` run once for the whole session and every
    worker (the README's command, and the figures the model assets' metadata must match)."""
    folder = build_once(session_root(tmp_path_factory, pytestconfig), "sample-evaluated",
                        lambda target: evaluate_sample(target, sample_trained))
    yield read_command(folder)
    assert_unchanged(folder)


def require_reference(*parts: str) -> Path:
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"REFERENCE DATA MISSING: {path} is not there (../shared/data/reference); integration test skipped")
    return path


# The longest files first (measured: each takes minutes on the 2-core machine), then every file with a slow
# test, then the rest in collection order. With `--dist loadfile --no-loadscope-reorder` (Makefile) xdist hands
# out whole files in this order, so the short files fill the end of the run instead of one worker finishing
# a long end-to-end file alone. (xdist's default reorder puts files with the most tests first, which leaves
# the one-test end-to-end files for last.) The first file needs no shared home, so the other worker builds the
# hand-made one (test_run_safety) without anyone waiting for it; the browser file builds the published sample
# next, before the files that copy it; the README file and the model-asset file, which share one `evaluate` of
# the sample (sample_evaluated), stand apart so that one worker rarely waits on the other's build.
LONGEST_FIRST = ("test_three_years.py", "test_revisions.py", "test_dagster_ui.py", "test_run_safety.py",
                 "test_portal_browser.py", "test_asset_graph.py", "test_lifecycle.py", "test_national.py",
                 "test_deploy_layout.py", "test_home_backup.py", "test_gaps_run.py", "test_readme_commands.py",
                 "test_portal_live_publish.py", "test_model_assets.py", "test_pipeline_e2e.py", "test_cycle_e2e.py",
                 "test_figures_agree.py", "test_model_reuse.py", "test_home_check.py")


def pytest_collection_modifyitems(config, items):
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}

    def rank(item) -> int:
        if item.path.name in LONGEST_FIRST:
            return LONGEST_FIRST.index(item.path.name)
        return len(LONGEST_FIRST) + (0 if item.path in slow_files else 1)

    items.sort(key=rank)  # stable: the order inside a file and among equals is kept


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module (the browser tests' launch settings)."""
    from tests.test_portal_browser import CHROMIUM, LAUNCH_ARGS

    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()
