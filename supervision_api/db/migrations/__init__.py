"""Alembic migrations of the API database (run by ``pdcs db upgrade`` and at API start).

``env.py`` is Alembic's environment, ``versions/`` holds one module per schema change,
the first (``0001``) equal to the schema of the release before migrations existed.
How to add one: docs/architecture.md, "The API database and its migrations".
"""
