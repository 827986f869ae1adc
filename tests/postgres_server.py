"""A throwaway PostgreSQL server for the tests marked `postgres`: `initdb` into a temporary folder, started on a
free loopback port, stopped (and its folder removed) when the session ends.

PostgreSQL refuses to run as root, so under root the server runs as the `postgres` system user (Debian's
package creates it; `runuser`), and its folder belongs to that user. The binaries are Debian's
(`scripts/install-postgres.sh`, run by `make test`) or any `initdb` on PATH / in MAJORWATCH_PG_BINDIR.
Without them a test is skipped with the reason, except under CI=true, where it fails: CI must test PostgreSQL.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SUPERUSER = "majorwatch"
RUN_AS = "postgres"  # the system user the server runs as when the tests run as root


def bindir() -> Path | None:
    """Where initdb and pg_ctl are: MAJORWATCH_PG_BINDIR, PATH, or Debian's newest /usr/lib/postgresql/N/bin."""
    named = os.environ.get("MAJORWATCH_PG_BINDIR")
    if named:
        return Path(named) if (Path(named) / "initdb").exists() else None
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    """A running server: `url(db)` for SQLAlchemy/psycopg, `new_database()` for a fresh empty database."""

    bindir: Path
    folder: Path
    port: int
    as_user: str | None

    def _cmd(self, *argv: str) -> list[str]:
        return ["runuser", "-u", self.as_user, "--", *argv] if self.as_user else list(argv)

    def url(self, database: str, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A new empty database; returns its name."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url("postgres", "postgresql"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def start(self) -> None:
        data = self.folder / "data"
        subprocess.run(self._cmd(str(self.bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
                                 "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"),
                       check=True, capture_output=True, text=True)
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c full_page_writes=off -c synchronous_commit=off -c max_connections=200")
        started = subprocess.run(self._cmd(str(self.bindir / "pg_ctl"), "-D", str(data), "-l",
                                           str(self.folder / "log"), "-o", options, "-w", "-t", "60", "start"),
                                 capture_output=True, text=True)
        if started.returncode != 0:
            log = (self.folder / "log").read_text(errors="replace") if (self.folder / "log").exists() else ""
            raise RuntimeError(f"the throwaway PostgreSQL did not start: {started.stderr}\n{log[-2000:]}")

    def stop(self) -> None:
        subprocess.run(self._cmd(str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast",
                                 "-w", "stop"), capture_output=True, text=True)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server() -> PostgresServer | str:
    """A started server, or the reason there is none."""
    where = bindir()
    if where is None:
        return "PostgreSQL binaries (initdb, pg_ctl) not found: run scripts/install-postgres.sh as root"
    as_user = RUN_AS if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="majorwatch-pg-"))
    if as_user:
        shutil.chown(folder, user=as_user, group=as_user)
    server = PostgresServer(where, folder, _free_port(), as_user)
    server.start()
    return server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway server per test session (per xdist worker); skipped without binaries, failed under CI."""
    server = start_server()
    if isinstance(server, str):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {server}")
        pytest.skip(server)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture()
def postgres_url(postgres_server) -> str:
    """A fresh empty database on the throwaway server, as a SQLAlchemy URL (psycopg 3)."""
    return postgres_server.url(postgres_server.new_database())


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def review_url(request, tmp_path) -> str:
    """The review store's URL on each backend: a SQLite file in the test's folder, then a fresh PostgreSQL
    database (marked `postgres`, so `pytest -m postgres` runs those alone)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'review.sqlite'}"
    return request.getfixturevalue("postgres_url")


_BACKENDS: dict[tuple[str, str], int] = {}


def pytest_runtest_logreport(report) -> None:
    """Count each store/instance test's outcome by backend (a test with a `[sqlite]`/`[postgresql]` id)."""
    backend = "postgresql" if "postgres" in report.keywords else "sqlite" if "[sqlite" in report.nodeid else None
    if backend and (report.when == "call" or report.outcome != "passed"):
        _BACKENDS[backend, report.outcome] = _BACKENDS.get((backend, report.outcome), 0) + 1


def pytest_terminal_summary(terminalreporter) -> None:
    """One line saying how many tests ran on each backend (under xdist the controller sees every report)."""
    parts = []
    for backend in ("sqlite", "postgresql"):
        counts = [f"{n} {outcome}" for (b, outcome), n in sorted(_BACKENDS.items()) if b == backend]
        if counts:
            parts.append(f"{backend}: " + ", ".join(counts))
    if parts:
        terminalreporter.write_line("store/instance tests by backend — " + "; ".join(parts))
