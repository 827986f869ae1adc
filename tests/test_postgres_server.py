"""The throwaway PostgreSQL fixture: without the binaries a `postgres` test is skipped with the reason, except
under CI=true, where it fails (CI must test PostgreSQL); with them, the server runs as a non-root user."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.postgres_server import bindir, start_server

REPO = Path(__file__).resolve().parents[1]


def test_no_binaries_means_a_reason_not_a_server(tmp_path, monkeypatch):
    monkeypatch.setenv("MAJORWATCH_PG_BINDIR", str(tmp_path))
    assert bindir() is None
    assert "scripts/install-postgres.sh" in start_server()


@pytest.mark.parametrize("ci,expected", [("", "1 skipped"), ("true", "1 error")])
def test_without_binaries_a_postgres_test_is_skipped_except_in_ci(ci, expected, tmp_path):
    env = {**os.environ, "CI": ci, "MAJORWATCH_PG_BINDIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-q", "-rs",
                           "tests/test_review_store.py", "-m", "postgres", "-k", "default_url or upgrade_from_empty"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert expected in done.stdout, done.stdout[-3000:]
    assert ("CI=true but" in done.stdout) == (ci == "true")
    assert "install-postgres.sh" in done.stdout


@pytest.mark.postgres
def test_the_server_runs_as_a_non_root_user_on_loopback(postgres_server):
    import psycopg

    with psycopg.connect(postgres_server.url("postgres", "postgresql")) as conn:
        assert conn.execute("SHOW listen_addresses").fetchone()[0] == "127.0.0.1"
        data = conn.execute("SHOW data_directory").fetchone()[0]
    assert Path(data).stat().st_uid != 0
