"""Test scenarios: polls written one a minute, up or down by time range, and the fortnight around National Day 2026.

The 金堂县文化馆 (jt-wh) opens Mon–Fri 09:00–17:00 and follows the official
calendar.  Over Mon 28 Sep – Sun 11 Oct 2026 its scheduled time is
28–30 Sep (3 × 8 h) + 8–9 Oct (2 × 8 h) + Sat 10 Oct, an adjusted working day (8 h)
= 48 h; 1–7 Oct is the National Day holiday.  It serves when its switch and its
kiosk are both up (serving.yaml: 1 of 1 switch, max(1, ⌈0.5 × 1⌉) = 1 of 1 kiosk).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from inventory.models import Inventory
from pdcs.points import DEVICE_UP, INTERFACE, SECURITY_CHECK, Point, to_lines
from pdcs.storage import InfluxDB

CN = ZoneInfo("Asia/Shanghai")


def at(day: str, hm: str = "00:00") -> datetime:
    """Beijing time: at("2026-10-01", "09:30")."""
    return datetime.fromisoformat(f"{day}T{hm}:00").replace(tzinfo=CN)


def write_polls(
    influx: InfluxDB,
    inventory: Inventory,
    device: str,
    start: datetime,
    end: datetime,
    down: Sequence[tuple[datetime, datetime]] = (),
    silent: Sequence[tuple[datetime, datetime]] = (),
    step: timedelta = timedelta(minutes=1),
) -> int:
    """Polls every ``step`` in ``[start, end)``: up=0 inside ``down`` ranges, none inside ``silent`` ones."""
    tags = inventory.device_tags(inventory.devices[device]) | {"source": "snmp"}
    points = []
    t = start
    while t < end:
        if not any(a <= t < b for a, b in silent):
            up = 0 if any(a <= t < b for a, b in down) else 1
            points.append(Point(DEVICE_UP, tags, {"up": up}, int(t.timestamp()) * 1_000_000_000))
        t += step
    return influx.write_lines(to_lines(points))


H = 3600.0
START, END = at("2026-09-28"), at("2026-10-12")
PERIOD = {"start": START.isoformat(), "end": END.isoformat()}

KIOSK_DOWN = [
    (at("2026-09-29", "20:00"), at("2026-09-30", "07:00")),  # only at night: no outage
    (at("2026-09-30", "08:00"), at("2026-09-30", "09:30")),  # straddles opening: 0.5 h in service
    (at("2026-10-02"), at("2026-10-06")),  # inside the holiday: no outage
    (at("2026-10-10", "10:00"), at("2026-10-10", "11:30")),  # adjusted working Saturday: 1.5 h
]
SWITCH_DOWN = [
    (at("2026-10-08", "16:30"), at("2026-10-09", "09:15")),  # straddles closing and the next opening: 0.75 h
]


def write_fortnight(influx: InfluxDB, inventory: Inventory) -> None:
    write_polls(influx, inventory, "jt-wh-k1", START, END, down=KIOSK_DOWN)
    write_polls(influx, inventory, "jt-wh-sw1", START, END, down=SWITCH_DOWN)


def write_library_traffic_checks(influx: InfluxDB, inventory: Inventory) -> None:
    # The library up all fortnight except a morning; its uplink at a steady 8/2 Mbit/s on 10 Oct;
    # three security checks on 10 Oct at the cultural centre, two passed.
    for dev in ("jt-lib-sw1", "jt-lib-ap1", "jt-lib-ap2", "jt-lib-t1", "jt-lib-t2"):
        write_polls(influx, inventory, dev, START, END)
    write_polls(
        influx,
        inventory,
        "jt-lib-sw1",
        at("2026-10-09", "09:00"),
        at("2026-10-09", "10:00"),
        down=[(at("2026-10-09", "09:00"), at("2026-10-09", "10:00"))],
    )
    tags = inventory.device_tags(inventory.devices["jt-lib-sw1"]) | {"ifname": "ge0/0/1", "uplink": "1"}
    t0 = at("2026-10-10")
    influx.write_lines(
        to_lines(
            Point(
                INTERFACE, tags, {"in_bps": 8e6, "out_bps": 2e6}, int((t0 + timedelta(minutes=m)).timestamp()) * 10**9
            )
            for m in range(1440)
        )
    )
    ctags = inventory.device_tags(inventory.devices["jt-wh-k1"]) | {"source": "agent"}
    influx.write_lines(
        to_lines(
            Point(
                SECURITY_CHECK, ctags | {"check": c}, {"passed": ok}, int(at("2026-10-10", "12:00").timestamp()) * 10**9
            )
            for c, ok in (("password_policy", 1), ("antivirus", 1), ("audit_log", 0))
        )
    )
