"""Availability answers of devices, facilities and regions (``supervision.answers``)."""

from __future__ import annotations

from pydantic import Field

from supervision_api.schemas.common import Answer, PeriodOut


class OutageOut(Answer):
    start: str
    end: str
    duration_s: float
    in_service_s: float
    cause: str = Field(description="down | no_data | mixed")
    facility: str | None
    devices: list[str]


class ServiceFigures(Answer):
    """Seconds of scheduled service time, up and without data; availability = up ÷ scheduled (null: none scheduled)."""

    scheduled_s: float
    up_s: float
    unknown_s: float
    availability: float | None


class DeviceService(ServiceFigures):
    outages: list[OutageOut]


class DeviceAvailability(Answer):
    device: str
    period: PeriodOut
    polls: int
    answered: int
    share: float | None = Field(description="answered ÷ polls; null without polls")
    service: DeviceService


class Requirement(Answer):
    kinds: list[str]
    devices: int
    needed: int


class FacilityDeviceFigures(ServiceFigures):
    id: str
    outages: int


class FacilityAvailability(ServiceFigures):
    facility: str
    name: str
    period: PeriodOut
    supervised: bool
    requirements: list[Requirement]
    outages: list[OutageOut]
    outage_count: int
    devices: list[FacilityDeviceFigures]


class RegionAvailabilityChild(ServiceFigures):
    """A child region (``code``) or, in a county, a facility (``facility``)."""

    code: str | None = None
    facility: str | None = None
    name: str


class RegionAvailability(ServiceFigures):
    code: str
    name: str
    period: PeriodOut
    device_weighted: ServiceFigures
    source: str = Field(description="raw | rollup")
    facilities: int
    unsupervised_facilities: list[str]
    data: list[RegionAvailabilityChild]
    count: int
    outages: list[OutageOut]
    outage_count: int
