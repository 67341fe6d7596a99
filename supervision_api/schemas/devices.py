"""``/devices`` and ``/devices/{id}``: inventory facts (never secrets) and the last status."""

from __future__ import annotations

from pydantic import Field

from supervision_api.schemas.common import Answer, CodeName


class FacilityRef(Answer):
    id: str
    name: str
    kind: str
    kind_name: str
    timezone: str


class RegionChain(Answer):
    province: CodeName
    city: CodeName
    county: CodeName


class DeviceFacts(Answer):
    id: str
    name: str | None
    kind: str
    kind_name: str
    vendor: str | None
    address: str | None
    snmp_profile: str | None = Field(description="name of the profile, never its secrets")
    ssh_profile: str | None
    agent_url: str | None
    uplink_interface: str | None
    enabled: bool
    facility: FacilityRef
    region: RegionChain


class LastStatus(Answer):
    """The newest ``device_up`` point; fields the source did not report are absent."""

    time_ms: int
    up: int | None = None
    uptime_s: float | None = None
    rtt_ms: float | None = None
    error: str | None = None
    source: str | None = None


class DeviceOut(DeviceFacts):
    status: LastStatus | None
