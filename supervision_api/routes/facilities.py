"""``/facilities/{id}``: facts, and availability in scheduled service time."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from inventory.labels import facility_kind_label
from supervision import answers, planned
from supervision.index import devices_by_facility
from supervision.schedule import open_on_holidays
from supervision_api.deps import FacilityDep, InfluxDep, InventoryDep, LangDep, MaintenanceDep, PeriodDep, PollsDep
from supervision_api.schemas.availability import FacilityAvailability
from supervision_api.schemas.bandwidth import FacilityBandwidth
from supervision_api.schemas.facilities import FacilityOut
from supervision_api.schemas.usage import RegionUsage

router = APIRouter(prefix="/facilities", tags=["facilities"])


@router.get("/{facility_id}", response_model=FacilityOut, summary="A facility: kind, opening hours, devices")
def facility(facility: FacilityDep, inventory: InventoryDep, lang: LangDep) -> dict[str, Any]:
    devices = devices_by_facility(inventory).get(facility.id, [])
    return {
        "id": facility.id,
        "name": facility.name,
        "kind": facility.kind.value,
        "kind_name": facility_kind_label(facility.kind, lang),
        "county": {"code": facility.county, "name": inventory.region_name(facility.county)},
        "timezone": facility.timezone,
        "holiday_calendar": facility.holiday_calendar,
        "holidays": "open" if open_on_holidays(facility) else "closed",
        "holiday_hours": None if facility.holiday_hours is None else [str(s) for s in facility.holiday_hours],
        "special_days": [
            {
                "day": d.day.isoformat(),
                "to": d.to.isoformat() if d.to else None,
                "hours": [str(s) for s in d.hours],
                "reason": d.reason,
            }
            for d in facility.special_days
        ],
        "commissioned": facility.commissioned.isoformat() if facility.commissioned else None,
        "opening_hours": {d: [str(s) for s in spans] for d, spans in facility.opening_hours.items()},
        "uplink_mbps": facility.uplink_mbps,
        "attributes": facility.attributes,
        "data": [{"id": d.id, "name": d.name, "kind": d.kind.value, "enabled": d.enabled} for d in devices],
        "count": len(devices),
    }


@router.get(
    "/{facility_id}/availability",
    response_model=FacilityAvailability,
    summary="Availability in scheduled service time, with outages",
)
def availability(
    facility: FacilityDep,
    period: PeriodDep,
    inventory: InventoryDep,
    influx: InfluxDep,
    polls: PollsDep,
    maintenance: MaintenanceDep,
    limit: int = Query(1000, ge=0, le=100_000, description="most outages listed"),
    source: answers.Source = Query(answers.SOURCE_DEFAULT, description=answers.SOURCE_HELP),
) -> dict[str, Any]:
    body = answers.facility_availability(influx, inventory, facility, period, limit, polls, source)
    return planned.mark_answer(body, maintenance, inventory, planned.facility_scope(inventory, facility.id), period)


@router.get(
    "/{facility_id}/bandwidth",
    response_model=FacilityBandwidth,
    response_model_exclude_unset=True,
    summary="Uplink traffic: mean, 95th percentile, utilisation, busiest hours",
)
def bandwidth(facility: FacilityDep, period: PeriodDep, inventory: InventoryDep, influx: InfluxDep) -> dict[str, Any]:
    return answers.facility_bandwidth(influx, inventory, facility, period)


@router.get(
    "/{facility_id}/usage",
    response_model=RegionUsage,
    summary="Service effect (服务效能) of one facility, from the daily roll-ups",
)
def usage(facility: FacilityDep, period: PeriodDep, inventory: InventoryDep, influx: InfluxDep) -> dict[str, Any]:
    return answers.facility_usage(influx, inventory, facility, period)
