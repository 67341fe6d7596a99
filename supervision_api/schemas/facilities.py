"""``/facilities/{id}``."""

from __future__ import annotations

from supervision_api.schemas.common import Answer, CodeName


class FacilityDevice(Answer):
    id: str
    name: str | None
    kind: str
    enabled: bool


class FacilityOut(Answer):
    id: str
    name: str
    kind: str
    kind_name: str
    county: CodeName
    timezone: str
    holiday_calendar: bool
    opening_hours: dict[str, list[str]]
    uplink_mbps: float | None
    attributes: dict[str, str | int | float | bool]
    data: list[FacilityDevice]
    count: int
