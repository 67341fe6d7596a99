"""The answers (JSON-ready dicts) of the supervision figures, shared by the API routes and the CLI."""

from __future__ import annotations

from datetime import UTC
from typing import Any, Literal

from inventory.models import Device, Facility, Inventory
from pdcs.i18n import Lang, text
from pdcs.storage import InfluxDB
from supervision import assessment as asm
from supervision import availability as av
from supervision import bandwidth as bw
from supervision import rollup
from supervision.periods import Period
from supervision.recent_polls import PollFetch

Source = Literal["auto", "raw", "rollup"]
AUTO_ROLLUP_S = 31 * 86400  # longer periods read daily roll-ups …
AUTO_RAW_DEVICE_DAYS = 20_000  # … and so do regions too big to replay raw polls at request time


def use_rollups(source: Source, inventory: Inventory, code: str, period: Period) -> bool:
    """``auto``: raw points for a short period over a small region, roll-ups otherwise."""
    if source != "auto":
        return source == "rollup"
    if period.seconds > AUTO_ROLLUP_S:
        return True
    devices = len(inventory.devices_in([code]))
    return devices * period.seconds / 86400 > AUTO_RAW_DEVICE_DAYS


def region_name(inventory: Inventory, code: str, lang: Lang) -> str:
    return text("nation", lang) if code == "" else inventory.region_name(code)


def device_availability(
    influx: InfluxDB, inventory: Inventory, device: Device, period: Period, fetch: PollFetch | None = None
) -> dict[str, Any]:
    service = av.device_availability(influx, inventory, device, period, fetch=fetch)
    tz = inventory.facilities[device.facility].tz
    return {
        "device": device.id,
        "period": period.as_dict(),
        "polls": service.polls,
        "answered": service.answered,
        "share": service.answered / service.polls if service.polls else None,
        "service": {**service.summary(), "outages": [o.as_dict(tz) for o in service.outages]},
    }


def facility_availability(
    influx: InfluxDB,
    inventory: Inventory,
    facility: Facility,
    period: Period,
    limit: int = 1000,
    fetch: PollFetch | None = None,
) -> dict[str, Any]:
    result = av.facility_availability(influx, inventory, facility, period, fetch=fetch)
    figs = result.figures
    return {
        "facility": facility.id,
        "name": facility.name,
        "period": period.as_dict(),
        "supervised": result.plan.supervised,
        "requirements": result.plan.describe(),
        **figs.summary(),
        "availability": figs.availability if result.plan.supervised else None,
        "outages": [o.as_dict(facility.tz) for o in figs.outages[:limit]],
        "outage_count": len(figs.outages),
        "devices": [{"id": d, **f.summary(), "outages": len(f.outages)} for d, f in result.device_figures.items()],
    }


def region_availability(
    influx: InfluxDB,
    inventory: Inventory,
    code: str,
    period: Period,
    lang: Lang = "zh",
    limit: int = 1000,
    source: Source = "auto",
    fetch: PollFetch | None = None,
) -> dict[str, Any]:
    if use_rollups(source, inventory, code, period):
        result = rollup.region_availability_rollup(influx, inventory, code, period)
    else:
        result = av.region_availability(influx, inventory, code, period, fetch=fetch)
    tz_of = {f.id: f.tz for f in inventory.facilities.values()}
    default_tz = period.start.tzinfo or UTC
    in_county = len(code) == 6
    children = [
        {
            "facility" if in_county else "code": child,
            "name": inventory.facilities[child].name if in_county else inventory.region_name(child),
            **figs.summary(),
        }
        for child, figs in sorted(result.children.items())
    ]
    return {
        "code": code or "0",
        "name": region_name(inventory, code, lang),
        "period": period.as_dict(),
        **result.figures.summary(),
        "device_weighted": result.device_figures.summary(),
        "source": result.source,
        "facilities": result.facilities,
        "unsupervised_facilities": result.unsupervised,
        "data": children,
        "count": len(children),
        "outages": [o.as_dict(tz_of.get(o.facility or "", default_tz)) for o in result.figures.outages[:limit]],
        "outage_count": result.figures.outage_count,
    }


def region_bandwidth(
    influx: InfluxDB, inventory: Inventory, code: str, period: Period, lang: Lang = "zh", source: Source = "auto"
) -> dict[str, Any]:
    head = {"code": code or "0", "name": region_name(inventory, code, lang)}
    if use_rollups(source, inventory, code, period):
        return {**head, "source": "rollup", **rollup.bandwidth_rollup(influx, inventory, code, period)}
    return {**head, "source": "raw", **bw.region_bandwidth(influx, inventory, code, period)}


def facility_bandwidth(influx: InfluxDB, inventory: Inventory, facility: Facility, period: Period) -> dict[str, Any]:
    body = bw.region_bandwidth(influx, inventory, facility.county, period, facility_id=facility.id)
    if body["data"]:
        return {"period": body["period"], **body["data"][0]}
    return {
        "period": body["period"],
        "facility": facility.id,
        "name": facility.name,
        "uplinks": 0,
        "samples": 0,
        "links": [],
    }


def assessment(influx: InfluxDB, inventory: Inventory, code: str, year: int, lang: Lang = "zh") -> dict[str, Any]:
    result = asm.assess(influx, inventory, code, year)
    children = inventory.children(code) if len(code) < 6 else []
    body = result.region(code, children)
    for child in body["children"]:
        child["name"] = inventory.region_name(child["code"])
    return {
        "name": region_name(inventory, code, lang),
        "rubric": {"name": result.rubric.name.model_dump(), "source": result.rubric.source},
        **body,
    }
