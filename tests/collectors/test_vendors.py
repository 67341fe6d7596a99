"""Vendor profiles against real device recordings (snmpsim-data) served by snmpsim.

Fifteen recordings, trimmed to the subtrees the profiles read plus system and
interfaces: the eight small default ones, five big ones (a Cisco WLC with
226 APs, a Huawei AC with 1,890 APs, a Ruijie AC with 3,247, an H3C
controller, a Ruckus SmartCell Gateway with 7,682) and two hosts no vendor
profile matches (Linux, Windows: HOST-RESOURCES-MIB).  Wireless controllers
with APs: Cisco, Aruba 7210, Huawei, Ruijie, Ruckus.  No recording has an H3C
controller with joined APs, so one hand-written recording (``H3C_APS``,
served by the same snmpsim) holds the H3C AP tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.snmp.collector import SnmpCollector
from collectors.snmp.vendors import PROFILES, hostres, profile_for
from devstack.snmpsim import DEFAULT_RECORDINGS, SnmpsimServer, start_snmpsim
from inventory.models import Inventory, SnmpProfile
from pdcs.points import DEVICE_UP, HOST, INTERFACE, WIRELESS, Point
from tests.collectors.conftest import make_inventory, secret, target

BIG = (
    "network/appliance/cisco-controller",
    "network/router/huawei-acu2",
    "network/switch/h3c-wx6103",
    "network/wifi/ruijie-m18000",
    "network/wifi/ruckus-smartcell-gateway",
)
HOSTS = ("os/linux/slackware", "os/windows/server-2003-5-2")
H3C_APS = "test/h3c-aps"
H3C = "1.3.6.1.4.1.25506.2.75.2.1"  # H3C-DOT11-APMT-MIB h3cDot11APMtGroup, under the 25506 arc
_AP_ROWS = {"1": ("ap-lobby", 5, 7), "2": ("ap-reading", 5, 3), "3": ("ap-booting", 4, 0)}  # name, status, stations
H3C_APS_SNMPREC = (
    "\n".join(
        [
            "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.25506.1.264",
            "1.3.6.1.2.1.1.3.0|67|1000",
            "1.3.6.1.2.1.1.5.0|4|h3c-ac",
            *[f"{H3C}.1.1.4.{i}|2|{st}" for i, (_, st, _) in _AP_ROWS.items()],
            *[f"{H3C}.2.1.6.{i}|4|{name}" for i, (name, _, _) in _AP_ROWS.items()],
            *[f"{H3C}.2.1.7.{i}|2|{n}" for i, (_, _, n) in _AP_ROWS.items()],
        ]
    )
    + "\n"
)
RECORDINGS = (*DEFAULT_RECORDINGS, *BIG, *HOSTS, H3C_APS)
KEEP = tuple(sorted({s for p in PROFILES for s in p.subtrees} | set(hostres.SUBTREES)))
CONTROLLERS = ("meru-networks-controller",)  # inventory kind wireless_controller; no profile reads Meru
COLLECTOR: list[SnmpCollector] = []  # the collector that polled (its per-device state is checked)


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SnmpsimServer]:
    server = start_snmpsim(
        tmp_path_factory.mktemp("snmpsim-vendors"),
        [r for r in RECORDINGS if r != H3C_APS],
        keep=KEEP,
        extra_data={H3C_APS: H3C_APS_SNMPREC},
        timeout_s=300,
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def polled(sim: SnmpsimServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Point]]:
    """Every recording polled once, concurrently, as the collector would."""
    import asyncio

    base = tmp_path_factory.mktemp("inv")
    profiles = [
        SnmpProfile(name=rec.replace("/", "_"), version="2c", community=secret(rec), timeout_s=5, retries=1)
        for rec in RECORDINGS
    ]
    devices = [
        {
            "id": rec.rsplit("/", 1)[1],
            "address": sim.address,
            "snmp_profile": rec.replace("/", "_"),
            "kind": "wireless_controller" if rec.rsplit("/", 1)[1] in CONTROLLERS else "switch",
        }
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
        if dev not in ("aruba-7010", "meru-networks-controller", "h3c-aps"):  # recordings without IF-MIB rows
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
    aps = [p for p in _of(pts, WIRELESS) if "ap" in p.tags and "radio" not in p.tags]
    assert len(aps) > 3000
    assert total.fields["clients"] == sum(int(p.fields["clients"]) for p in aps) == 2439


def test_ruijie_per_radio_and_per_ssid(polled: dict[str, list[Point]]) -> None:
    pts = _of(polled["ruijie-m18000"], WIRELESS)
    radios = [p for p in pts if "radio" in p.tags]
    # The station table: 2,788 stations on 1,353 (AP, radio) pairs, radio 1 (2.4 GHz) and 2 (5 GHz).
    assert len(radios) == 1353 and sum(int(p.fields["clients"]) for p in radios) == 2788
    assert {p.tags["radio"] for p in radios} == {"1", "2"} and all(p.tags["ap"] for p in radios)
    per_ssid = {p.tags["ssid"]: p.fields["clients"] for p in pts if "ssid" in p.tags}
    assert per_ssid["CAU"] == 2420 and per_ssid["CAUvet"] == 16 and per_ssid["CAU-yiqi"] == 18
    assert per_ssid["eduroam"] == 0  # a WLAN the controller reports with no stations


def test_ruckus_smartcell_gateway(polled: dict[str, list[Point]]) -> None:
    pts = polled["ruckus-smartcell-gateway"]
    total = _totals(pts)
    assert total.tags["vendor"] == "ruckus"
    # 7,682 APs, 7,579 of them "Connect"; clients = the APs' ruckusSCGAPNumSta summed.
    assert (total.fields["aps"], total.fields["aps_up"], total.fields["clients"]) == (7682, 7579, 11428)
    aps = [p for p in _of(pts, WIRELESS) if "ap" in p.tags]
    assert len(aps) > 7000 and all(p.tags["ap"] for p in aps)
    per_ssid = {p.tags["ssid"]: p.fields["clients"] for p in _of(pts, WIRELESS) if "ssid" in p.tags}
    assert per_ssid["CNU"] == 13592  # 102 WLAN rows, one SSID in many zones: summed
    assert profile_for("1.3.6.1.4.1.25053.3.1.10").name == "ruckus"  # type: ignore[union-attr]


def test_h3c_aps_up_counts_run_only(polled: dict[str, list[Point]]) -> None:
    pts = polled["h3c-aps"]
    total = _totals(pts)
    # h3cDot11APOperationStatus: run(5) is up; config(4) (still booting) is not.
    assert (total.fields["aps"], total.fields["aps_up"], total.fields["clients"]) == (3, 2, 10)


def test_unmatched_devices_read_host_resources(polled: dict[str, list[Point]]) -> None:
    (linux,) = _of(polled["slackware"], HOST)
    # hrProcessorLoad 13 and 9; Physical memory 958,176 used of 1,021,976 less net-snmp's
    # buffers (23,900) and cache (207,040); fullest fixed disk /export 90,601,816 of 96,144,541.
    assert linux.fields == {"cpu_pct": 11.0, "mem_used_pct": 71.16, "disk_used_pct": 94.24}
    (windows,) = _of(polled["server-2003-5-2"], HOST)
    assert windows.fields == {"cpu_pct": 0.0, "mem_used_pct": 74.64, "disk_used_pct": 13.25}
    assert not _of(polled["meru-networks-controller"], HOST)  # answers no HOST-RESOURCES-MIB
    assert COLLECTOR[0].state["meru-networks-controller"].hostres is False  # not asked again


def test_controller_without_profile_logged_once(
    polled: dict[str, list[Point]], sim: SnmpsimServer, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    import asyncio

    col = COLLECTOR[0]
    assert col.failures["vendor_unsupported"] == 1
    assert ("meru-networks-controller", "1.3.6.1.4.1.15983.1.1.7.3") in col.unprofiled
    inv = make_inventory(
        tmp_path,
        [{"id": "meru", "address": sim.address, "snmp_profile": "meru", "kind": "wireless_controller"}],
        [SnmpProfile(name="meru", version="2c", community=secret("m"), timeout_s=3, retries=1)],
        {"m": "network/appliance/meru-networks-controller"},
    )
    fresh = SnmpCollector(inv.snmp_profiles)
    with caplog.at_level("WARNING", logger="collectors.snmp.collector"):
        for _ in range(2):
            points = asyncio.run(fresh.collect(target(inv, "meru")))
            assert _of(points, DEVICE_UP)[0].fields["up"] == 1
    warnings = [r.getMessage() for r in caplog.records if "matches no vendor profile" in r.getMessage()]
    assert len(warnings) == 1 and "meru" in warnings[0]


def test_if_high_speed_zero_falls_back_to_if_speed(polled: dict[str, list[Point]]) -> None:
    # The H3C E528 recording answers ifHighSpeed 0 on 27 ports whose ifSpeed is 1 Gbit/s.
    speeds = {p.tags["ifindex"]: p.fields.get("speed_bps") for p in _of(polled["h3c-e528-2"], INTERFACE)}
    assert speeds["1"] == 1_000_000_000
    assert sum(1 for v in speeds.values() if v == 1_000_000_000) >= 27
