"""``/health``."""

from __future__ import annotations

from typing import Literal

from supervision_api.schemas.common import Answer


class Health(Answer):
    status: Literal["ok", "degraded"]
    influxdb: Literal["ok", "unreachable"]
    devices: int
    version: str
