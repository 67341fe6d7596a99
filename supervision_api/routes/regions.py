"""``/regions``: the administrative hierarchy with facility and device counts."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from fastapi import APIRouter, Query

from inventory.labels import device_kind_label, facility_kind_label
from inventory.models import FACILITY_KIND_ZH, Inventory, region_level
from pdcs.i18n import Lang
from pdcs.storage import InfluxDB
from supervision import answers, national_answers, planned
from supervision.answers import region_name
from supervision.national_answers import reads_national
from supervision_api.deps import (
    InfluxDep,
    InventoryDep,
    LangDep,
    MaintenanceDep,
    NationalDep,
    PeriodDep,
    PollsDep,
    RegionDep,
    RegionRef,
)
from supervision_api.schemas.assessment import Assessment
from supervision_api.schemas.availability import RegionAvailability
from supervision_api.schemas.bandwidth import RegionBandwidth
from supervision_api.schemas.regions import RegionSummary
from supervision_api.schemas.usage import RegionUsage

router = APIRouter(prefix="/regions", tags=["regions"])
NATIONAL_HELP = (
    "; with a national store (PDCS_INFLUX_SHARDS national:), auto answers the nation and a province from it: "
    "the daily roll-ups copied there for whole days, the 5-minute/hourly summaries otherwise (`source`), "
    "and says which provinces are late (`federation`)"
)


def region_summary(inventory: Inventory, region: RegionRef, lang: Lang) -> dict[str, Any]:
    """The region, its totals, and its children (sub-regions, or facilities for a county)."""
    code = region.code
    width = len(code) + 2
    facility_child: dict[str, str] = {}
    for fac in inventory.facilities.values():
        if fac.county.startswith(code):
            facility_child[fac.id] = fac.id if len(code) == 6 else fac.county[:width]
    devices: dict[str, Counter[str]] = defaultdict(Counter)
    for dev in inventory.devices.values():
        child = facility_child.get(dev.facility)
        if child is not None and dev.enabled:
            devices[child][dev.kind.value] += 1
    facilities = Counter(facility_child.values())

    children: list[dict[str, Any]] = []
    if len(code) == 6:
        for fid in sorted(facility_child):
            fac = inventory.facilities[fid]
            children.append(
                {
                    "type": "facility",
                    "id": fid,
                    "name": fac.name,
                    "kind": fac.kind.value,
                    "kind_name": facility_kind_label(fac.kind, lang),
                    "devices": sum(devices[fid].values()),
                    "devices_by_kind": dict(sorted(devices[fid].items())),
                }
            )
    else:
        for child in inventory.children(code):
            children.append(
                {
                    "type": "region",
                    "code": child,
                    "name": inventory.region_name(child),
                    "level": region_level(child).value,
                    "facilities": facilities[child],
                    "devices": sum(devices[child].values()),
                    "devices_by_kind": dict(sorted(devices[child].items())),
                }
            )
    total: Counter[str] = Counter()
    for c in devices.values():
        total.update(c)
    fac_kinds = Counter(inventory.facilities[f].kind for f in facility_child)
    return {
        "code": code or "0",
        "name": region_name(inventory, code, lang),
        "level": region_level(code).value if code else "nation",
        "parent": (code[:-2] or "0") if code else None,
        "facilities": len(facility_child),
        "facilities_by_kind": {k.value: fac_kinds[k] for k in FACILITY_KIND_ZH if fac_kinds[k]},
        "devices": sum(total.values()),
        "devices_by_kind": dict(sorted(total.items())),
        "kind_names": {k: device_kind_label(k, lang) for k in sorted(total)},
        "data": children,
        "count": len(children),
    }


def with_latest(body: dict[str, Any], national: InfluxDB | None, inventory: Inventory, code: str) -> dict[str, Any]:
    """The nation and a province with a national store: add their latest 5-minute summaries (``latest``)."""
    if national is not None and reads_national(national, code):
        body["latest"] = national_answers.region_latest(national, inventory, code)
    return body


@router.get(
    "",
    response_model=RegionSummary,
    response_model_exclude_unset=True,
    summary="The nation: provinces with facility and device counts (and the latest summaries)",
)
def nation(inventory: InventoryDep, lang: LangDep, national: NationalDep) -> dict[str, Any]:
    return with_latest(region_summary(inventory, RegionRef(""), lang), national, inventory, "")


@router.get(
    "/{code}",
    response_model=RegionSummary,
    response_model_exclude_unset=True,
    summary="A region (0 = nation): children with facility and device counts by kind (and the latest summaries)",
)
def region(region: RegionDep, inventory: InventoryDep, lang: LangDep, national: NationalDep) -> dict[str, Any]:
    return with_latest(region_summary(inventory, region, lang), national, inventory, region.code)


@router.get(
    "/{code}/availability",
    response_model=RegionAvailability,
    response_model_exclude_unset=True,
    summary="Availability in scheduled service time of a region's facilities",
)
def availability(
    region: RegionDep,
    period: PeriodDep,
    inventory: InventoryDep,
    influx: InfluxDep,
    polls: PollsDep,
    maintenance: MaintenanceDep,
    lang: LangDep,
    national: NationalDep,
    limit: int = Query(1000, ge=0, le=100_000, description="most outages listed"),
    source: answers.Source = Query(answers.SOURCE_DEFAULT, description=answers.SOURCE_HELP + NATIONAL_HELP),
) -> dict[str, Any]:
    if source == "auto" and national is not None and reads_national(national, region.code):
        name = answers.region_name(inventory, region.code, lang)
        body = national_answers.region_availability(national, inventory, region.code, period, name)
    else:
        body = answers.region_availability(influx, inventory, region.code, period, lang, limit, source, polls)
    return planned.mark_answer(body, maintenance, inventory, planned.Scope(region.code), period)


@router.get(
    "/{code}/bandwidth",
    response_model=RegionBandwidth,
    response_model_exclude_unset=True,
    summary="Uplink traffic of a region's facilities: mean, p95, utilisation",
)
def bandwidth(
    region: RegionDep,
    period: PeriodDep,
    inventory: InventoryDep,
    influx: InfluxDep,
    lang: LangDep,
    national: NationalDep,
    source: answers.Source = Query(
        "auto",
        description="raw points (5-minute buckets), daily roll-ups (bytes, daily p95), or auto" + NATIONAL_HELP,
    ),
) -> dict[str, Any]:
    if source == "auto" and national is not None and reads_national(national, region.code):
        name = answers.region_name(inventory, region.code, lang)
        return national_answers.region_bandwidth(national, inventory, region.code, period, name)
    return answers.region_bandwidth(influx, inventory, region.code, period, lang, source)


@router.get(
    "/{code}/assessment",
    response_model=Assessment,
    response_model_exclude_unset=True,
    summary="Annual assessment (年度考核): scores that explain themselves",
)
def assessment(
    region: RegionDep,
    inventory: InventoryDep,
    influx: InfluxDep,
    lang: LangDep,
    national: NationalDep,
    year: int = Query(..., ge=2000, le=2100, description="calendar year (Beijing time)"),
) -> dict[str, Any]:
    if national is not None and reads_national(national, region.code):
        return national_answers.region_assessment(national, influx, inventory, region.code, year, lang)
    return answers.assessment(influx, inventory, region.code, year, lang)


@router.get(
    "/{code}/usage",
    response_model=RegionUsage,
    summary="Service effect (服务效能): sessions, service and power-on hours, terminals in use, Wi-Fi use",
)
def usage(
    region: RegionDep, period: PeriodDep, inventory: InventoryDep, influx: InfluxDep, lang: LangDep
) -> dict[str, Any]:
    return answers.region_usage(influx, inventory, region.code, period, lang)
