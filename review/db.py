"""Where the review store lives and how to open it.

Default: ``<home>/review.sqlite`` (SQLite in WAL mode, foreign keys on, a busy timeout so the portal and
the CLI can write at once). ``MAJORWATCH_REVIEW_URL`` (or ``url=``) points the same code at any
SQLAlchemy URL, e.g. ``postgresql+psycopg://user@host/majorwatch``. The schema is Alembic's
(``migrate``); ``open_store`` migrates to the latest revision before handing out sessions.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

DB_FILE = "review.sqlite"
EVIDENCE_DIR = "review_evidence"
URL_ENV = "MAJORWATCH_REVIEW_URL"
BUSY_MS = 5000  # how long a writer waits for another's lock (the portal asks for less: see open_store)
MIGRATIONS = Path(__file__).with_name("migrations")


def store_url(home: Path, url: str | None = None) -> str:
    """The store's URL: `url`, else MAJORWATCH_REVIEW_URL, else the SQLite file in the home folder."""
    return url or os.environ.get(URL_ENV) or f"sqlite:///{Path(home) / DB_FILE}"


def _sqlite_pragmas(dbapi_conn, _record, busy_ms: int = BUSY_MS) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(busy_ms)}")  # PRAGMA takes no parameters; an int is no injection
    cur.close()


def _postgres_lock_timeout(dbapi_conn, _record, busy_ms: int = BUSY_MS) -> None:
    autocommit = dbapi_conn.autocommit
    dbapi_conn.autocommit = True  # a SET outside any transaction, as SQLAlchemy's docs do for search_path
    cur = dbapi_conn.cursor()
    cur.execute(f"SET lock_timeout = {int(busy_ms)}")
    cur.close()
    dbapi_conn.autocommit = autocommit


def make_engine(url: str, busy_ms: int = BUSY_MS) -> Engine:
    """An engine whose statements wait at most ``busy_ms`` for another writer's lock (SQLite's busy
    timeout; PostgreSQL's lock_timeout), then fail with OperationalError."""
    engine = create_engine(url)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", partial(_postgres_lock_timeout, busy_ms=busy_ms))
    if engine.dialect.name == "sqlite":
        if engine.url.database and engine.url.database != ":memory:":
            Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
        event.listen(engine, "connect", partial(_sqlite_pragmas, busy_ms=busy_ms))
    return engine


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(url: str, revision: str = "head") -> None:
    """Bring the schema at `url` up to `revision` (creating it from empty)."""
    engine = make_engine(url)
    with engine.begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    engine.dispose()


@dataclass(frozen=True)
class Store:
    """An opened review store: its engine, session factory and the folder evidence files go to."""

    engine: Engine
    sessions: sessionmaker[Session]
    evidence_dir: Path

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back on an error."""
        with self.sessions.begin() as s:
            yield s


@cache
def _open(url: str, evidence_dir: str, busy_ms: int = BUSY_MS) -> Store:
    migrate(url)
    engine = make_engine(url, busy_ms)
    return Store(engine, sessionmaker(engine, expire_on_commit=False), Path(evidence_dir))


def open_store(home: Path, url: str | None = None, busy_ms: int = BUSY_MS) -> Store:
    """The store for a home folder, migrated to the latest schema (one per URL and ``busy_ms`` per
    process). The portal opens it with a short ``busy_ms``, so a request never waits long on a lock."""
    return _open(store_url(home, url), str(Path(home) / EVIDENCE_DIR), busy_ms)
