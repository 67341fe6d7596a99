"""Wi-Fi use per facility and local day, from the ``wireless`` points of its controllers and APs.

Per 5-minute bucket and device, the device-total series (no ``ap``, ``radio``
or ``ssid`` tag) gives the clients (max and mean in the bucket), the day's
distinct clients so far (``distinct_clients``, collectors/snmp/stations.py)
and, on a controller, the APs up; an AP polled directly is up in a bucket
where its ``device_up`` says so.  Per facility and day:

* ``wifi_peak_clients`` — the most clients at once: the highest bucket of the
  facility's devices' summed maxima;
* ``wifi_client_hours`` — Σ mean clients × bucket length (client-hours);
* ``wifi_distinct_clients`` — Σ over devices of the day's distinct count
  (a client roaming between two controllers of one facility counts twice);
* ``wifi_ap_up_s`` — opening-hours time in buckets where at least one AP was
  up (``wifi_open_s``: the opening hours of the day) — the measured side of the
  wireless-coverage indicator;

and per SSID (``ssid_daily``, tags as ``facility_daily`` plus ``ssid``):
``client_hours``, ``peak_clients``, ``distinct_clients``.  Buckets without
data count nothing: unknown is not zero clients, and never coverage.
Poll each AP once — directly or through its controller — or its clients count twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from inventory.models import DeviceKind, Facility, Inventory
from pdcs.points import DEVICE_UP, WIRELESS, Point
from pdcs.storage import InfluxDB
from supervision import intervals as iv
from supervision.periods import Period
from supervision.rollup import FACILITY_DAILY, facility_row_tags
from supervision.schedule import HolidayCalendar, service_intervals
from supervision.timeline import tag_where

BUCKET_MS = 300_000
SSID_DAILY = "ssid_daily"


def _bucket_query(measurement: str, select: str, where: str, period: Period, extra: str, group: str) -> str:
    start, end = period.start_ns // 1_000_000, period.end_ns // 1_000_000
    return (
        f'SELECT {select} FROM "{measurement}" WHERE {where} AND time >= {start}ms AND time < {end}ms{extra} '
        f"GROUP BY time({BUCKET_MS // 1000}s), {group} fill(none)"
    )


class _Acc:
    """Per facility (or facility and SSID): summed bucket maxima, client-seconds, distinct counts."""

    def __init__(self) -> None:
        self.peak: dict[int, float] = defaultdict(float)
        self.client_s = 0.0
        self.distinct: dict[str, int] = {}

    def add(self, device: str, t: int, peak: float | None, mean: float | None, distinct: float | None) -> None:
        if peak is not None:
            self.peak[t] += peak
        if mean is not None:
            self.client_s += mean * BUCKET_MS / 1000
        if distinct is not None:
            self.distinct[device] = max(self.distinct.get(device, 0), int(distinct))

    def fields(self, prefix: str) -> dict[str, float | int]:
        out: dict[str, float | int] = {
            f"{prefix}peak_clients": int(max(self.peak.values(), default=0)),
            f"{prefix}client_hours": self.client_s / 3600,
        }
        if self.distinct:
            out[f"{prefix}distinct_clients"] = sum(self.distinct.values())
        return out


def facility_wifi(
    influx: InfluxDB,
    inventory: Inventory,
    county: str,
    facilities: Iterable[Facility],
    period: Period,
    calendar: HolidayCalendar,
) -> tuple[dict[str, dict[str, float | int]], dict[tuple[str, str], dict[str, float | int]]]:
    """(facility → facility_daily Wi-Fi fields, (facility, ssid) → ssid_daily fields) of one local day."""
    wanted = {f.id: f for f in facilities}
    where, params = tag_where({"county": county})
    totals: dict[str, _Acc] = defaultdict(_Acc)
    up_buckets: dict[str, set[int]] = defaultdict(set)
    plain = " AND \"ap\" = '' AND \"radio\" = ''"
    q = _bucket_query(
        WIRELESS,
        'max("clients") AS peak, mean("clients") AS mean, max("distinct_clients") AS dist, max("aps_up") AS aps_up',
        where,
        period,
        plain + " AND \"ssid\" = ''",
        '"device", "facility"',
    )
    for s in influx.query(q, params=params):
        fid, dev = s.tags.get("facility", ""), s.tags.get("device", "")
        if fid not in wanted:
            continue
        for t, peak, mean, distinct, aps_up in s.values:
            totals[fid].add(dev, int(t), peak, mean, distinct)
            if aps_up:
                up_buckets[fid].add(int(t))
    q = _bucket_query(
        WIRELESS,
        'max("clients") AS peak, mean("clients") AS mean, max("distinct_clients") AS dist',
        where,
        period,
        plain + " AND \"ssid\" != ''",
        '"device", "facility", "ssid"',
    )
    per_ssid: dict[tuple[str, str], _Acc] = defaultdict(_Acc)
    for s in influx.query(q, params=params):
        fid, dev, ssid = s.tags.get("facility", ""), s.tags.get("device", ""), s.tags.get("ssid", "")
        if fid in wanted:
            for t, peak, mean, distinct in s.values:
                per_ssid[(fid, ssid)].add(dev, int(t), peak, mean, distinct)
    aps = [d for d in inventory.devices_in([county]) if d.kind == DeviceKind.WIRELESS_AP and d.facility in wanted]
    if aps:
        q = _bucket_query(DEVICE_UP, 'max("up") AS up', where, period, " AND \"kind\" = 'wireless_ap'", '"facility"')
        for s in influx.query(q, params=params):
            fid = s.tags.get("facility", "")
            if fid in wanted:
                up_buckets[fid].update(int(t) for t, up in s.values if up)
    d0, d1 = period.start_ns // 1_000_000, period.end_ns // 1_000_000
    out: dict[str, dict[str, float | int]] = {}
    for fid in sorted(set(totals) | set(up_buckets)):
        hours = service_intervals(wanted[fid], d0, d1, calendar)
        covered = iv.intersect(iv.merge((t, t + BUCKET_MS) for t in up_buckets.get(fid, ())), hours)
        fields = totals[fid].fields("wifi_") if fid in totals else {}
        fields["wifi_ap_up_s"] = iv.total(covered) / 1000
        fields["wifi_open_s"] = iv.total(hours) / 1000
        out[fid] = fields
    return out, {k: acc.fields("") for k, acc in per_ssid.items()}


def county_day_points(
    influx: InfluxDB,
    inventory: Inventory,
    county: str,
    facilities: list[Facility],
    period: Period,
    calendar: HolidayCalendar,
) -> list[Point]:
    fac_fields, ssid_fields = facility_wifi(influx, inventory, county, facilities, period, calendar)
    points = [
        Point(FACILITY_DAILY, facility_row_tags(inventory.facilities[fid]), f, period.start_ns)
        for fid, f in fac_fields.items()
    ]
    points += [
        Point(SSID_DAILY, {**facility_row_tags(inventory.facilities[fid]), "ssid": ssid}, f, period.start_ns)
        for (fid, ssid), f in ssid_fields.items()
    ]
    return points
