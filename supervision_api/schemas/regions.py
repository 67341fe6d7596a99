"""``/regions`` and ``/regions/{code}``: the hierarchy with counts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

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
