"""Supervised time, three kinds of scheduled time, and periods past now — on a real InfluxDB, by hand.

金堂县文化馆 (jt-wh) opens Mon–Fri 09:00–17:00 under the official calendar (scenarios.py):
Thu 8 Oct, Fri 9 Oct and Sat 10 Oct 2026 (an adjusted working day) are 8 h each.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from inventory.models import Inventory
from pdcs.points import COLLECTOR, Point, to_lines
from pdcs.storage import InfluxDB
from supervision import answers
from supervision import availability as av
from supervision.periods import Period
from supervision.schedule import RegionalDays, official_calendar
from tests.support.scenarios import END, START, at, write_polls

H = 3600.0
FORTNIGHT = Period(START, END)


def write_collector(influx: InfluxDB, start: datetime, end: datetime, regions: str = "51") -> None:
    """A collector covering ``regions`` writing its ``collector`` point every minute in ``[start, end)``."""
    t0, t1 = int(start.timestamp()), int(end.timestamp())
    influx.write_lines(
        to_lines(
            Point(COLLECTOR, {"collector": "c1", "regions": regions}, {"cycle_s": 0.5}, t * 10**9)
            for t in range(t0, t1, 60)
        )
    )


def ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def with_dates(inventory: Inventory, device: str, **dates: date) -> Inventory:
    inv = inventory.model_copy(deep=True)
    inv.devices[device] = inv.devices[device].model_copy(update=dates)
    return inv


def test_device_installed_mid_period_counts_from_its_first_poll(influx: InfluxDB, inventory: Inventory) -> None:
    # The kiosk's first poll is Thu 8 Oct 00:00, up ever since: 24 h scheduled (8, 9, 10 Oct), all up —
    # not 24 of 48 h (the 11 days before it existed used to count as down or unknown).
    write_polls(influx, inventory, "jt-wh-k1", at("2026-10-08"), END)
    body = answers.device_availability(influx, inventory, inventory.devices["jt-wh-k1"], FORTNIGHT)
    service = body["service"]
    assert service["scheduled_s"] == 24 * H and service["up_s"] == 24 * H
    assert service["availability"] == 1.0 and service["coverage"] == 1.0
    assert service["outages"] == [] and service["no_data"] == []
    assert body["sources"] == [
        {"source": "raw", "start": "2026-10-08T00:00:00+08:00", "end": "2026-10-12T00:00:00+08:00",
         "days": 4.0, "facilities": 1}
    ]  # fmt: skip


def test_commissioning_date_starts_supervision(influx: InfluxDB, inventory: Inventory) -> None:
    # 投运日期 8 Oct, but the first poll only on Fri 9 Oct: Thursday's 8 h are no data (no collector
    # was alive), listed as 无数据 — then down once a collector is alive and the kiosk stays silent.
    inv = with_dates(inventory, "jt-wh-k1", commissioned=date(2026, 10, 8))
    write_polls(influx, inv, "jt-wh-k1", at("2026-10-09"), END)
    kiosk = inv.devices["jt-wh-k1"]
    service = answers.device_availability(influx, inv, kiosk, FORTNIGHT)["service"]
    assert (service["scheduled_s"], service["up_s"], service["unknown_s"]) == (24 * H, 16 * H, 8 * H)
    assert service["availability"] == 1.0 and service["coverage"] == 16 / 24
    assert service["outages"] == []
    [gap] = service["no_data"]
    assert (gap["start"], gap["end"], gap["in_service_s"]) == (
        "2026-10-08T00:00:00+08:00", "2026-10-09T00:00:00+08:00", 8 * H
    )  # fmt: skip
    write_collector(influx, at("2026-10-08"), at("2026-10-09"))
    service = answers.device_availability(influx, inv, kiosk, FORTNIGHT)["service"]
    assert (service["up_s"], service["down_s"], service["unknown_s"]) == (16 * H, 8 * H, 0)
    assert service["availability"] == 16 / 24 and service["coverage"] == 1.0
    assert [o["in_service_s"] for o in service["outages"]] == [8 * H] and service["no_data"] == []


def test_decommissioned_device_stops_counting(influx: InfluxDB, inventory: Inventory) -> None:
    inv = with_dates(inventory, "jt-wh-k1", decommissioned=date(2026, 10, 9))  # 停用日期: from 9 Oct
    write_polls(influx, inv, "jt-wh-k1", START, at("2026-10-09"))  # silent afterwards
    service = answers.device_availability(influx, inv, inv.devices["jt-wh-k1"], FORTNIGHT)["service"]
    # 28–30 Sep and 8 Oct (1–7 Oct is the National Day holiday): 4 × 8 h, all up; 9–10 Oct not counted.
    assert (service["scheduled_s"], service["up_s"], service["unknown_s"]) == (32 * H, 32 * H, 0)


def test_period_reaching_past_now(influx: InfluxDB, inventory: Inventory) -> None:
    # Asked at Fri 9 Oct 12:00: the afternoon and Saturday have not happened — not scheduled, no outage.
    write_polls(influx, inventory, "jt-wh-k1", at("2026-10-08"), at("2026-10-09", "12:00"))
    write_polls(influx, inventory, "jt-wh-sw1", at("2026-10-08"), at("2026-10-09", "12:00"))
    now = ms(at("2026-10-09", "12:00"))
    body = answers.facility_availability(influx, inventory, inventory.facilities["jt-wh"], FORTNIGHT, now=now)
    assert (body["scheduled_s"], body["up_s"], body["unknown_s"]) == (11 * H, 11 * H, 0)
    assert body["outages"] == [] and body["no_data"] == [] and body["availability"] == 1.0
    region = answers.region_availability(influx, inventory, "510121", FORTNIGHT, now=now)
    assert region["scheduled_s"] == 11 * H and region["outage_count"] == 0 and region["no_data"] == []
    assert region["unmonitored_facilities"] == ["jt-lib", "jt-zhaozhen"]  # never polled: no figure, no 0 %


def test_collector_silent_for_a_day_is_no_data_not_down(influx: InfluxDB, inventory: Inventory) -> None:
    # Both devices polled 8 and 10 Oct; nothing at all on Fri 9 Oct.  The collector wrote its points on
    # 8 and 10 Oct only: Friday is no data — not an outage, not in the availability.
    silent = [(at("2026-10-09"), at("2026-10-10"))]
    for dev in ("jt-wh-k1", "jt-wh-sw1"):
        write_polls(influx, inventory, dev, at("2026-10-08"), at("2026-10-11"), silent=silent)
    write_collector(influx, at("2026-10-08"), at("2026-10-09"))
    write_collector(influx, at("2026-10-10"), at("2026-10-11"))
    fac = inventory.facilities["jt-wh"]
    body = answers.facility_availability(influx, inventory, fac, FORTNIGHT)
    assert (body["scheduled_s"], body["up_s"], body["down_s"], body["unknown_s"]) == (24 * H, 16 * H, 0, 8 * H)
    assert body["availability"] == 1.0 and body["coverage"] == 16 / 24
    assert body["outages"] == []
    [gap] = body["no_data"]
    # The collector's last point (23:59) vouches for its minute + 3 min: the gap starts at 00:03.
    assert gap["start"] == "2026-10-09T00:03:00+08:00" and gap["in_service_s"] == 8 * H
    # The same silence while the collector was alive: the devices stopped answering — down.
    write_collector(influx, at("2026-10-09"), at("2026-10-10"))
    body = answers.facility_availability(influx, inventory, fac, FORTNIGHT)
    assert (body["up_s"], body["down_s"], body["unknown_s"]) == (16 * H, 8 * H, 0)
    assert body["availability"] == 16 / 24 and body["no_data"] == []
    assert [(o["cause"], o["in_service_s"]) for o in body["outages"]] == [("down", 8 * H)]


def test_collector_of_another_province_does_not_vouch(influx: InfluxDB, inventory: Inventory) -> None:
    write_polls(influx, inventory, "jt-wh-k1", at("2026-10-08"), at("2026-10-09"))
    write_collector(influx, at("2026-10-09"), at("2026-10-10"), regions="53")  # Yunnan's collector
    service = answers.device_availability(influx, inventory, inventory.devices["jt-wh-k1"], FORTNIGHT)["service"]
    assert service["down_s"] == 0 and service["unknown_s"] == 16 * H  # 9 and 10 Oct: no data


def test_library_open_on_national_day(influx: InfluxDB, inventory: Inventory) -> None:
    # The library without an announced holiday closure (kind default: open, 《公共图书馆法》第三十三条):
    # Thu 1 Oct 2026 is scheduled with its Thursday hours, 09:00–17:00; its switch was polled and up.
    inv = inventory.model_copy(deep=True)
    inv.facilities["jt-lib"] = inv.facilities["jt-lib"].model_copy(update={"holidays": None})
    write_polls(influx, inv, "jt-lib-sw1", at("2026-10-01"), at("2026-10-02"))
    day = Period(at("2026-10-01"), at("2026-10-02"))
    service = answers.device_availability(influx, inv, inv.devices["jt-lib-sw1"], day)["service"]
    assert (service["scheduled_s"], service["up_s"], service["availability"]) == (8 * H, 8 * H, 1.0)
    closed = answers.device_availability(influx, inventory, inventory.devices["jt-lib-sw1"], day)["service"]
    assert closed["scheduled_s"] == 0 and closed["availability"] is None  # announced closed: nothing scheduled


def test_xinjiang_facility_on_a_regional_holiday(influx: InfluxDB, inventory: Inventory) -> None:
    # Raw polls live 90 days, and Xinjiang's 2026 festivals are older than that, so the day is a
    # stand-in: the 2026 calendar with Fri 9 Oct as a Xinjiang holiday (the real ones — 2025's 古尔邦节
    # 6–10 Jun … — are checked on the calendar in test_schedule.py).  赵镇's switch moved to an Ürümqi
    # township centre: 8 Oct is a working day (8 h), 9 Oct the regional holiday — closed, though the
    # switch answered; the same centre in Sichuan works both days.
    cal = official_calendar()
    xj = replace(cal, regional={**cal.regional, "65": RegionalDays(holidays={date(2026, 10, 9): "stand-in"})})
    inv = inventory.model_copy(deep=True)
    urumqi = inv.facilities["jt-zhaozhen"].model_copy(update={"county": "650102", "holidays": None})
    inv.facilities["jt-zhaozhen"] = urumqi
    write_polls(influx, inv, "jt-zz-sw1", at("2026-10-08"), at("2026-10-10"))
    period = Period(at("2026-10-08"), at("2026-10-10"))
    figs = av.device_availability(influx, inv, inv.devices["jt-zz-sw1"], period, calendar=xj)
    assert (figs.scheduled_ms, figs.up_ms) == (8 * 3_600_000, 8 * 3_600_000)
    sichuan = av.device_availability(influx, inventory, inventory.devices["jt-zz-sw1"], period, calendar=xj)
    assert sichuan.scheduled_ms == 16 * 3_600_000
