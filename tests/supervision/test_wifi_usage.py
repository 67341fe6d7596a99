"""Wi-Fi use per facility and day on a real InfluxDB, by hand; distinct clients with the salt rotated at midnight.

The controller's points are built by the collector's own pieces (the vendor
point builder, the station counter with its daily salt) at chosen times.
Facility 云顶 opens 09:00–21:00 every day; D = Monday 30 Nov 2026.
"""

from __future__ import annotations

from datetime import date

import pytest

from collectors.base import Target
from collectors.snmp.stations import DailySalt, StationCounter, with_distinct
from collectors.snmp.vendors.base import controller_points
from inventory.models import Device, Inventory
from pdcs.points import DEVICE_UP, WIRELESS, Point, to_lines
from pdcs.settings import ROLLUP_RP
from pdcs.storage import InfluxDB
from supervision import rollup, usage
from supervision.periods import year_period
from tests.supervision.test_usage import build, t

M = {n: bytes([2, 0, 0, 0, 0, n]) for n in range(1, 6)}
H = 3600.0
# controller polls: (day, time, {mac: ssid}, APs up)
AC_POLLS = [
    (0, "10:00", {M[1]: "readers", M[2]: "readers", M[3]: "staff"}, 2),
    (0, "10:05", {M[1]: "readers", M[4]: "readers"}, 2),
    (0, "23:58", {M[5]: "readers"}, 1),
    (1, "00:01", {M[1]: "readers", M[5]: "readers"}, 1),  # after midnight: a new salt
]


def inventory() -> Inventory:
    inv = build()
    for dev, kind in (("yd-ac", "wireless_controller"), ("yd-ap", "wireless_ap")):
        inv.devices[dev] = Device.model_validate({"id": dev, "kind": kind, "facility": "yd"})
    return inv


def write(influx: InfluxDB, inv: Inventory) -> StationCounter:
    now = [0.0]
    counter = StationCounter(DailySalt(clock=lambda: now[0]))
    ac = Target(inv.devices["yd-ac"], inv.device_tags(inv.devices["yd-ac"]))
    points: list[Point] = []
    digests = []
    for day, hm, stations, aps_up in AC_POLLS:
        now[0] = t(day, hm) + 30
        ts = int(now[0] * 1e9)
        per_ssid: dict[str, int] = {}
        for ssid in stations.values():
            per_ssid[ssid] = per_ssid.get(ssid, 0) + 1
        pts = controller_points(
            ac, "aruba", ts, aps=2, aps_up=aps_up, clients=len(stations), per_ap={}, per_radio={}, per_ssid=per_ssid
        )
        total, distinct = counter.observe("yd-ac", ac.timezone, stations)
        points += with_distinct(pts, total, distinct)
        digests.append(counter.digests("yd-ac"))
    assert not (digests[2] & digests[3])  # the same two phones before and after midnight: nothing in common
    ap_tags = inv.device_tags(inv.devices["yd-ap"])
    for hm, clients in (("20:50", 4), ("20:55", 0)):
        ts = int((t(0, hm) + 10) * 1e9)
        points.append(Point(DEVICE_UP, {**ap_tags, "source": "snmp"}, {"up": 1}, ts))
        points.append(Point(WIRELESS, {**ap_tags, "vendor": "ubiquiti"}, {"clients": clients}, ts))
    influx.write_lines(to_lines(points))
    return counter


def row(influx: InfluxDB, measurement: str, day: int, **tags: str) -> dict:
    cond = " AND ".join(f"\"{k}\" = '{v}'" for k, v in tags.items())
    (s,) = influx.query(f'SELECT * FROM "{ROLLUP_RP}"."{measurement}" WHERE time = {int(t(day, "00:00"))}s AND {cond}')
    return s.rows()[0]


def test_wifi_day_by_hand(influx: InfluxDB) -> None:
    inv = inventory()
    write(influx, inv)
    rollup.rollup_days(influx, inv, [date(2026, 11, 30), date(2026, 12, 1)])
    d = row(influx, "facility_daily", 0, facility="yd")
    # 5-minute buckets: controller 10:00 3, 10:05 2, 23:55 1; AP 20:50 4, 20:55 0 → peak 4
    assert d["wifi_peak_clients"] == 4
    assert d["wifi_client_hours"] == pytest.approx((3 + 2 + 1 + 4 + 0) * 300 / H)
    assert d["wifi_distinct_clients"] == 5  # m1…m5 on D (m1 twice: once)
    # APs up in opening hours: 10:00–10:10 (controller) and 20:50–21:00 (the AP itself); 23:55 is after closing
    assert (d["wifi_ap_up_s"], d["wifi_open_s"]) == (20 * 60, 12 * H)
    readers = row(influx, "ssid_daily", 0, facility="yd", ssid="readers")
    assert readers["distinct_clients"] == 4
    assert readers["client_hours"] == pytest.approx((2 + 2 + 1) * 300 / H)
    staff = row(influx, "ssid_daily", 0, facility="yd", ssid="staff")
    assert (staff["distinct_clients"], staff["client_hours"]) == (1, pytest.approx(300 / H))  # no point at 10:05
    nxt = row(influx, "facility_daily", 1, facility="yd")
    assert nxt["wifi_distinct_clients"] == 2  # m1 and m5 again, counted anew under the new day's salt
    assert nxt["wifi_ap_up_s"] == 0  # 00:00–00:05 is not opening time
    year = usage.read_usage(influx, {"county": "510121"}, year_period(2026))["yd"]
    assert year.wifi_days == 2 and year.peaks["wifi_peak_clients"] == 4
    assert year.sums["wifi_distinct_clients"] == 7
    assert year.as_dict()["wifi_coverage"] == pytest.approx(1200 / (24 * H))
    assert year.as_dict()["sessions"] is None  # no terminal reported: no terminal figures, not zero


def test_no_wireless_data_no_wifi_fields(influx: InfluxDB) -> None:
    inv = inventory()
    rollup.rollup_days(influx, inv, [date(2026, 11, 30)])
    d = row(influx, "facility_daily", 0, facility="yd")
    assert d.get("wifi_peak_clients") is None and d.get("wifi_ap_up_s") is None
