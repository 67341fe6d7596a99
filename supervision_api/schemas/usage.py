"""``/regions/{code}/usage`` and ``/facilities/{id}/usage``: service effect (服务效能)."""

from __future__ import annotations

from pydantic import Field

from supervision_api.schemas.common import Answer, Labels, PeriodOut


class UsageFigures(Answer):
    days: int = Field(description="days with terminal figures")
    sessions: int | None = Field(description="服务人次: user sessions begun on the day and run in opening hours")
    service_hours: float | None = Field(description="用户服务时长: terminal time in use within opening hours")
    power_on_hours: float | None = Field(description="设备开机时长: terminal time powered on")
    share_in_use: float | None = Field(description="service time ÷ (opening hours × reporting terminals)")
    peak_terminals: int | None = Field(description="most terminals in use at one moment of opening hours")
    active_hours: float | None = Field(
        description="有效使用时长: service time minus idle/locked time, terminals that report idle time only"
    )
    active_share: float | None = Field(description="active ÷ service time of the terminals that report idle time")
    active_service_hours: float | None = Field(description="service time of the terminals that report idle time")
    active_terminal_days: int | None = Field(description="terminal-days that reported idle time (coverage)")
    terminal_days: int | None = Field(description="terminal-days that reported at all")
    wifi_days: int
    wifi_peak_clients: int | None
    wifi_client_hours: float | None
    wifi_distinct_clients: int | None = Field(description="Σ daily distinct clients (hashed MACs, daily salt)")
    wifi_coverage: float | None = Field(description="share of opening hours with an AP up")


class FacilityUsage(UsageFigures):
    facility: str
    name: str
    terminals: int | None = Field(description="terminals and kiosks in the inventory (mean over the days)")


class RegionUsage(Answer):
    code: str
    name: str
    period: PeriodOut
    source: str
    method: Labels
    facilities: int
    facilities_with_terminals: int
    facilities_with_terminal_data: int
    facilities_with_wifi_data: int
    totals: UsageFigures
    data: list[FacilityUsage]
    count: int
