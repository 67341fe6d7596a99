"""``/health`` (public, no counts) and ``/status`` (signed in, counts within the caller's scope)."""

from __future__ import annotations

from typing import Literal

from supervision_api.schemas.common import Answer


class Health(Answer):
    status: Literal["ok", "degraded"]
    influxdb: Literal["ok", "unreachable"]
    version: str


class Status(Health):
    scope: str  # "0" = the nation
    facilities: int
    devices: int
