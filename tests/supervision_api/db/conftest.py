"""``database``: each test on SQLite and on a real PostgreSQL (Debian's, one per session, free port)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from devstack.postgres import PostgresServer, start_postgres
from supervision_api.db import Database


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of a database with no table: a SQLite file, or a fresh database on the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'pdcs.sqlite'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> Iterator[Database]:
    """An empty schema on SQLite (in memory) or in a fresh database on the session's PostgreSQL."""
    if request.param == "sqlite":
        db = Database("sqlite://")
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        db = Database(server.create_database(f"t_{uuid.uuid4().hex[:12]}"))
    db.create_schema()
    yield db
    db.dispose()


@pytest.fixture
def sqlite_db() -> Iterator[Database]:
    db = Database("sqlite://")
    db.create_schema()
    yield db
    db.dispose()
