"""An API client with a token: every route but /health needs one (supervision_api.access)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from supervision_api.access.store import issue_token
from supervision_api.app import create_app
from supervision_api.db.users import Role
from supervision_api.state import AppState


def authed_client(state: AppState, role: Role = Role.MINISTRY, scope: str = "", name: str | None = None) -> TestClient:
    """``create_app(state)`` and a client signed in as ``role`` over ``scope`` (ministry: the nation).

    Give ``state`` a ``Settings(database_url="sqlite://")`` so users and tokens stay in memory.
    """
    app = create_app(state)
    token = issue_token(state, name or f"test-{role.value}", role, scope)
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})
