"""``/health``: is the API up, and can it reach InfluxDB."""

from __future__ import annotations

from fastapi import APIRouter

from pdcs import __version__
from supervision_api.deps import InfluxDep, InventoryDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(influx: InfluxDep, inventory: InventoryDep) -> dict[str, object]:
    ok = influx.ping()
    return {
        "status": "ok" if ok else "degraded",
        "influxdb": "ok" if ok else "unreachable",
        "devices": len(inventory.devices),
        "version": __version__,
    }
