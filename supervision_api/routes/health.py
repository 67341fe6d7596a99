"""``/health``: is the API up, and can it reach InfluxDB — nothing else (it answers anyone).

The counts it once showed (the national device total) are in ``/status``, for signed-in
callers and within their scope.
"""

from __future__ import annotations

from fastapi import APIRouter

from pdcs import __version__
from supervision_api.deps import InfluxDep
from supervision_api.schemas.health import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(influx: InfluxDep) -> dict[str, object]:
    ok = influx.ping()
    return {"status": "ok" if ok else "degraded", "influxdb": "ok" if ok else "unreachable", "version": __version__}
