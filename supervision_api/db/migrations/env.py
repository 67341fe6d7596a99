"""Alembic's environment for the API database.

Run through :mod:`supervision_api.db.migrate` (``pdcs db upgrade``, API start), which passes
an open connection in ``config.attributes["connection"]``; ``render_as_batch`` lets a later
migration alter a column on SQLite (which rebuilds the table) with the same code as on PostgreSQL.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from supervision_api.db.schema import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # API workers starting together on one database: one migrates, the others wait and find it done
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(2026120121)")
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `pdcs db upgrade` (supervision_api.db.migrate), not the alembic command")
_run(connection)
