"""``/regions`` and ``/regions/{code}``: the hierarchy with counts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from supervision_api.schemas.availability import FederationOut
from supervision_api.schemas.common import Answer


class SubRegion(Answer):
    type: Literal["region"]
    code: str
    name: str
    level: str
    facilities: int
    devices: int = Field(description="enabled devices")
    devices_by_kind: dict[str, int]


class FacilityChild(Answer):
    """A facility of a county."""

    type: Literal["facility"]
    id: str
    name: str
    kind: str
    kind_name: str
    devices: int = Field(description="enabled devices")
    devices_by_kind: dict[str, int]


RegionChild = Annotated[SubRegion | FacilityChild, Field(discriminator="type")]


class LatestLevels(Answer):
    """The latest 5-minute summaries summed (national store; NATIONAL.md §2): null when none reported."""

    as_of: str | None = Field(description="the oldest of the latest buckets summed (Beijing time)")
    devices: int | None = Field(description="supervised devices")
    devices_up: int | None
    devices_down: int | None
    devices_unknown: int | None = Field(description="no data (a silent collector): never counted down")
    facilities: int | None
    facilities_open: int | None = Field(description="in opening hours")
    facilities_serving: int | None
    clients: int | None = Field(description="Wi-Fi clients")
    terminals_in_use: int | None
    checks: int | None
    checks_failed: int | None
    uplink_in_bps: float | None
    uplink_out_bps: float | None


class LatestChild(LatestLevels):
    code: str
    name: str


class RegionLatest(LatestLevels):
    """The nation's or a province's state now, from the national summaries store."""

    source: Literal["summary"]
    data: list[LatestChild] = Field(description="the provinces (nation) or cities (a province)")
    federation: FederationOut


class RegionSummary(Answer):
    code: str = Field(description="GB/T 2260 code; 0 for the nation")
    name: str
    level: str
    parent: str | None
    facilities: int
    facilities_by_kind: dict[str, int]
    devices: int
    devices_by_kind: dict[str, int]
    kind_names: dict[str, str]
    data: list[RegionChild]
    count: int
    latest: RegionLatest | None = Field(
        None, description="the nation or a province with a national store: its latest 5-minute summaries"
    )
