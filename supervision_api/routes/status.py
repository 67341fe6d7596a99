"""``/status``: ``/health`` plus the facility and device counts within the caller's scope."""

from __future__ import annotations

from fastapi import APIRouter

from pdcs import __version__
from supervision_api.access.auth import CurrentUser
from supervision_api.deps import InfluxDep, InventoryDep
from supervision_api.schemas.health import Status

router = APIRouter(tags=["health"])


@router.get("/status", response_model=Status, summary="Health and the counts within your scope")
def status(influx: InfluxDep, inventory: InventoryDep, user: CurrentUser) -> dict[str, object]:
    ok = influx.ping()
    return {
        "status": "ok" if ok else "degraded",
        "influxdb": "ok" if ok else "unreachable",
        "version": __version__,
        "scope": user.scope or "0",
        "facilities": len(inventory.facilities),
        "devices": len(inventory.devices),
    }
