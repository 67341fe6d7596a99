"""Availability answers of devices, facilities and regions (``supervision.answers``)."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from federation.read import FederationState, ProvinceLag
from supervision_api.schemas.common import Answer, PeriodOut


class PlannedMaintenance(Answer):
    """A maintenance window occurrence (``supervision.planned``): the outage still counts against availability."""

    name: str
    reason: str
    start: str
    end: str


class MaintenanceOut(PlannedMaintenance):
    """A window occurrence within the period concerning the answer's device, facility or region."""

    device: str | None
    facility: str | None
    region: str | None


class OutageOut(Answer):
    start: str
    end: str
    duration_s: float
    in_service_s: float
    cause: str = Field(description="down (an outage) | no_data (a no-data span, listed apart)")
    facility: str | None
    devices: list[str]
    planned_maintenance: PlannedMaintenance | None = Field(
        None, description="the planned maintenance window it overlaps (计划维护); it still counts"
    )


class ServiceFigures(Answer):
    """Seconds of scheduled service time (within the supervised window, up to now): up, down and no data."""

    scheduled_s: float
    up_s: float
    down_s: float = Field(description="answered down, or silent while a collector covering it was alive")
    unknown_s: float = Field(description="no data: no poll and no live collector (or raw expired without roll-up)")
    coverage: float | None = Field(description="(up + down) ÷ scheduled; null: nothing scheduled")
    availability: float | None = Field(description="up ÷ (up + down); null (无数据) when nothing is known")


class SourcePiece(Answer):
    """Which source answered which local days: raw polls, daily roll-ups, or none (expired without roll-up)."""

    source: str = Field(description="raw | rollup | none")
    start: str
    end: str
    days: float
    facilities: int


class DeviceService(ServiceFigures):
    outages: list[OutageOut]
    outage_count: int = Field(description="listed outages plus those counted by daily roll-ups")
    no_data: list[OutageOut]


class DeviceAvailability(Answer):
    device: str
    period: PeriodOut
    polls: int
    answered: int
    share: float | None = Field(description="answered ÷ polls; null without polls")
    service: DeviceService
    source: str = Field(description="raw | rollup | mixed | none")
    sources: list[SourcePiece]
    maintenance: list[MaintenanceOut] = Field(
        default_factory=list, description="planned maintenance windows in the period (PDCS_MAINTENANCE_FILE)"
    )


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
    no_data: list[OutageOut]
    devices: list[FacilityDeviceFigures]
    source: str = Field(description="raw | rollup | mixed | none")
    sources: list[SourcePiece]
    maintenance: list[MaintenanceOut] = Field(
        default_factory=list, description="planned maintenance windows in the period (PDCS_MAINTENANCE_FILE)"
    )


class RegionAvailabilityChild(ServiceFigures):
    """A child region (``code``) or, in a county, a facility (``facility``)."""

    code: str | None = None
    facility: str | None = None
    name: str
    outage_count: int | None = Field(
        None, description="its outages (listed or counted by roll-ups); null: not known (national summaries)"
    )


class ProvinceLagOut(ProvinceLag):
    """One province's shipping state as the national store sees it (``federation.read.ProvinceLag``)."""

    model_config = ConfigDict(extra="forbid")


class FederationOut(FederationState):
    """Which provinces are late (answers read from the national store only; ``federation.read``)."""

    model_config = ConfigDict(extra="forbid")
    provinces: list[ProvinceLagOut]  # type: ignore[assignment]


class RegionAvailability(ServiceFigures):
    code: str
    name: str
    period: PeriodOut
    device_weighted: ServiceFigures
    source: str = Field(
        description="raw | rollup | mixed | none; the nation or a province with a national store: summary "
        "(the 5-minute or hourly summaries) or rollup (the provinces' daily roll-ups copied there)"
    )
    basis: str | None = Field(
        None,
        description="from the national store only: county_year (the county year rows through each province's "
        "last rolled day, the summaries after it), facility_daily (the daily roll-ups copied there) or summary",
    )
    sources: list[SourcePiece]
    maintenance: list[MaintenanceOut] = Field(
        default_factory=list, description="planned maintenance windows in the period (PDCS_MAINTENANCE_FILE)"
    )
    facilities: int
    unsupervised_facilities: list[str] | None = Field(
        description="no devices the serving rules require; null: not known from the national store"
    )
    unmonitored_facilities: list[str] | None = Field(
        description="no supervised time in the period: never polled …; null: not known from the national store"
    )
    data: list[RegionAvailabilityChild]
    count: int
    outages: list[OutageOut] = Field(description="listed outages (none listed from the national store)")
    outage_count: int | None = Field(description="null: summaries carry no outages (source summary)")
    no_data: list[OutageOut]
    federation: FederationOut | None = Field(
        None, description="from the national store only: which provinces are late and since when"
    )
