"""The smaller points of issue 14, each on a real InfluxDB: traps are not polls, bandwidth counts only
facilities with samples, busiest hours in local (Beijing) time for counties too, the default period in
Beijing time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from inventory.models import Facility, Inventory
from pdcs.points import DEVICE_UP, INTERFACE, Point, to_lines
from pdcs.storage import InfluxDB
from supervision import answers
from supervision.periods import Period
from tests.support.scenarios import at, write_polls

H = 3600.0


def ns(dt: datetime) -> int:
    return int(dt.timestamp()) * 10**9


def test_trap_points_are_not_polls(influx: InfluxDB, inventory: Inventory) -> None:
    # Thu 8 Oct: polls every minute 09:00–17:00, all up, except an uplink linkDown trap at 10:00:30
    # (device_up up=0, source=trap): down from the trap to the next poll at 10:01 — but not a poll.
    write_polls(influx, inventory, "jt-wh-sw1", at("2026-10-08", "09:00"), at("2026-10-08", "17:00"))
    tags = inventory.device_tags(inventory.devices["jt-wh-sw1"]) | {"source": "trap"}
    trap_at = ns(at("2026-10-08", "10:00")) + 30 * 10**9
    influx.write_lines(to_lines([Point(DEVICE_UP, tags, {"up": 0, "error": "uplink down (linkDown trap)"}, trap_at)]))
    period = Period(at("2026-10-08"), at("2026-10-09"))
    body = answers.device_availability(influx, inventory, inventory.devices["jt-wh-sw1"], period)
    assert body["polls"] == 8 * 60 and body["answered"] == 8 * 60 and body["share"] == 1.0
    assert body["service"]["down_s"] == 30


def test_bandwidth_counts_only_facilities_with_samples(influx: InfluxDB, inventory: Inventory) -> None:
    # The library's uplink carries traffic; the cultural centre's switch reports counters only (no rates yet).
    day = at("2026-10-10")
    lib = inventory.device_tags(inventory.devices["jt-lib-sw1"]) | {"ifname": "ge0/0/1", "uplink": "1"}
    wh = inventory.device_tags(inventory.devices["jt-wh-sw1"]) | {"ifname": "ge0/0/1", "uplink": "1"}
    points = [Point(INTERFACE, lib, {"in_bps": 8e6, "out_bps": 2e6}, ns(day + timedelta(minutes=m))) for m in range(60)]
    points += [Point(INTERFACE, wh, {"in_octets": 1000 + m}, ns(day + timedelta(minutes=m))) for m in range(60)]
    influx.write_lines(to_lines(points))
    body = answers.region_bandwidth(influx, inventory, "510121", Period(day, day + timedelta(days=1)), source="raw")
    assert body["facilities"] == 3 and body["facilities_with_data"] == 1


def test_busiest_hour_in_beijing_time_for_county_and_facility(influx: InfluxDB, inventory: Inventory) -> None:
    # 20:00–21:00 Beijing (12:00 UTC) is the busy hour; the period is asked for in UTC.
    day = at("2026-10-10")
    lib = inventory.device_tags(inventory.devices["jt-lib-sw1"]) | {"ifname": "ge0/0/1", "uplink": "1"}
    points = [
        Point(INTERFACE, lib, {"in_bps": 50e6 if 20 * 60 <= m < 21 * 60 else 1e6, "out_bps": 1e6},
              ns(day + timedelta(minutes=m)))
        for m in range(0, 1440, 5)
    ]  # fmt: skip
    influx.write_lines(to_lines(points))
    utc = Period(day.astimezone(UTC), (day + timedelta(days=1)).astimezone(UTC))
    county = answers.region_bandwidth(influx, inventory, "510121", utc, source="raw")
    facility = answers.facility_bandwidth(influx, inventory, inventory.facilities["jt-lib"], utc)
    assert county["busiest_hours"][0]["hour"] == facility["busiest_hours"][0]["hour"] == 20


def test_default_period_is_in_beijing_time(client: TestClient) -> None:
    body = client.get("/regions/510121/availability").json()
    assert body["period"]["start"].endswith("+08:00") and body["period"]["end"].endswith("+08:00")


def test_facility_answer_states_its_holiday_rule(client: TestClient, inventory: Inventory) -> None:
    assert client.get("/facilities/jt-lib").json()["holidays"] == "closed"  # the fixture announces closure
    lib = inventory.facilities["jt-lib"]
    inventory.facilities["jt-lib"] = lib.model_copy(
        update={
            "holidays": None,
            "special_days": Facility.model_validate(
                {**lib.model_dump(), "special_days": [{"date": "2027-02-06", "hours": "closed", "reason": "除夕闭馆"}]}
            ).special_days,
        }
    )
    body = client.get("/facilities/jt-lib").json()
    assert body["holidays"] == "open"  # a library's default, 《公共图书馆法》第三十三条
    assert body["special_days"] == [{"day": "2027-02-06", "to": None, "hours": [], "reason": "除夕闭馆"}]
