"""Bandwidth per link and facility from the ``interface`` measurement.

Rates are averaged into 5-minute buckets first (``mean(in_bps)`` per link,
the usual basis of 95th-percentile figures); the 95th percentile is the
nearest-rank one over those buckets.  A facility's traffic is the sum of its
uplink links (``uplink=1``) bucket by bucket; utilisation is the 95th
percentile of the busier direction against the declared ``uplink_mbps`` (or,
when none is declared, the links' interface speed).  Busiest hours are the
local hours of day with the highest mean rate of the busier direction.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from inventory.models import Facility, Inventory
from pdcs.points import INTERFACE
from pdcs.storage import InfluxDB
from supervision.periods import BEIJING, Period
from supervision.regions import level_tags
from supervision.timeline import tag_where

BUCKET = "5m"
BUCKET_MS = 300_000


def p95(values: list[float]) -> float | None:
    """Nearest-rank 95th percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


@dataclass
class Series:
    """5-minute buckets: time (ms) → (in_bps, out_bps)."""

    buckets: dict[int, tuple[float, float]] = field(default_factory=dict)
    speed_bps: float | None = None

    def add(self, other: Series) -> None:
        for t, (i, o) in other.buckets.items():
            a, b = self.buckets.get(t, (0.0, 0.0))
            self.buckets[t] = (a + i, b + o)


def figures(series: Series, capacity_bps: float | None, tz: tzinfo, top_hours: int = 3) -> dict[str, Any]:
    ins = [v[0] for v in series.buckets.values()]
    outs = [v[1] for v in series.buckets.values()]
    p_in, p_out = p95(ins), p95(outs)
    by_hour: dict[int, list[float]] = defaultdict(list)
    for t, (i, o) in series.buckets.items():
        by_hour[datetime.fromtimestamp(t / 1000, tz).hour].append(max(i, o))
    hourly = {h: sum(v) / len(v) for h, v in by_hour.items()}
    busiest = sorted(hourly.items(), key=lambda kv: (-kv[1], kv[0]))[:top_hours]
    peak = max(p_in or 0.0, p_out or 0.0) if ins else None
    return {
        "samples": len(ins),
        "in_mean_bps": _mean(ins),
        "out_mean_bps": _mean(outs),
        "in_p95_bps": p_in,
        "out_p95_bps": p_out,
        "in_max_bps": max(ins) if ins else None,
        "out_max_bps": max(outs) if outs else None,
        "capacity_bps": capacity_bps,
        "utilisation_p95": (peak / capacity_bps) if (peak is not None and capacity_bps) else None,
        "busiest_hours": [{"hour": h, "mean_bps": v} for h, v in busiest],
    }


@dataclass
class LinkKey:
    device: str
    ifname: str
    uplink: bool
    facility: str


def fetch_links(
    influx: InfluxDB, tags: dict[str, str], period: Period
) -> dict[tuple[str, str], tuple[LinkKey, Series]]:
    where, params = tag_where(tags)
    start, end = period.start_ns // 1_000_000, period.end_ns // 1_000_000
    cond = f"time >= {start}ms AND time < {end}ms" + (f" AND {where}" if where else "")
    q = (
        f"SELECT mean(in_bps) AS i, mean(out_bps) AS o, max(speed_bps) AS sp FROM {INTERFACE} WHERE {cond} "
        f"GROUP BY time({BUCKET}), facility, device, ifname, uplink fill(none)"
    )
    out: dict[tuple[str, str], tuple[LinkKey, Series]] = {}
    for s in influx.query(q, params=params):
        key = (s.tags.get("device", ""), s.tags.get("ifname", ""))
        link = LinkKey(key[0], key[1], s.tags.get("uplink") == "1", s.tags.get("facility", ""))
        series = Series()
        for row in s.rows():
            if row["i"] is None and row["o"] is None:
                continue
            series.buckets[int(row["time"])] = (float(row["i"] or 0.0), float(row["o"] or 0.0))
            if row["sp"]:
                series.speed_bps = max(series.speed_bps or 0.0, float(row["sp"]))
        out[key] = (link, series)
    return out


def facility_capacity(facility: Facility, uplinks: list[Series]) -> float | None:
    if facility.uplink_mbps:
        return facility.uplink_mbps * 1e6
    speeds = [s.speed_bps for s in uplinks if s.speed_bps]
    return sum(speeds) if speeds else None


def facility_bandwidth(
    facility: Facility, links: list[tuple[LinkKey, Series]], include_links: bool = True
) -> dict[str, Any]:
    tz = facility.tz
    uplinks = [s for k, s in links if k.uplink]
    total = Series()
    for s in uplinks:
        total.add(s)
    body: dict[str, Any] = {
        "facility": facility.id,
        "name": facility.name,
        "uplinks": len(uplinks),
        **figures(total, facility_capacity(facility, uplinks), tz),
    }
    if include_links:
        body["links"] = [
            {"device": k.device, "ifname": k.ifname, "uplink": k.uplink, **figures(s, s.speed_bps, tz)}
            for k, s in sorted(links, key=lambda kv: (kv[0].device, kv[0].ifname))
        ]
    return body


def region_bandwidth(
    influx: InfluxDB, inventory: Inventory, code: str, period: Period, facility_id: str | None = None
) -> dict[str, Any]:
    """Per-facility figures for a region (or one facility), and the region's summed uplink traffic."""
    if facility_id:
        tags = {"facility": facility_id}
        facilities = [inventory.facilities[facility_id]]
    else:
        tags = level_tags(code)
        facilities = sorted(inventory.facilities_in(code), key=lambda f: f.id)
    links = fetch_links(influx, tags, period)
    by_fac: dict[str, list[tuple[LinkKey, Series]]] = defaultdict(list)
    for link, series in links.values():
        by_fac[link.facility].append((link, series))
    per_facility = [
        facility_bandwidth(f, by_fac[f.id], include_links=facility_id is not None) for f in facilities if by_fac[f.id]
    ]
    total = Series()
    capacity = 0.0
    for f in facilities:
        ups = [s for k, s in by_fac[f.id] if k.uplink]
        if not ups:
            continue  # capacity only of facilities whose traffic is counted
        for s in ups:
            total.add(s)
        capacity += facility_capacity(f, ups) or 0.0
    # Busiest hours in local time: the facilities' own zone when they share one, else Beijing time
    # (not the zone the period happened to be written in — a county and its library agree).
    zones = {f.timezone for f in facilities}
    tz = facilities[0].tz if len(zones) == 1 else BEIJING
    return {
        "period": period.as_dict(),
        "facilities_with_data": sum(1 for f in per_facility if f["samples"]),  # not those whose links sent nothing
        "facilities": len(facilities),
        **figures(total, capacity or None, tz),
        "data": per_facility,
        "count": len(per_facility),
    }
