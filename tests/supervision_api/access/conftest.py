"""Clients of the API as each role, over a fresh InfluxDB and an in-memory SQLite."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from inventory.models import Inventory
from pdcs.settings import Settings
from pdcs.storage import InfluxDB
from supervision_api.access.store import issue_token
from supervision_api.app import create_app
from supervision_api.db.users import Role
from supervision_api.state import AppState


@dataclass
class Api:
    app: FastAPI
    state: AppState

    def client(self, role: Role, scope: str = "", name: str | None = None) -> TestClient:
        token = issue_token(self.state, name or f"{role.value}-{scope or 'nation'}", role, scope)
        return TestClient(self.app, headers={"Authorization": f"Bearer {token}"})

    def anonymous(self) -> TestClient:
        return TestClient(self.app)


@pytest.fixture
def make_api(influx: InfluxDB, inventory: Inventory) -> Iterator[Callable[[], Api]]:
    """A factory of fresh apps (own database, own copy of the inventory) on one InfluxDB."""
    made: list[AppState] = []

    def make() -> Api:
        settings = Settings(influx_url=influx.url, influx_db=influx.database, database_url="sqlite://", _env_file=None)  # type: ignore[call-arg]
        state = AppState(settings=settings, inventory=inventory.model_copy(), influx=influx)
        made.append(state)
        return Api(create_app(state), state)

    yield make
    for state in made:
        state.close()


@pytest.fixture
def api(make_api: Callable[[], Api]) -> Api:
    return make_api()
