"""Dagster's SQLite event log, with its database connections kept open for the process.

Dagster's own SqliteEventLogStorage builds a new engine and opens, commits and closes a new SQLite
connection for every event it stores (about 300 a run). In WAL mode, closing the last connection to a
file checkpoints the log into the database and fsyncs it, and each commit fsyncs again: on a second run
of the sample that was a fifth to a third of the run's time. This class keeps one engine per file and
one connection per thread (SQLAlchemy's SingletonThreadPool), with ``synchronous=NORMAL``, SQLite's
recommended setting for WAL: a commit survives a crash of the process; a power cut can lose the last
events, never corrupt the file. Same files, same schema, same locking between processes (the Dagster UI
reads them while a run writes). dagster.yaml names it (pipelines/instance.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import SingletonThreadPool


def _wal_normal(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class KeptEngineSqliteEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage whose engines live as long as the storage (see the module's docstring)."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: dict[str, Engine] = {}
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value):  # noqa: D102 - Dagster's hook (the parent names its class)
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(self.conn_string_for_shard(shard), poolclass=SingletonThreadPool,
                                   connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
            event.listen(engine, "connect", _wal_normal)
            self._engines[shard] = engine
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _dispose_engines(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()

    def wipe(self) -> None:
        self._dispose_engines()
        super().wipe()

    def dispose(self) -> None:
        self._dispose_engines()
        super().dispose()
