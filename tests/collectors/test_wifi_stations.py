"""Daily distinct Wi-Fi clients from a real controller's station table (Aruba 7210 recording on snmpsim).

The salt is rotated at midnight by an injected clock: the same stations
count once per day, again the next day, and the digests of the two days
share nothing.  No MAC address appears in any point.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from collectors.snmp.collector import SnmpCollector
from collectors.snmp.stations import DailySalt, StationCounter, mac_bytes
from collectors.snmp.vendors import aruba, h3c
from devstack.snmpsim import SnmpsimServer, start_snmpsim
from inventory.models import SnmpProfile
from pdcs.points import WIRELESS, Point
from tests.collectors.conftest import make_inventory, secret, target

REC = "network/wifi/aruba-7210"
H3C_STATIONS = "test/h3c-stations"
H3C_SSID = "1.3.6.1.4.1.25506.2.75.3.1.1.1.12"
H3C_SNMPREC = (
    "\n".join(
        [
            "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.25506.1.264",
            "1.3.6.1.2.1.1.3.0|67|1000",
            "1.3.6.1.2.1.1.5.0|4|h3c-ac",
            "1.3.6.1.4.1.25506.2.75.2.1.2.1.6.1|4|ap-lobby",
            "1.3.6.1.4.1.25506.2.75.2.1.2.1.7.1|2|3",
            f"{H3C_SSID}.0.17.34.51.68.85|4|pdcs-readers",
            f"{H3C_SSID}.0.17.34.51.68.86|4|pdcs-readers",
            f"{H3C_SSID}.170.187.204.221.238.255|4|pdcs-staff",
        ]
    )
    + "\n"
)
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SnmpsimServer]:
    keep = tuple(sorted({*aruba.PROFILE.subtrees, *h3c.PROFILE.subtrees}))
    server = start_snmpsim(
        tmp_path_factory.mktemp("snmpsim-wifi"), [REC], keep=keep, extra_data={H3C_STATIONS: H3C_SNMPREC}
    )
    yield server
    server.stop()


def poll(sim: SnmpsimServer, base: Path, collector_clock: list[float]) -> tuple[SnmpCollector, list[list[Point]]]:
    profiles = [
        SnmpProfile(name="aruba", version="2c", community=secret("aruba"), timeout_s=5, retries=1),
        SnmpProfile(name="h3c", version="2c", community=secret("h3c"), timeout_s=5, retries=1),
    ]
    devices = [
        {"id": "ac-aruba", "address": sim.address, "snmp_profile": "aruba", "kind": "wireless_controller"},
        {"id": "ac-h3c", "address": sim.address, "snmp_profile": "h3c", "kind": "wireless_controller"},
    ]
    inv = make_inventory(base, devices, profiles, {"aruba": REC, "h3c": H3C_STATIONS})
    salt = DailySalt(clock=lambda: collector_clock[0])
    col = SnmpCollector(inv.snmp_profiles, stations=StationCounter(salt))
    rounds = []
    for when in ("2026-11-30T23:58", "2026-11-30T23:59", "2026-12-01T00:01"):
        collector_clock[0] = datetime.fromisoformat(when).replace(tzinfo=SH).timestamp()
        rounds.append(
            asyncio.run(col.collect(target(inv, "ac-aruba"))) + asyncio.run(col.collect(target(inv, "ac-h3c")))
        )
    return col, rounds


def totals(points: list[Point], device: str) -> tuple[int, dict[str, int]]:
    wl = [p for p in points if p.measurement == WIRELESS and p.tags["device"] == device and not p.tags.get("ap")]
    (total,) = [p for p in wl if not p.tags.get("ssid") and not p.tags.get("radio")]
    per_ssid = {
        p.tags["ssid"]: int(p.fields["distinct_clients"])
        for p in wl
        if "distinct_clients" in p.fields and p.tags.get("ssid")
    }
    return int(total.fields["distinct_clients"]), per_ssid


def test_distinct_clients_per_day_with_the_salt_rotated_at_midnight(sim: SnmpsimServer, tmp_path: Path) -> None:
    clock = [0.0]
    col, rounds = poll(sim, tmp_path, clock)
    first, second, after_midnight = (totals(r, "ac-aruba") for r in rounds)
    assert first[0] == 82  # the recording's station table: 82 associated stations
    assert second == first  # the same stations a minute later count once
    assert after_midnight == first  # a new day, a new salt: they count again, once
    assert sum(first[1].values()) >= first[0]  # per SSID (a station appears under one ESSID)
    assert totals(rounds[0], "ac-h3c") == (3, {"pdcs-readers": 2, "pdcs-staff": 1})  # the hand-written table
    today = col.stations.digests("ac-aruba")
    assert len(today) == 82


def test_yesterdays_digests_share_nothing_with_todays() -> None:
    now = [datetime(2026, 11, 30, 23, 59, tzinfo=SH).timestamp()]
    counter = StationCounter(DailySalt(clock=lambda: now[0]))
    macs = {bytes([0, 17, 34, 51, 68, n]): "pdcs-readers" for n in range(10)}
    assert counter.observe("ap1", "Asia/Shanghai", macs) == (10, {"pdcs-readers": 10})
    yesterday = counter.digests("ap1")
    now[0] += 120  # 00:01
    assert counter.observe("ap1", "Asia/Shanghai", dict(itertools.islice(macs.items(), 4))) == (4, {"pdcs-readers": 4})
    assert not (counter.digests("ap1") & yesterday)
    assert all(mac not in d for d in yesterday | counter.digests("ap1") for mac in macs)


def test_no_mac_address_in_any_point(sim: SnmpsimServer, tmp_path: Path) -> None:
    _, rounds = poll(sim, tmp_path, [0.0])
    text = "\n".join(p.to_line() for r in rounds for p in r)
    assert "0.17.34.51.68.85" not in text and "00:11:22:33:44:55" not in text.lower()
    assert "0.35.20.84.251.4" not in text and "00:23:14:54:fb:04" not in text.lower()


def test_mac_index() -> None:
    assert mac_bytes("0.35.20.84.251.4") == bytes([0, 35, 20, 84, 251, 4])
    with pytest.raises(ValueError):
        mac_bytes("1.2.3")
