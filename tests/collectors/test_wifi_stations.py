"""Daily distinct Wi-Fi clients from real controllers' station tables (snmpsim-data recordings on snmpsim).

The salt is rotated at midnight by an injected clock: the same stations
count once per day, again the next day, and the digests of the two days
share nothing.  No MAC address appears in any point or state file.  A
collector restarted during the day (a second ``CollectorService`` over the
same spool folder) continues the day's count from its state folder; the next
day's first poll deletes the old day's salt and digests.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from collectors.service import Collectors, CollectorService, ServiceConfig, station_state_dir
from collectors.snmp.collector import SnmpCollector
from collectors.snmp.stations import DailySalt, StationCounter, mac_bytes
from collectors.snmp.vendors import PROFILES, aruba, h3c, hostres
from devstack.snmpsim import SnmpsimServer, rewrite_recording, start_snmpsim
from inventory.models import SnmpProfile
from pdcs.points import WIRELESS, Point
from pdcs.settings import Settings
from pdcs.storage import InfluxDB
from tests.collectors.conftest import make_inventory, secret, target

REC = "network/wifi/aruba-7210"
H3C_STATIONS = "test/h3c-stations"
H3C_SSID = "1.3.6.1.4.1.25506.2.75.3.1.1.1.12"


def h3c_snmprec(stations: dict[str, str]) -> str:
    """A hand-written H3C controller: one AP, the given station table (MAC index → SSID)."""
    lines = [
        "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.25506.1.264",
        "1.3.6.1.2.1.1.3.0|67|1000",
        "1.3.6.1.2.1.1.5.0|4|h3c-ac",
        "1.3.6.1.4.1.25506.2.75.2.1.2.1.6.1|4|ap-lobby",
        f"1.3.6.1.4.1.25506.2.75.2.1.2.1.7.1|2|{len(stations)}",
    ]
    rows = sorted(stations.items(), key=lambda kv: tuple(int(p) for p in kv[0].split(".")))
    return "\n".join(lines + [f"{H3C_SSID}.{mac}|4|{ssid}" for mac, ssid in rows]) + "\n"


READER_A, READER_B, STAFF = "0.17.34.51.68.85", "0.17.34.51.68.86", "170.187.204.221.238.255"
H3C_SNMPREC = h3c_snmprec({READER_A: "pdcs-readers", READER_B: "pdcs-readers", STAFF: "pdcs-staff"})
# Controllers of other vendors whose station tables the profiles read (recordings of real devices).
OTHERS = (
    "network/appliance/cisco-controller",
    "network/router/huawei-acu2",
    "network/wifi/ruijie-m18000",
    "network/wifi/ubiquiti-m5",
)
KEEP = tuple(sorted({s for p in PROFILES for s in p.subtrees} | set(hostres.SUBTREES)))  # as test_vendors.py
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SnmpsimServer]:
    keep = tuple(sorted({*aruba.PROFILE.subtrees, *h3c.PROFILE.subtrees}))
    base = tmp_path_factory.mktemp("snmpsim-wifi")
    # A data folder of this session's own: the restart test rewrites the H3C recording, which must not
    # change what another session's snmpsim serves from the shared cache.
    server = start_snmpsim(base, [REC], keep=keep, data_dir=base / "data", extra_data={H3C_STATIONS: H3C_SNMPREC})
    yield server
    server.stop()


@pytest.fixture(scope="module")
def others(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SnmpsimServer]:
    server = start_snmpsim(tmp_path_factory.mktemp("snmpsim-wifi-others"), OTHERS, keep=KEEP, timeout_s=300)
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


def test_station_tables_of_cisco_huawei_ruijie_ubiquiti(others: SnmpsimServer, tmp_path: Path) -> None:
    """Counted by hand from the recordings' station tables (see each vendor module for the MIB)."""
    profiles = [
        SnmpProfile(name=r.rsplit("/", 1)[1], version="2c", community=secret(r), timeout_s=5, retries=1) for r in OTHERS
    ]
    devices = [
        {"id": r.rsplit("/", 1)[1], "address": others.address, "snmp_profile": r.rsplit("/", 1)[1]} for r in OTHERS
    ]
    inv = make_inventory(tmp_path, devices, profiles, {r: r for r in OTHERS})
    col = SnmpCollector(inv.snmp_profiles)
    got = {d["id"]: totals(asyncio.run(col.collect(target(inv, d["id"]))), d["id"]) for d in devices}
    # AIRESPACE-WIRELESS-MIB bsnMobileStationTable: 95 rows, one disassociated(5)
    assert got["cisco-controller"] == (94, {"BUCEA": 70, "BUCEA-Mobile": 24})
    # HUAWEI-WLAN-STATION-MIB hwWlanStationTable, hwWlanStaSsid
    total, per_ssid = got["huawei-acu2"]
    assert total == 695 and per_ssid == {"web.wlan.bjtu": 525, "local.wlan.bjtu": 170}
    # RUIJIE-AC-MGMT-MIB ruijieStaTable: ruijieStaWlanId → the WLAN SSID table
    total, per_ssid = got["ruijie-m18000"]
    assert total == 2788 and {k: v for k, v in per_ssid.items() if v} == {"CAU": 2747, "CAUvet": 23, "CAU-yiqi": 18}
    # UBNT-AirMAX-MIB ubntStaTable: one station on the AP's SSID
    assert got["ubiquiti-m5"] == (1, {"patrikeevo": 1})


def _service(inv_base: Path, sim: SnmpsimServer, influx: InfluxDB, spool: Path, now: list[float]) -> CollectorService:
    profiles = [SnmpProfile(name="h3c", version="2c", community=secret("h3c"), timeout_s=5, retries=1)]
    devices = [{"id": "ac-h3c", "address": sim.address, "snmp_profile": "h3c", "kind": "wireless_controller"}]
    inv = make_inventory(inv_base, devices, profiles, {"h3c": H3C_STATIONS})
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    stations = StationCounter.kept_in(station_state_dir(spool), clock=lambda: now[0])
    collectors = Collectors.of(inv, settings, stations)
    return CollectorService(inv, influx, spool, ServiceConfig(period_s=10), settings, collectors=collectors)


async def _distinct_after_a_cycle(svc: CollectorService, influx: InfluxDB) -> int:
    try:
        await svc.run_once()
    finally:
        svc.close()
    rows = influx.query('SELECT last("distinct_clients") AS n FROM wireless WHERE "device"=\'ac-h3c\' AND "ssid"=\'\'')
    return int(rows[0].rows()[0]["n"])


async def test_a_restart_continues_the_day_and_midnight_deletes_it(
    sim: SnmpsimServer, influx: InfluxDB, tmp_path: Path
) -> None:
    spool = tmp_path / "spool" / "pdcs-collector.sqlite"
    state = station_state_dir(spool)
    now = [datetime(2026, 12, 1, 10, 0, tzinfo=SH).timestamp()]
    try:
        rewrite_recording(sim.data_dir, H3C_STATIONS, h3c_snmprec({READER_A: "pdcs-readers"}))
        assert await _distinct_after_a_cycle(_service(tmp_path, sim, influx, spool, now), influx) == 1
        # The collector is restarted; meanwhile reader A left and B came.
        rewrite_recording(sim.data_dir, H3C_STATIONS, h3c_snmprec({READER_B: "pdcs-readers"}))
        now[0] += 3600
        assert await _distinct_after_a_cycle(_service(tmp_path, sim, influx, spool, now), influx) == 2
        day = state / "Asia%2FShanghai" / "2026-12-01"
        assert (state.stat().st_mode & 0o777) == 0o700
        assert {p.name: p.stat().st_mode & 0o777 for p in day.iterdir()} == {
            "salt": 0o600,
            "ac-h3c.digests": 0o600,
        }
        stored = (day / "ac-h3c.digests").read_text(encoding="utf-8")
        assert len(stored.splitlines()) == 2
        assert "0.17.34.51.68" not in stored and "00:11:22:33:44" not in stored.lower()
        assert "001122334455" not in stored and "001122334456" not in stored
        salt = (day / "salt").read_bytes()
        # Next day, again a restart: B is still connected; a new salt, the old day deleted from disk.
        now[0] = datetime(2026, 12, 2, 0, 1, tzinfo=SH).timestamp()
        assert await _distinct_after_a_cycle(_service(tmp_path, sim, influx, spool, now), influx) == 1
        assert not day.exists()
        assert (state / "Asia%2FShanghai" / "2026-12-02" / "salt").read_bytes() != salt
    finally:
        rewrite_recording(sim.data_dir, H3C_STATIONS, H3C_SNMPREC)


def test_a_collector_down_at_midnight_deletes_the_old_day_at_start(tmp_path: Path) -> None:
    now = [datetime(2026, 11, 30, 20, 0, tzinfo=SH).timestamp()]
    counter = StationCounter.kept_in(tmp_path, clock=lambda: now[0])
    counter.observe("ap1", "Asia/Shanghai", {bytes([0, 17, 34, 51, 68, 85]): "pdcs-readers"})
    assert (tmp_path / "Asia%2FShanghai" / "2026-11-30" / "salt").exists()
    now[0] += 86400
    StationCounter.kept_in(tmp_path, clock=lambda: now[0])  # a start the next day, before any poll
    assert not (tmp_path / "Asia%2FShanghai" / "2026-11-30").exists()


def test_a_state_folder_that_cannot_be_written_never_stops_the_count(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the state folder should be\n", encoding="utf-8")
    counter = StationCounter.kept_in(blocked)
    macs = {bytes([0, 17, 34, 51, 68, n]): "pdcs-readers" for n in range(3)}
    assert counter.observe("ap1", "Asia/Shanghai", macs) == (3, {"pdcs-readers": 3})  # counted in memory
    assert counter.observe("ap1", "Asia/Shanghai", macs) == (3, {"pdcs-readers": 3})
