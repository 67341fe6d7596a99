"""The answers (JSON-ready dicts) of the supervision figures, shared by the API routes and the CLI."""

from __future__ import annotations

from datetime import UTC, tzinfo
from typing import Any, Literal

from inventory.models import Device, Facility, Inventory
from pdcs.i18n import Lang, text
from pdcs.storage import InfluxDB
from supervision import assessment as asm
from supervision import availability as av
from supervision import bandwidth as bw
from supervision import rollup, usage
from supervision import sources as src
from supervision.periods import Period
from supervision.recent_polls import PollFetch

Source = Literal["auto", "raw", "rollup"]
SOURCE_DEFAULT: Source = "auto"
SOURCE_HELP = (
    "raw polls, or daily roll-ups for every whole local day that has one (outages by number); "
    "auto: roll-ups for days whose raw polls expired and for long periods (> 31 days) or big regions, "
    "raw polls for the rest. The answer's `sources` says which source covered which days."
)
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


def prefer_rollups(source: Source, period: Period) -> bool:
    """For a device or a facility: roll-ups for whole days when asked, or for long periods."""
    return source == "rollup" or (source == "auto" and period.seconds > AUTO_ROLLUP_S)


def spans(items: list[av.Outage], tz: tzinfo, limit: int) -> list[dict[str, Any]]:
    return [o.as_dict(tz) for o in items[:limit]]


def device_availability(
    influx: InfluxDB,
    inventory: Inventory,
    device: Device,
    period: Period,
    fetch: PollFetch | None = None,
    source: Source = "auto",
    now: int | None = None,
) -> dict[str, Any]:
    service, pieces = src.device_over(
        influx,
        inventory,
        device,
        period,
        prefer_rollup=prefer_rollups(source, period),
        force_raw=source == "raw",
        fetch=fetch,
        now=now,
    )
    tz = inventory.facilities[device.facility].tz
    overall, listed = src.sources_answer([(pieces, tz)])
    return {
        "device": device.id,
        "period": period.as_dict(),
        "polls": service.polls,
        "answered": service.answered,
        "share": service.answered / service.polls if service.polls else None,
        "service": {
            **service.summary(),
            "outages": spans(service.outages, tz, 1000),
            "outage_count": service.outage_count,
            "no_data": spans(service.no_data, tz, 1000),
        },
        "source": overall,
        "sources": listed,
    }


def facility_availability(
    influx: InfluxDB,
    inventory: Inventory,
    facility: Facility,
    period: Period,
    limit: int = 1000,
    fetch: PollFetch | None = None,
    source: Source = "auto",
    now: int | None = None,
) -> dict[str, Any]:
    [acc] = src.facilities_over(
        influx,
        inventory,
        [facility],
        {"facility": facility.id},
        period,
        prefer_rollup=prefer_rollups(source, period),
        force_raw=source == "raw",
        fetch=fetch,
        now=now,
        with_devices=True,
    )
    figs = acc.figures if acc.supervised else av.Figures()
    overall, listed = src.sources_answer([(acc.pieces, facility.tz)])
    return {
        "facility": facility.id,
        "name": facility.name,
        "period": period.as_dict(),
        "supervised": acc.supervised,
        "requirements": acc.describe,
        **figs.summary(),
        "outages": spans(figs.outages, facility.tz, limit),
        "outage_count": figs.outage_count,
        "no_data": spans(figs.no_data, facility.tz, limit),
        "devices": [{"id": d, **f.summary(), "outages": f.outage_count} for d, f in sorted(acc.device_figures.items())],
        "source": overall,
        "sources": listed,
    }


def region_result(
    influx: InfluxDB,
    inventory: Inventory,
    code: str,
    period: Period,
    source: Source = "auto",
    fetch: PollFetch | None = None,
    now: int | None = None,
) -> av.RegionResult:
    """A region's availability, every local day from raw polls or roll-ups (``sources``)."""
    return src.region_over(
        influx,
        inventory,
        code,
        period,
        prefer_rollup=use_rollups(source, inventory, code, period),
        force_raw=source == "raw",
        fetch=fetch,
        now=now,
    )


def region_availability(
    influx: InfluxDB,
    inventory: Inventory,
    code: str,
    period: Period,
    lang: Lang = "zh",
    limit: int = 1000,
    source: Source = "auto",
    fetch: PollFetch | None = None,
    now: int | None = None,
) -> dict[str, Any]:
    result = region_result(influx, inventory, code, period, source, fetch, now)
    tz_of = {f.id: f.tz for f in inventory.facilities.values()}
    default_tz = period.start.tzinfo or UTC
    in_county = len(code) == 6
    children = [
        {
            "facility" if in_county else "code": child,
            "name": inventory.facilities[child].name if in_county else inventory.region_name(child),
            **figs.summary(),
            "outage_count": figs.outage_count,
        }
        for child, figs in sorted(result.children.items())
    ]
    figs = result.figures
    return {
        "code": code or "0",
        "name": region_name(inventory, code, lang),
        "period": period.as_dict(),
        **figs.summary(),
        "device_weighted": result.device_figures.summary(),
        "source": result.source,
        "sources": result.sources,
        "facilities": result.facilities,
        "unsupervised_facilities": result.unsupervised,
        "unmonitored_facilities": result.unmonitored,
        "data": children,
        "count": len(children),
        "outages": [o.as_dict(tz_of.get(o.facility or "", default_tz)) for o in figs.outages[:limit]],
        "outage_count": figs.outage_count,
        "no_data": [o.as_dict(tz_of.get(o.facility or "", default_tz)) for o in figs.no_data[:limit]],
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
    return assessment_body(asm.assess(influx, inventory, code, year), inventory, code, lang)


def assessment_body(result: asm.Assessment, inventory: Inventory, code: str, lang: Lang = "zh") -> dict[str, Any]:
    """The answer of an assessment's pools for region ``code`` and its children."""
    children = inventory.children(code) if len(code) < 6 else []
    body = result.region(code, children)
    for child in body["children"]:
        child["name"] = inventory.region_name(child["code"])
    return {
        "name": region_name(inventory, code, lang),
        "rubric": {"name": result.rubric.name.model_dump(), "source": result.rubric.source},
        **body,
    }


def region_usage(
    influx: InfluxDB, inventory: Inventory, code: str, period: Period, lang: Lang = "zh"
) -> dict[str, Any]:
    """Service effect (服务效能) of a region's facilities from the daily roll-ups."""
    return {
        "code": code or "0",
        "name": region_name(inventory, code, lang),
        **usage.region_usage(influx, inventory, code, period),
    }


def facility_usage(influx: InfluxDB, inventory: Inventory, facility: Facility, period: Period) -> dict[str, Any]:
    body = usage.region_usage(influx, inventory, facility.county, period)
    mine = [r for r in body["data"] if r["facility"] == facility.id]
    return {**body, "code": facility.id, "name": facility.name, "data": mine, "count": len(mine)}
