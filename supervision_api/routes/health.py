"""``/health``: is the API up, and can it reach InfluxDB."""

from __future__ import annotations

from fastapi import APIRouter

from pdcs import __version__
from supervision_api.deps import InfluxDep, StateDep
from supervision_api.schemas.health import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(influx: InfluxDep, state: StateDep) -> dict[str, object]:
    ok = influx.ping()
    return {
        "status": "ok" if ok else "degraded",
        "influxdb": "ok" if ok else "unreachable",
        "devices": len(state.inventory.devices),  # open route: a total, no names
        "version": __version__,
    }
