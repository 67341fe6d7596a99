"""Persistence of the API (SQLAlchemy 2): inventory, users, API tokens, audit log.

SQLite by default (``Settings.database_url``), PostgreSQL in production; the
pydantic models in ``inventory/models.py`` stay the truth for inventory
entities, which are stored as validated JSON documents, one row each.
"""

from supervision_api.db.engine import Database
from supervision_api.db.schema import ApiToken, AuditEntry, Base, InventoryItem, User

__all__ = ["ApiToken", "AuditEntry", "Base", "Database", "InventoryItem", "User"]
