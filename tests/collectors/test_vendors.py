"""Vendor profiles against real device recordings (snmpsim-data) served by snmpsim.

Twelve recordings, trimmed to the subtrees the profiles read plus system and
interfaces: the eight small default ones and four big ones (a Cisco WLC with
226 APs, a Huawei AC with 1,890 APs, a Ruijie AC with 3,247, an H3C
controller).  Wireless controllers with APs: Cisco, Aruba 7210, Huawei, Ruijie.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from collectors.snmp.collector import SnmpCollector
from collectors.snmp.vendors import PROFILES, profile_for
from devstack.snmpsim import DEFAULT_RECORDINGS, SnmpsimServer, start_snmpsim
from inventory.models import Inventory, SnmpProfile
from pdcs.points import DEVICE_UP, HOST, INTERFACE, WIRELESS, Point
from tests.collectors.conftest import make_inventory, secret, target

BIG = (
    "network/appliance/cisco-controller",
    "network/router/huawei-acu2",
    "network/switch/h3c-wx6103",
    "network/wifi/ruijie-m18000",
)
RECORDINGS = (*DEFAULT_RECORDINGS, *BIG)
KEEP = tuple(sorted({s for p in PROFILES for s in p.subtrees}))
COLLECTOR: list[SnmpCollector] = []  # the collector that polled (its per-device state is checked)


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SnmpsimServer]:
    server = start_snmpsim(tmp_path_factory.mktemp("snmpsim-vendors"), RECORDINGS, keep=KEEP, timeout_s=300)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def polled(sim: SnmpsimServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Point]]:
    """Every recording polled once, concurrently, as the collector would."""
    import asyncio

    base = tmp_path_factory.mktemp("inv")
    profiles = [
        SnmpProfile(name=rec.replace("/", "_"), version="2c", community=secret(rec), timeout_s=3, retries=1)
        for rec in RECORDINGS
    ]
    devices = [
        {"id": rec.rsplit("/", 1)[1], "address": sim.address, "snmp_profile": rec.replace("/", "_")}
        for rec in RECORDINGS
    ]
    inv: Inventory = make_inventory(base, devices, profiles, {rec: rec for rec in RECORDINGS})
    col = SnmpCollector(inv.snmp_profiles)

    async def poll_all() -> list[list[Point]]:
        sem = asyncio.Semaphore(4)  # snmpsim's UDP buffer overflows beyond a few in flight

        async def one(dev_id: str) -> list[Point]:
            async with sem:
                return await col.collect(target(inv, dev_id))

        return await asyncio.gather(*(one(d["id"]) for d in devices))

    import time

    t0 = time.monotonic()
    results = asyncio.run(poll_all())
    print(f"polled {len(devices)} recordings in {time.monotonic() - t0:.1f}s; {col.requests} requests")
    COLLECTOR.append(col)
    return {d["id"]: pts for d, pts in zip(devices, results, strict=True)}


def _of(points: list[Point], measurement: str) -> list[Point]:
    return [p for p in points if p.measurement == measurement]


def test_every_recording_answers_with_interfaces(polled: dict[str, list[Point]]) -> None:
    assert len(polled) >= 8
    for dev, points in polled.items():
        (up,) = _of(points, DEVICE_UP)
        assert up.fields["up"] == 1, (dev, up.fields)
        if dev not in ("aruba-7010", "meru-networks-controller"):  # recordings without IF-MIB rows
            assert _of(points, INTERFACE), dev


def test_profile_chosen_from_sys_object_id() -> None:
    assert profile_for("1.3.6.1.4.1.9.1.1069") is not None and profile_for("1.3.6.1.4.1.9.1.1069").name == "cisco"  # type: ignore[union-attr]
    assert profile_for(".1.3.6.1.4.1.14823.1.1.32").name == "aruba"  # type: ignore[union-attr]
    assert profile_for("1.3.6.1.4.1.2011.2.240.7").name == "huawei"  # type: ignore[union-attr]
    assert profile_for("1.3.6.1.4.1.2011.10.1.5").name == "h3c"  # type: ignore[union-attr]
    assert profile_for("1.3.6.1.4.1.25506.1.578").name == "h3c"  # type: ignore[union-attr]
    assert profile_for("1.3.6.1.4.1.4881.1.1.10.1.41").name == "ruijie"  # type: ignore[union-attr]
    assert profile_for("1.3.6.1.4.1.41112.1.4").name == "ubiquiti"  # type: ignore[union-attr]
    assert profile_for("1.3.6.1.4.1.8072.3.2.10") is None
    assert profile_for("1.3.6.1.4.1.99") is None


def _totals(points: list[Point]) -> Point:
    (total,) = [p for p in _of(points, WIRELESS) if not ({"ap", "ssid"} & set(p.tags))]
    return total


def test_cisco_wlc(polled: dict[str, list[Point]]) -> None:
    pts = polled["cisco-controller"]
    total = _totals(pts)
    assert total.tags["vendor"] == "cisco"
    assert total.fields["aps"] == 226 and 0 < int(total.fields["aps_up"]) <= 226
    per_ssid = {p.tags["ssid"]: p.fields["clients"] for p in _of(pts, WIRELESS) if "ssid" in p.tags}
    assert per_ssid["BUCEA"] == 71  # the recording's bsnDot11EssNumberOfMobileStations.1
    radios = [p for p in _of(pts, WIRELESS) if "radio" in p.tags]
    assert len(radios) == 452 and all(p.tags["ap"] and p.tags["radio"] in ("0", "1") for p in radios)
    (h,) = _of(pts, HOST)
    assert h.fields["cpu_pct"] == 7.0 and 0 < float(h.fields["mem_used_pct"]) < 100


def test_aruba_controller(polled: dict[str, list[Point]]) -> None:
    pts = polled["aruba-7210"]
    total = _totals(pts)
    assert (total.fields["aps"], total.fields["clients"]) == (9, 67)
    per_ssid = {p.tags["ssid"]: p.fields["clients"] for p in _of(pts, WIRELESS) if "ssid" in p.tags}
    assert per_ssid["wrd-dot1x"] == 37 and per_ssid["wrd-guest"] == 3
    per_radio = [p for p in _of(pts, WIRELESS) if "radio" in p.tags]
    assert len(per_radio) == 16 and sum(int(p.fields["clients"]) for p in per_radio) > 0
    assert _of(pts, HOST)


def test_huawei_ac(polled: dict[str, list[Point]]) -> None:
    pts = polled["huawei-acu2"]
    total = _totals(pts)
    assert (total.fields["aps"], total.fields["aps_up"]) == (1890, 1881)
    aps = [p for p in _of(pts, WIRELESS) if "ap" in p.tags and "radio" not in p.tags]
    assert len(aps) > 1000
    ssids = {p.tags["ssid"] for p in _of(pts, WIRELESS) if "ssid" in p.tags}
    assert "JTDX" in ssids


def test_switch_cpu_and_memory(polled: dict[str, list[Point]]) -> None:
    for dev in ("cisco-c3560", "huawei-s5720", "ruijie-s5750-24gt12sfp", "h3c-e528-2"):
        (h,) = _of(polled[dev], HOST)
        assert 0 <= float(h.fields["cpu_pct"]) <= 100, dev
        assert 0 < float(h.fields["mem_used_pct"]) <= 100, dev
    assert _of(polled["ruijie-s5750-24gt12sfp"], HOST)[0].fields == {"cpu_pct": 39.0, "mem_used_pct": 50.0}


def test_ubiquiti_ap(polled: dict[str, list[Point]]) -> None:
    per_ssid = {p.tags["ssid"]: p.fields["clients"] for p in _of(polled["ubiquiti-m5"], WIRELESS) if "ssid" in p.tags}
    assert per_ssid == {"patrikeevo": 1}


def test_32bit_counters_when_the_device_has_no_64bit_ones(polled: dict[str, list[Point]]) -> None:
    # The Ubiquiti M5 recording has ifInOctets/ifOutOctets only (no ifXTable counters).
    ifs = _of(polled["ubiquiti-m5"], INTERFACE)
    assert ifs and all(isinstance(p.fields["in_octets"], int) for p in ifs if "in_octets" in p.fields)
    samples = [v for (idx, _), v in COLLECTOR[0].state["ubiquiti-m5"].counters.items()]
    assert samples and {s.bits for s in samples} == {32}
    assert {s.bits for s in COLLECTOR[0].state["cisco-c3560"].counters.values()} == {64}


def test_ruijie_ac(polled: dict[str, list[Point]]) -> None:
    pts = polled["ruijie-m18000"]
    total = _totals(pts)
    assert (total.fields["aps"], total.fields["aps_up"]) == (3247, 3239)
    aps = [p for p in _of(pts, WIRELESS) if "ap" in p.tags]
    assert len(aps) > 3000
    assert total.fields["clients"] == sum(int(p.fields["clients"]) for p in aps) == 2439
