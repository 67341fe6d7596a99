"""``/facilities/{id}``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from supervision_api.schemas.common import Answer, CodeName


class SpecialDayOut(Answer):
    day: str
    to: str | None
    hours: list[str] = Field(description="empty: closed")
    reason: str


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
    holidays: Literal["open", "closed"] = Field(description="on statutory and regional holidays (kind default applied)")
    holiday_hours: list[str] | None = Field(description="hours on holidays when open; null: that weekday's hours")
    special_days: list[SpecialDayOut] = Field(description="dated closures and special hours, with their reasons")
    commissioned: str | None = Field(description="投运日期: supervision starts then (else at the first poll)")
    opening_hours: dict[str, list[str]]
    uplink_mbps: float | None
    attributes: dict[str, str | int | float | bool]
    data: list[FacilityDevice]
    count: int
