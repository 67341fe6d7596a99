"""The simulated controllers' Wi-Fi day, through the real snmpsim: clients at 15:00, none at 03:00.

``devstack/wifi_day.py`` rewrites a day copy of the Aruba 7210 recording for a
moment of a simulated day; snmpsim serves it and the collector polls it.  Two
polls at different simulated times give different client counts, and the
station table (the distinct-client count) changes with them.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from collectors.snmp.collector import SnmpCollector
from devstack.snmpsim import start_snmpsim
from devstack.wifi_day import SHAPES, community, day_recording, source, visitors, write_day
from inventory.models import SnmpProfile
from pdcs.points import WIRELESS, Point
from tests.collectors.conftest import make_inventory, secret, target

SH = ZoneInfo("Asia/Shanghai")
REC = "network/wifi/aruba-7210"


def at(hhmm: str, day: str = "2026-12-01") -> float:
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=SH).timestamp()


def _total(points: list[Point]) -> Point:
    wireless = [p for p in points if p.measurement == WIRELESS]
    (total,) = [p for p in wireless if not any(p.tags.get(k) for k in ("ap", "radio", "ssid"))]
    return total


def test_the_day_copy_follows_the_venue_day() -> None:
    text = source(REC)
    shape = SHAPES[REC]
    night, afternoon = day_recording(text, shape, at("03:00")), day_recording(text, shape, at("15:00"))
    rows = [line for line in afternoon.splitlines() if line.startswith(shape.stations + ".")]
    assert not [line for line in night.splitlines() if line.startswith(shape.stations + ".")]
    assert len(rows) > 20  # an afternoon crowd
    keys = [tuple(int(p) for p in line.split("|")[0].split(".")) for line in afternoon.splitlines()]
    assert keys == sorted(keys)  # snmpsim needs OID order
    day = visitors(datetime(2026, 12, 1).date(), ["1.2.3.4.5.6"] * 82)
    assert len({v.mac for v in day}) == 328 and all(int(v.mac.split(".")[0]) & 2 for v in day)
    assert all(at("09:00") <= v.start < v.end <= at("21:00") for v in day)
    other = visitors(datetime(2026, 12, 2).date(), ["1.2.3.4.5.6"] * 82)
    assert not {v.mac for v in day} & {v.mac for v in other}  # no phone recurs across days


def test_two_polls_at_different_simulated_times_differ(tmp_path: Path) -> None:
    day_dir = tmp_path / "day"
    sources: dict[str, str] = {}
    write_day(day_dir, [REC], at("03:00"), sources)
    sim = start_snmpsim(tmp_path / "snmpsim", (), extra_dirs=(day_dir,), ready_community=community(REC))
    try:
        profiles = [SnmpProfile(name="day", version="2c", community=secret("day"), timeout_s=5, retries=1)]
        devices = [{"id": "ac", "address": sim.address, "snmp_profile": "day", "kind": "wireless_controller"}]
        inv = make_inventory(tmp_path, devices, profiles, {"day": community(REC)})
        col = SnmpCollector(inv.snmp_profiles)
        night = _total(asyncio.run(col.collect(target(inv, "ac"))))
        write_day(day_dir, [REC], at("15:00"), sources)
        afternoon = _total(asyncio.run(col.collect(target(inv, "ac"))))
        write_day(day_dir, [REC], at("19:00"), sources)
        later = _total(asyncio.run(col.collect(target(inv, "ac"))))
    finally:
        sim.stop()
    assert night.fields["clients"] == 0 and "distinct_clients" not in night.fields  # an empty station table
    # the day copy's figures for that moment (62 visitors there; the recorded 67 clients × 62/82, rounded)
    assert (afternoon.fields["clients"], afternoon.fields["distinct_clients"]) == (51, 62)
    assert later.fields["clients"] == 29  # evening: fewer
    assert int(later.fields["distinct_clients"]) > int(afternoon.fields["distinct_clients"])  # new visitors came
