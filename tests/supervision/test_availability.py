"""Availability in scheduled service time on a real InfluxDB, scenarios worked out by hand (see scenarios.py)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from inventory.models import Inventory
from pdcs.storage import InfluxDB
from supervision.periods import Period
from supervision.timeline import DOWN, UNKNOWN, UP, PollSeries, Segment, device_timeline
from tests.support.scenarios import END, PERIOD, START, at, write_fortnight, write_polls

H = 3600.0


def test_timeline_gap_rule() -> None:
    # Polls each minute, then silence from t=10 min: the last answer holds 3 min, then unknown.
    m = 60_000
    polls = [(i * m, 1) for i in range(10)] + [(30 * m, 0)]
    segs = device_timeline(PollSeries.of(polls), 0, 40 * m, 3 * m)
    assert segs == [
        Segment(0, 12 * m, UP),
        Segment(12 * m, 30 * m, UNKNOWN),
        Segment(30 * m, 33 * m, DOWN),
        Segment(33 * m, 40 * m, UNKNOWN),
    ]
    # Before the first poll of the period nothing is known.
    assert device_timeline(PollSeries.of([(5 * m, 1)]), 0, 6 * m, 3 * m)[0] == Segment(0, 5 * m, UNKNOWN)
    # A poll just before the period carries into it (the look-back); a duplicate time takes the later answer.
    assert device_timeline(PollSeries.of([(-m, 0), (m, 1), (m, 0), (2 * m, 0)]), 0, 4 * m, 3 * m) == [
        Segment(0, 4 * m, DOWN),
    ]
    assert device_timeline(PollSeries.of([(-5 * m, 1)]), 0, m, 3 * m) == [Segment(0, m, UNKNOWN)]
    assert device_timeline(PollSeries(), 0, m, 3 * m) == [Segment(0, m, UNKNOWN)]


def test_facility_holiday_fortnight(client: TestClient, influx: InfluxDB, inventory: Inventory) -> None:
    write_fortnight(influx, inventory)
    body = client.get("/facilities/jt-wh/availability", params=PERIOD).json()
    assert body["supervised"] is True
    assert body["scheduled_s"] == 48 * H
    assert body["up_s"] == 45.25 * H  # 48 − 0.5 − 0.75 − 1.5
    assert body["availability"] == 45.25 / 48
    assert body["unknown_s"] == 0
    outages = [(o["start"], o["end"], o["in_service_s"], o["duration_s"], o["devices"]) for o in body["outages"]]
    assert outages == [
        ("2026-09-30T08:00:00+08:00", "2026-09-30T09:30:00+08:00", 0.5 * H, 1.5 * H, ["jt-wh-k1"]),
        ("2026-10-08T16:30:00+08:00", "2026-10-09T09:15:00+08:00", 0.75 * H, 16.75 * H, ["jt-wh-sw1"]),
        ("2026-10-10T10:00:00+08:00", "2026-10-10T11:30:00+08:00", 1.5 * H, 1.5 * H, ["jt-wh-k1"]),
    ]
    assert all(o["cause"] == "down" for o in body["outages"])
    devices = {d["id"]: d for d in body["devices"]}
    assert devices["jt-wh-k1"]["up_s"] == 46 * H
    assert devices["jt-wh-sw1"]["up_s"] == 47.25 * H


def test_device_service_availability(client: TestClient, influx: InfluxDB, inventory: Inventory) -> None:
    write_fortnight(influx, inventory)
    body = client.get("/devices/jt-wh-k1/availability", params=PERIOD).json()
    # Share of polls answered counts every minute, night and holiday included.
    down_minutes = (11 + 1.5 + 4 * 24 + 1.5) * 60
    assert body["polls"] == 14 * 1440
    assert body["answered"] == 14 * 1440 - down_minutes
    assert body["service"]["scheduled_s"] == 48 * H
    assert body["service"]["availability"] == 46 / 48
    assert [o["in_service_s"] for o in body["service"]["outages"]] == [0.5 * H, 1.5 * H]


def test_collector_silence_is_no_data(client: TestClient, influx: InfluxDB, inventory: Inventory) -> None:
    # Thursday 8 Oct: both devices up, but no poll at all 13:00–14:00 and no collector point either
    # → the 12:59 answer holds 3 × 60 s, to 13:02; no data 13:02–14:00 = 58 min: listed as 无数据,
    # not as an outage, and left out of the availability (known time 8 h − 58 min, all up).
    day, nxt = at("2026-10-08"), at("2026-10-09")
    silent = [(at("2026-10-08", "13:00"), at("2026-10-08", "14:00"))]
    write_polls(influx, inventory, "jt-wh-k1", day, nxt, silent=silent)
    write_polls(influx, inventory, "jt-wh-sw1", day, nxt, silent=silent)
    body = client.get(
        "/facilities/jt-wh/availability", params={"start": day.isoformat(), "end": nxt.isoformat()}
    ).json()
    assert body["scheduled_s"] == 8 * H
    assert body["unknown_s"] == 58 * 60
    assert body["up_s"] == 8 * H - 58 * 60
    assert body["down_s"] == 0
    assert body["availability"] == 1.0
    assert body["coverage"] == (8 * H - 58 * 60) / (8 * H)
    assert body["outages"] == [] and body["outage_count"] == 0
    [gap] = body["no_data"]
    assert gap["cause"] == "no_data"
    assert (gap["start"], gap["end"]) == ("2026-10-08T13:02:00+08:00", "2026-10-08T14:00:00+08:00")


def test_county_rolls_up_facilities(client: TestClient, influx: InfluxDB, inventory: Inventory) -> None:
    write_fortnight(influx, inventory)
    # The library's 5 devices up all the time: it serves all its 48 h (Sat 3 Oct is in the holiday,
    # Sat 10 Oct works weekday hours).  赵镇 has never been polled and states no commissioning date:
    # it is not supervised yet — no scheduled time, listed as unmonitored (it used to count 48 h
    # of "no data" as not available).
    for dev in ("jt-lib-sw1", "jt-lib-ap1", "jt-lib-ap2", "jt-lib-t1", "jt-lib-t2"):
        write_polls(influx, inventory, dev, START, END)
    body = client.get("/regions/510121/availability", params=PERIOD).json()
    assert body["scheduled_s"] == 96 * H
    assert body["up_s"] == (45.25 + 48) * H
    assert body["availability"] == (45.25 + 48) / 96
    assert body["coverage"] == 1.0
    assert body["unmonitored_facilities"] == ["jt-zhaozhen"]
    by_fac = {c["facility"]: c for c in body["data"]}
    assert by_fac["jt-lib"]["availability"] == 1.0
    assert "jt-zhaozhen" not in by_fac
    assert body["outage_count"] == 3  # jt-wh's three
    assert body["no_data"] == []
    city = client.get("/regions/5101/availability", params=PERIOD).json()
    # 大邑县图书馆 has never been polled either.
    assert city["scheduled_s"] == 96 * H
    assert city["unmonitored_facilities"] == ["dy-lib", "jt-zhaozhen"]
    assert [c["code"] for c in city["data"]] == ["510121"]
    assert city["data"][0]["up_s"] == (45.25 + 48) * H


def test_period_object_is_half_open() -> None:
    p = Period(at("2026-10-01"), at("2026-10-02"))
    assert p.seconds == 86400
