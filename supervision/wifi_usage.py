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
``client_hours`` (Σ clients of the SSID's points × the device's poll interval:
a vendor that leaves out an SSID without clients loses nothing) and
``distinct_clients``.  Buckets without
data count nothing: unknown is not zero clients, and never coverage.
Poll each AP once — directly or through its controller — or its clients count twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from inventory.models import DeviceKind, Facility, Inventory
from pdcs import intervals as iv
from pdcs.points import DEVICE_UP, WIRELESS, Point
from pdcs.storage import InfluxDB
from supervision.periods import Period
from supervision.rollup import FACILITY_DAILY, facility_row_tags
from supervision.schedule import HolidayCalendar, service_intervals
from supervision.timeline import tag_where

BUCKET_MS = 300_000
SSID_DAILY = "ssid_daily"


def _raw_query(measurement: str, fields: str, where: str, period: Period, extra: str, group: str) -> str:
    start, end = period.start_ns // 1_000_000, period.end_ns // 1_000_000
    return (
        f'SELECT {fields} FROM "{measurement}" WHERE {where} AND time >= {start}ms AND time < {end}ms{extra} '
        f"GROUP BY {group}"
    )


def _replay(values: list[list[Any]], device: str, acc: _Acc, up: set[int], answered_is_up: bool) -> None:
    """One device-total series' rows (time, clients; in time order) into 5-minute buckets.

    ``answered_is_up``: the device is an AP polled directly, up in every bucket it
    answered in.  A plain loop over the rows with the bucket's figures in local
    variables, folded into the facility's accumulator once per device: this is
    the roll-up's hot path (hundreds of thousands of rows a county-day).
    """
    peak = acc.peak
    client_s = 0.0
    polls = buckets = 0
    cur = -1
    top: float | None = None
    total, n = 0.0, 0
    for t, clients in values:
        b = t - t % BUCKET_MS
        if b != cur:
            if cur >= 0:
                buckets += 1
                if top is not None:
                    peak[cur] += top
                    client_s += total / n
                    polls += n
                if answered_is_up:
                    up.add(cur)
            cur, top, total, n = b, None, 0.0, 0
        if clients is not None:
            if top is None or clients > top:
                top = clients
            total += clients
            n += 1
    if cur >= 0:
        buckets += 1
        if top is not None:
            peak[cur] += top
            client_s += total / n
            polls += n
        if answered_is_up:
            up.add(cur)
    acc.client_s += client_s * BUCKET_MS / 1000
    p, k = acc.polls[device]
    acc.polls[device] = (p + polls, k + buckets)


class _Acc:
    """Per facility (or facility and SSID): summed bucket maxima, client-seconds, distinct counts."""

    def __init__(self) -> None:
        self.peak: dict[int, float] = defaultdict(float)
        self.client_s = 0.0
        self.distinct: dict[str, int] = {}
        self.polls: dict[str, tuple[int, int]] = defaultdict(lambda: (0, 0))  # device → (polls, buckets)

    def add_distinct(self, device: str, distinct: float | None) -> None:
        if distinct is not None:
            self.distinct[device] = max(self.distinct.get(device, 0), int(distinct))

    def seconds_per_poll(self, device: str) -> float | None:
        """Bucket length ÷ polls per bucket of a device (its effective poll interval), from its totals."""
        n, b = self.polls.get(device, (0, 0))
        return BUCKET_MS / 1000 * b / n if n else None

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
    per_ssid: dict[tuple[str, str], _Acc] = defaultdict(_Acc)
    up_buckets: dict[str, set[int]] = defaultdict(set)
    # Device totals as raw points, bucketed here (InfluxDB 1.x's GROUP BY time() costs as much and
    # answers far more rows) — only the fields that need buckets; the day's distinct count is a maximum
    # per device and per SSID only a sum per series is needed, so InfluxDB aggregates those.  The three
    # queries are independent: the two small ones run beside the large one (InfluxDB answers them on the
    # other core while this one is parsed and bucketed).
    plain = " AND \"ap\" = '' AND \"radio\" = ''"
    totals_q = _raw_query(WIRELESS, '"clients"', where, period, plain + " AND \"ssid\" = ''", '"device"')
    # a controller is up in a bucket where it reported an AP up: only those rows, not a column of nulls for every AP
    aps_up_q = _raw_query(
        WIRELESS, '"aps_up"', where, period, plain + ' AND "ssid" = \'\' AND "aps_up" > 0', '"device"'
    )
    distinct_q = _raw_query(
        WIRELESS, 'max("distinct_clients") AS dist', where, period, plain + " AND \"ssid\" = ''", '"device"'
    )
    ssid_q = _raw_query(
        WIRELESS,
        'sum("clients") AS clients, max("distinct_clients") AS dist',
        where,
        period,
        plain + " AND \"ssid\" != ''",
        '"device", "ssid"',
    )
    with ThreadPoolExecutor(max_workers=3) as pool:
        distinct_f = pool.submit(influx.query, distinct_q, params=params)
        ssid_f = pool.submit(influx.query, ssid_q, params=params)
        aps_up_f = pool.submit(influx.query, aps_up_q, params=params)
        seen: set[str] = set()
        for s in influx.query(totals_q, params=params):
            dev = inventory.devices.get(s.tags.get("device", ""))
            if dev is None or dev.facility not in wanted:
                continue
            seen.add(dev.id)
            is_ap = dev.kind == DeviceKind.WIRELESS_AP
            _replay(s.values, dev.id, totals[dev.facility], up_buckets[dev.facility], is_ap)
        distinct_rows, ssid_rows, aps_up_rows = distinct_f.result(), ssid_f.result(), aps_up_f.result()
    for s in aps_up_rows:
        dev = inventory.devices.get(s.tags.get("device", ""))
        if dev is not None and dev.facility in wanted:
            up_buckets[dev.facility].update(int(t) - int(t) % BUCKET_MS for t, _ in s.values)
    for s in distinct_rows:
        dev = inventory.devices.get(s.tags.get("device", ""))
        if dev is not None and dev.facility in wanted:
            for _, dist in s.values:
                totals[dev.facility].add_distinct(dev.id, dist)
    for s in ssid_rows:
        dev = inventory.devices.get(s.tags.get("device", ""))
        if dev is None or dev.facility not in wanted:
            continue
        acc = per_ssid[(dev.facility, s.tags.get("ssid", ""))]
        for _, clients, dist in s.values:
            step = totals[dev.facility].seconds_per_poll(dev.id) if dev.facility in totals else None
            acc.client_s += (clients or 0) * (step if step is not None else BUCKET_MS / 1000)
            acc.add_distinct(dev.id, dist)
    # APs polled directly are up where they answered with clients; read device_up only for those that did not
    silent = [
        d
        for d in inventory.devices_in([county])
        if d.kind == DeviceKind.WIRELESS_AP and d.facility in wanted and d.id not in seen
    ]
    if silent:
        q = _raw_query(DEVICE_UP, '"up"', where, period, " AND \"kind\" = 'wireless_ap'", '"device"')
        for s in influx.query(q, params=params):
            dev = inventory.devices.get(s.tags.get("device", ""))
            if dev is not None and dev.facility in wanted and dev.id not in seen:
                up_buckets[dev.facility].update(int(t) // BUCKET_MS * BUCKET_MS for t, up in s.values if up)
    d0, d1 = period.start_ns // 1_000_000, period.end_ns // 1_000_000
    out: dict[str, dict[str, float | int]] = {}
    for fid in sorted(set(totals) | set(up_buckets)):
        hours = service_intervals(wanted[fid], d0, d1, calendar)
        covered = iv.intersect(iv.merge((t, t + BUCKET_MS) for t in up_buckets.get(fid, ())), hours)
        fields = totals[fid].fields("wifi_") if fid in totals else {}
        fields["wifi_ap_up_s"] = iv.total(covered) / 1000
        fields["wifi_open_s"] = iv.total(hours) / 1000
        out[fid] = fields
    ssids = {
        k: {
            "client_hours": acc.client_s / 3600,
            **({"distinct_clients": sum(acc.distinct.values())} if acc.distinct else {}),
        }
        for k, acc in per_ssid.items()
    }
    return out, ssids


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
