"""The database behind the API, and the in-memory inventory that follows it.

At start the stored inventory is loaded; when the database holds none yet, the
inventory the process was started with (the YAML folder) seeds it.  Changes go
to the database first and then replace ``AppState.inventory`` as a whole (one
reference swap, so a request never sees half a change).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError

from inventory.models import Inventory
from supervision_api.db import Database, inventory_store, users
from supervision_api.db import audit as audit_log
from supervision_api.db.users import Principal, Role
from supervision_api.state import AppState

RECHECK_S = 2.0  # how often a process asks whether another one changed the inventory


def attach_database(state: AppState, database: Database | None = None) -> Database:
    """Open (or take) the database, create the schema, and load or seed the inventory."""
    if state.database is None:
        db = database or Database(state.settings.database_url)
        db.create_schema()
        _seed_or_load(db, state)
        state.inventory_checked_at = time.monotonic()
        state.database = db
    return state.database


def _seed_or_load(db: Database, state: AppState, attempts: int = 5) -> None:
    """Load the stored inventory, or seed an empty database with ``state.inventory``.

    Several API worker processes may start at once on one database: the one that
    loses the race to seed gets a conflict (or SQLite's lock) and loads what the
    winner stored.
    """
    for attempt in range(attempts):
        try:
            with db.session() as s:
                if inventory_store.is_empty(s):
                    inventory_store.replace(s, state.inventory)
                    inventory_store.bump_version(s)
                else:
                    state.inventory = inventory_store.load(s, state.inventory.base_dir)
                state.inventory_version = inventory_store.version(s)
            return
        except (IntegrityError, OperationalError):
            if attempt == attempts - 1:
                raise
            time.sleep(1.0 + attempt)


def database_of(state: AppState) -> Database:
    if state.database is None:
        raise RuntimeError("the API has no database attached (create_app attaches one)")
    return state.database


def change_inventory(
    state: AppState,
    who: Principal,
    action: str,
    change: Callable[[Inventory], tuple[Inventory, str, str, dict[str, Any]]],
) -> Inventory:
    """Apply ``change`` (current → (new inventory, region, target, details)), store it, record it, swap it in.

    ``change`` raises to refuse; nothing is stored or swapped then.
    """
    db = database_of(state)
    with state.inventory_lock:
        new, region, target, details = change(state.inventory)
        with db.session() as s:
            inventory_store.apply_diff(s, state.inventory, new)
            audit_log.record(s, who, action, region=region, target=target, details=details)
            state.inventory_version = inventory_store.bump_version(s)
        state.inventory = new
    return new


def inventory_recheck_due(state: AppState, now: float | None = None) -> bool:
    """Whether ``RECHECK_S`` have passed since this process last asked for the inventory's version."""
    return (time.monotonic() if now is None else now) - state.inventory_checked_at >= RECHECK_S


def refresh_inventory(state: AppState, now: float | None = None) -> bool:
    """Reload the inventory when another process stored a change (checked at most every ``RECHECK_S``)."""
    now = time.monotonic() if now is None else now
    if not inventory_recheck_due(state, now):
        return False
    state.inventory_checked_at = now
    with database_of(state).session() as s:
        current = inventory_store.version(s)
        if current == state.inventory_version:
            return False
        with state.inventory_lock:
            state.inventory = inventory_store.load(s, state.inventory.base_dir)
            state.inventory_version = current
    return True


def record(state: AppState, who: Principal, action: str, region: str = "", target: str = "", **details: Any) -> None:
    with database_of(state).session() as s:
        audit_log.record(s, who, action, region=region, target=target, details=details)


def issue_token(state: AppState, name: str, role: Role, scope: str = "") -> str:
    """Add user ``name`` (if new) and return a fresh token for them (tests and first start-up)."""
    with database_of(state).session() as s:
        try:
            users.get_user(s, name)
        except users.UserError:
            users.add_user(s, name, role, scope)
        _row, token = users.create_token(s, name)
    return token


def record_denied(state: AppState, who: Principal | None, status: int, code: str, method: str, path: str,
                  peer: str, token_prefix: str = "") -> None:  # fmt: skip
    """A refused request in the audit log (MLPS 安全审计): who (or ``anonymous`` and the token prefix tried),
    what (method, path, answer) and from where (the client address)."""
    details: dict[str, Any] = {"status": status, "code": code, "from": peer}
    if token_prefix:
        details["token_prefix"] = token_prefix
    with database_of(state).session() as s:
        audit_log.record(s, who or "anonymous", "access.denied", target=f"{method} {path}"[:256], details=details,
                         outcome="denied")  # fmt: skip
