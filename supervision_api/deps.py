"""Dependencies by alias (``InfluxDep``, ``InventoryDep`` …) for route signatures."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from inventory.models import Inventory
from pdcs.settings import Settings
from pdcs.storage import InfluxDB
from supervision_api.state import AppState


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.pdcs
    return state


def get_inventory(state: Annotated[AppState, Depends(get_state)]) -> Inventory:
    return state.inventory


def get_influx(state: Annotated[AppState, Depends(get_state)]) -> InfluxDB:
    return state.influx


def get_settings(state: Annotated[AppState, Depends(get_state)]) -> Settings:
    return state.settings


StateDep = Annotated[AppState, Depends(get_state)]
InventoryDep = Annotated[Inventory, Depends(get_inventory)]
InfluxDep = Annotated[InfluxDB, Depends(get_influx)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
