"""Uplink bandwidth answers of facilities and regions (raw points or daily roll-ups)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from supervision_api.schemas.availability import FederationOut
from supervision_api.schemas.common import Answer, PeriodOut


class BusyHour(Answer):
    hour: int
    mean_bps: float


class TrafficFigures(Answer):
    """Traffic of 5-minute buckets: mean, 95th percentile and maximum in bit/s; null without samples."""

    samples: int
    in_mean_bps: float | None
    out_mean_bps: float | None
    in_p95_bps: float | None
    out_p95_bps: float | None
    in_max_bps: float | None
    out_max_bps: float | None
    capacity_bps: float | None
    utilisation_p95: float | None
    busiest_hours: list[BusyHour]


class LinkTraffic(TrafficFigures):
    device: str
    ifname: str
    uplink: bool


class FacilityTraffic(TrafficFigures):
    facility: str
    name: str
    uplinks: int
    links: list[LinkTraffic] | None = Field(None, description="per interface (only for one facility)")


class FacilityBandwidth(Answer):
    """A facility's uplink traffic; a facility without traffic data has only ``uplinks``/``samples`` 0 and no links."""

    period: PeriodOut
    facility: str
    name: str
    uplinks: int
    samples: int
    links: list[LinkTraffic]
    in_mean_bps: float | None = None
    out_mean_bps: float | None = None
    in_p95_bps: float | None = None
    out_p95_bps: float | None = None
    in_max_bps: float | None = None
    out_max_bps: float | None = None
    capacity_bps: float | None = None
    utilisation_p95: float | None = None
    busiest_hours: list[BusyHour] | None = None


class RawRegionBandwidth(TrafficFigures):
    source: Literal["raw"]
    code: str
    name: str
    period: PeriodOut
    facilities: int
    facilities_with_data: int
    data: list[FacilityTraffic]
    count: int


class RollupFacilityTraffic(Answer):
    facility: str
    name: str
    in_bytes: float
    out_bytes: float
    in_mean_bps: float
    out_mean_bps: float
    in_p95_max_daily_bps: float | None
    out_p95_max_daily_bps: float | None
    utilisation_p95_mean_daily: float | None
    utilisation_p95_max_daily: float | None


class RollupChildTraffic(Answer):
    code: str
    name: str
    facilities_with_data: int
    in_bytes: float
    out_bytes: float
    in_mean_bps: float
    out_mean_bps: float


class RollupRegionBandwidth(Answer):
    source: Literal["rollup"]
    code: str
    name: str
    period: PeriodOut
    facilities: int
    facilities_with_data: int
    in_bytes: float
    out_bytes: float
    util_p95_mean: float | None
    checks: int
    checks_passed: int
    check_pass_rate: float | None
    data: list[RollupFacilityTraffic]
    count: int
    basis: str | None = Field(
        None,
        description="the nation or a province over a calendar year: county_year (the county year rows; no facility "
        "list, the children instead)",
    )
    children: list[RollupChildTraffic] | None = Field(
        None, description="with basis county_year: the provinces (nation) or cities (a province)"
    )
    federation: FederationOut | None = Field(
        None, description="read from the national store (the nation or a province): which provinces are late"
    )


class SummaryTraffic(Answer):
    """Uplink traffic from the national summaries: per bucket the sum of the region's uplinks (each county's
    mean over its 5-minute or hourly bucket), then mean, 95th percentile and maximum over the buckets."""

    samples: int = Field(description="buckets with data")
    in_mean_bps: float | None
    out_mean_bps: float | None
    in_p95_bps: float | None
    out_p95_bps: float | None
    in_max_bps: float | None
    out_max_bps: float | None


class SummaryChildTraffic(SummaryTraffic):
    code: str
    name: str


class SummaryRegionBandwidth(SummaryTraffic):
    """The nation or a province from the national store's summaries (periods not made of whole days)."""

    source: Literal["summary"]
    tier: str = Field(description="summary (5-minute buckets) or summary_long (hourly)")
    code: str
    name: str
    period: PeriodOut
    facilities: int
    data: list[SummaryChildTraffic] = Field(description="the provinces (nation) or cities (a province)")
    count: int
    federation: FederationOut


RegionBandwidth = Annotated[
    RawRegionBandwidth | RollupRegionBandwidth | SummaryRegionBandwidth, Field(discriminator="source")
]
