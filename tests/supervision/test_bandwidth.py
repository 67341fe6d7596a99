"""Bandwidth figures on a real InfluxDB, worked out by hand.

Thursday 8 Oct 2026 (Beijing time), one point a minute on 金堂县图书馆's uplink
(jt-lib-sw1 ge0/0/1, uplink=1; declared uplink 100 Mbit/s):
in  = 1 Mbit/s at night (00–09, 17–24: 16 h = 192 five-minute buckets),
      10 Mbit/s by day except 50 Mbit/s 10:00–10:30 (90 + 6 buckets);
out = 2 Mbit/s all day.
mean in = (192·1 + 90·10 + 6·50) / 288 = 1392/288 Mbit/s;
p95 in (nearest rank ⌈0.95·288⌉ = 274th of 288) = 10 Mbit/s (ranks 193–282 are 10);
utilisation = max(10, 2) / 100 = 10 %; busiest hour 10 (mean (6·50 + 6·10)/12 = 30 Mbit/s).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from inventory.models import Inventory
from pdcs.points import INTERFACE, Point, to_lines
from pdcs.storage import InfluxDB
from supervision.bandwidth import p95
from tests.support.scenarios import at

M = 1e6
DAY = {"start": "2026-10-08T00:00:00+08:00", "end": "2026-10-09T00:00:00+08:00"}


def _rate_in(minute: int) -> float:
    h = minute // 60
    if h < 9 or h >= 17:
        return 1 * M
    return 50 * M if 600 <= minute < 630 else 10 * M


def _write(influx: InfluxDB, inventory: Inventory) -> None:
    tags = inventory.device_tags(inventory.devices["jt-lib-sw1"])
    t0 = at("2026-10-08")
    points = []
    for minute in range(1440):
        ns = int((t0 + timedelta(minutes=minute)).timestamp()) * 1_000_000_000
        up = tags | {"ifname": "ge0/0/1", "ifindex": "1", "uplink": "1"}
        lan = tags | {"ifname": "ge0/0/2", "ifindex": "2"}
        points.append(
            Point(INTERFACE, up, {"in_bps": _rate_in(minute), "out_bps": 2 * M, "speed_bps": 1000 * 10**6}, ns)
        )
        points.append(Point(INTERFACE, lan, {"in_bps": 3 * M, "out_bps": 4 * M, "speed_bps": 100 * 10**6}, ns))
    influx.write_lines(to_lines(points))


def test_p95_nearest_rank() -> None:
    assert p95([]) is None
    assert p95([5.0]) == 5.0
    assert p95([float(i) for i in range(1, 101)]) == 95.0
    assert p95([float(i) for i in range(1, 21)]) == 19.0


def test_facility_bandwidth(client: TestClient, influx: InfluxDB, inventory: Inventory) -> None:
    _write(influx, inventory)
    body = client.get("/facilities/jt-lib/bandwidth", params=DAY).json()
    assert body["uplinks"] == 1
    assert body["samples"] == 288
    assert body["in_mean_bps"] == pytest.approx(1392 / 288 * M)
    assert body["out_mean_bps"] == pytest.approx(2 * M)
    assert body["in_p95_bps"] == pytest.approx(10 * M)
    assert body["in_max_bps"] == pytest.approx(50 * M)
    assert body["capacity_bps"] == 100 * M
    assert body["utilisation_p95"] == pytest.approx(0.10)
    assert body["busiest_hours"][0]["hour"] == 10
    assert body["busiest_hours"][0]["mean_bps"] == pytest.approx(30 * M)
    links = {link["ifname"]: link for link in body["links"]}
    # The LAN port is listed, judged against its own interface speed, and not part of the facility total.
    assert links["ge0/0/2"]["uplink"] is False
    assert links["ge0/0/2"]["utilisation_p95"] == pytest.approx(0.04)


def test_region_bandwidth(client: TestClient, influx: InfluxDB, inventory: Inventory) -> None:
    _write(influx, inventory)
    body = client.get("/regions/510121/bandwidth", params=DAY).json()
    assert body["facilities"] == 3 and body["facilities_with_data"] == 1
    assert body["in_p95_bps"] == pytest.approx(10 * M)
    # Capacity: the library's declared 100 Mbit/s (the others have no uplink data).
    assert body["capacity_bps"] == 100 * M
    assert body["data"][0]["facility"] == "jt-lib"
    empty = client.get("/facilities/jt-wh/bandwidth", params=DAY).json()
    assert empty["samples"] == 0
