"""``/devices/{id}``: inventory facts, last status, availability."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from inventory.labels import device_kind_label, facility_kind_label
from inventory.models import Device, Inventory, region_chain
from pdcs.i18n import Lang
from supervision import answers, planned, polls
from supervision_api.deps import DeviceDep, InfluxDep, InventoryDep, LangDep, MaintenanceDep, PeriodDep, PollsDep
from supervision_api.schemas.availability import DeviceAvailability
from supervision_api.schemas.devices import DeviceOut

router = APIRouter(prefix="/devices", tags=["devices"])


def device_facts(inventory: Inventory, device: Device, lang: Lang) -> dict[str, Any]:
    """What the inventory says about a device — names of credential profiles only, never secrets."""
    fac = inventory.facilities[device.facility]
    province, city, county = region_chain(fac.county)
    return {
        "id": device.id,
        "name": device.name,
        "kind": device.kind.value,
        "kind_name": device_kind_label(device.kind, lang),
        "vendor": device.vendor,
        "address": device.address,
        "snmp_profile": device.snmp_profile,
        "ssh_profile": device.ssh_profile,
        "agent_url": device.agent_url,
        "uplink_interface": device.uplink_interface,
        "enabled": device.enabled,
        "facility": {
            "id": fac.id,
            "name": fac.name,
            "kind": fac.kind.value,
            "kind_name": facility_kind_label(fac.kind, lang),
            "timezone": fac.timezone,
        },
        "region": {
            level: {"code": code, "name": inventory.region_name(code)}
            for level, code in (("province", province), ("city", city), ("county", county))
        },
    }


@router.get(
    "/{device_id}",
    response_model=DeviceOut,
    response_model_exclude_unset=True,
    summary="A device: inventory facts and its last status",
)
def device(device: DeviceDep, inventory: InventoryDep, influx: InfluxDep, lang: LangDep) -> dict[str, Any]:
    out = device_facts(inventory, device, lang)
    out["status"] = polls.last_status(influx, device.id)
    return out


@router.get(
    "/{device_id}/availability",
    response_model=DeviceAvailability,
    summary="Availability over a period (default: last 24 h): share of polls answered, and up time in service hours",
)
def availability(
    device: DeviceDep,
    period: PeriodDep,
    inventory: InventoryDep,
    influx: InfluxDep,
    polls: PollsDep,
    maintenance: MaintenanceDep,
    source: answers.Source = Query(answers.SOURCE_DEFAULT, description=answers.SOURCE_HELP),
) -> dict[str, Any]:
    body = answers.device_availability(influx, inventory, device, period, polls, source)
    return planned.mark_answer(body, maintenance, inventory, planned.device_scope(inventory, device.id), period)
