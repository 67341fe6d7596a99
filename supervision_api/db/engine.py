"""The database handle: an engine, a session factory and schema migration."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool


def _sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    # WAL: readers (every request's token check) do not wait for a writer, nor block it
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their folder created, ``sqlite://`` stays in memory."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            # timeout: wait for another process's write (API workers, pdcs users) instead of failing
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
            event.listen(engine, "connect", _sqlite_wal)
            return engine
        # one shared connection, or every thread would see its own empty database
        return create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    if url.startswith("postgres://"):
        url = "postgresql+psycopg2://" + url.removeprefix("postgres://")
    return create_engine(url, pool_pre_ping=True)


class Database:
    """What the API and ``pdcs users`` share: one engine, sessions on demand."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def create_schema(self) -> None:
        """Bring the schema to this code's head with the Alembic migrations (``migrate.upgrade``).

        Raises ``migrate.SchemaTooNew`` on a database a newer release has migrated.
        """
        from supervision_api.db import migrate

        migrate.upgrade(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        with self._sessions() as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
