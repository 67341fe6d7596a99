"""Province shards: each point to its province's InfluxDB, one spool per store (real InfluxDBs)."""

from __future__ import annotations

import asyncio
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from collectors.scheduler import CycleStats
from collectors.service import CollectorService, ServiceConfig
from devstack.influxdb import InfluxServer, start_influxdb
from devstack.snmpd import SnmpdServer
from inventory.models import Inventory
from pdcs.points import DEVICE_UP, Point
from pdcs.settings import RETENTION_POLICIES
from pdcs.storage import InfluxDB, InfluxUnavailable
from pdcs.storage.shards import ShardMap, write_shard_map
from tests.collectors.inventory_files import secret_env, write_inventory
from tests.support.cli import pdcs_argv, pdcs_env
from tests.support.figures import build_inventory


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[InfluxServer, InfluxServer]]:
    """Two InfluxDBs of their own: these tests stop and start the second one."""
    a = start_influxdb(tmp_path_factory.mktemp("shard-a"))
    b = start_influxdb(tmp_path_factory.mktemp("shard-b"))
    yield a, b
    a.stop()
    b.stop()


def _store(server: InfluxServer, database: str) -> InfluxDB:
    return InfluxDB(url=server.url, database=database, retries=0)


def _map(servers: tuple[InfluxServer, InfluxServer]) -> ShardMap:
    """Sichuan (51) in the default store, Yunnan (53) in its own."""
    name = f"r_{uuid.uuid4().hex[:10]}"
    shards = ShardMap(default=_store(servers[0], name), provinces={"53": _store(servers[1], name)})
    for _, db in shards.stores():
        db.ensure_database(RETENTION_POLICIES)
    return shards


def _count(db: InfluxDB, q: str) -> int:
    series = db.query(q)
    return int(series[0].values[0][1]) if series else 0


def _ups(inv: Inventory, t0_ns: int, n: int) -> list[Point]:
    """``n`` device_up points per enabled device, one second apart."""
    return [
        Point(DEVICE_UP, inv.device_tags(d), {"up": 1}, t0_ns + i * 1_000_000_000)
        for d in inv.devices.values()
        if d.enabled
        for i in range(n)
    ]


async def test_points_go_to_their_province_store_and_self_metrics_to_every_store(
    two_servers: tuple[InfluxServer, InfluxServer], tmp_path: Path
) -> None:
    inv = build_inventory()
    shards = _map(two_servers)
    sc, yn = shards.for_region("51"), shards.for_region("53")
    svc = CollectorService(inv, sc, tmp_path / "c.sqlite", ServiceConfig(name="c1"), shards=shards)
    assert [r.provinces for r in svc.routes.routes] == [None, frozenset({"53"})]
    assert svc.routes.routes[1].spool.path == tmp_path / f"c.127_0_0_1_{two_servers[1].http_port}_{yn.database}.sqlite"
    t0 = (time.time_ns() // 10**9 - 3600) * 10**9
    await svc._sink(_ups(inv, t0, 5))
    await svc._on_cycle(CycleStats(started=time.time(), ok=11))
    await svc.routes.drain()
    sichuan = sum(1 for d in inv.devices.values() if d.enabled and inv.county_of(d).startswith("51"))
    yunnan = sum(1 for d in inv.devices.values() if d.enabled and inv.county_of(d).startswith("53"))
    assert (sichuan, yunnan) == (11, 1)
    assert _count(sc, "SELECT count(up) FROM device_up") == 5 * sichuan
    assert _count(yn, "SELECT count(up) FROM device_up") == 5 * yunnan
    assert _count(sc, "SELECT count(expected) FROM inventory_device") == sichuan
    assert _count(yn, "SELECT count(expected) FROM inventory_device") == yunnan
    assert _count(sc, "SELECT count(up) FROM device_up WHERE province = '53'") == 0
    # The collector of the whole inventory: its self-metrics in both stores (liveness is read per store).
    assert _count(sc, "SELECT count(cycle_s) FROM collector") == 1 == _count(yn, "SELECT count(cycle_s) FROM collector")
    assert svc.routes.written == 5 * 12 + 12 + 2 and svc.routes.depth == 0
    svc.close()


async def test_self_metrics_go_only_to_the_stores_of_the_collector_regions(
    two_servers: tuple[InfluxServer, InfluxServer], tmp_path: Path
) -> None:
    inv = build_inventory()
    shards = _map(two_servers)
    svc = CollectorService(
        inv, shards.default, tmp_path / "c.sqlite", ServiceConfig(regions=("530124",)), shards=shards
    )
    await svc._on_cycle(CycleStats(started=time.time()))
    await svc.routes.drain()
    sc, yn = shards.for_region("51"), shards.for_region("53")
    assert (
        _count(yn, "SELECT count(cycle_s) FROM collector") == 1
        and _count(yn, "SELECT count(expected) FROM inventory_device") == 1
    )
    assert sc.query("SELECT count(cycle_s) FROM collector") == [] and sc.query("SELECT * FROM inventory_device") == []
    svc.close()


async def test_a_store_down_holds_up_no_other_and_loses_nothing(
    two_servers: tuple[InfluxServer, InfluxServer], tmp_path: Path
) -> None:
    inv = build_inventory()
    shards = _map(two_servers)
    sc, yn = shards.for_region("51"), shards.for_region("53")
    svc = CollectorService(inv, sc, tmp_path / "c.sqlite", ServiceConfig(name="c2"), shards=shards)
    t0 = (time.time_ns() // 10**9 - 7200) * 10**9
    two_servers[1].stop()
    try:
        await svc._sink(_ups(inv, t0, 10))
        await svc.flush()
        with pytest.raises(InfluxUnavailable):
            await svc.routes.drain()
        # Sichuan's store took everything while Yunnan's was down; Yunnan's points wait in its spool.
        assert _count(sc, "SELECT count(up) FROM device_up") == 110
        assert svc.routes.routes[0].spool.depth == 0 and svc.routes.routes[1].spool.depth == 10
        await svc._sink(_ups(inv, t0 + 10 * 10**9, 10))
        await svc.flush()
        with pytest.raises(InfluxUnavailable):
            await svc.routes.drain()
        assert _count(sc, "SELECT count(up) FROM device_up") == 220 and svc.routes.routes[1].spool.depth == 20
    finally:
        two_servers[1].start_again()
    await svc.routes.drain()
    assert _count(yn, "SELECT count(up) FROM device_up") == 20 and svc.routes.depth == 0
    assert _count(sc, "SELECT count(up) FROM device_up") == 220  # nothing twice
    svc.close()


def test_single_store_keeps_one_spool_of_the_old_name(tmp_path: Path, influx: InfluxDB) -> None:
    svc = CollectorService(build_inventory(), influx, tmp_path / "c.sqlite", ServiceConfig())
    assert [r.spool.path for r in svc.routes.routes] == [tmp_path / "c.sqlite"]
    assert svc.spool is svc.routes.default.spool and svc.writer is svc.routes.default.writer
    svc.close()


def test_commands_without_a_spool_write_each_point_to_its_store(two_servers: tuple[InfluxServer, InfluxServer]) -> None:
    """``pdcs syslog index`` and ``pdcs audit --write`` write at once through ``ShardMap.write_points``."""
    inv = build_inventory()
    shards = _map(two_servers)
    t0 = (time.time_ns() // 10**9 - 600) * 10**9
    untagged = Point(DEVICE_UP, {"device": "unknown-sender"}, {"up": 0}, t0)
    assert shards.write_points([*_ups(inv, t0, 3), untagged]) == 37
    sc, yn = shards.for_region("51"), shards.for_region("53")
    assert _count(sc, "SELECT count(up) FROM device_up") == 34 and _count(yn, "SELECT count(up) FROM device_up") == 3
    shards.close()


def test_pdcs_collect_reads_the_shard_map(tmp_path: Path, snmpd: SnmpdServer, influx_server: InfluxServer) -> None:
    """`pdcs collect --once` with PDCS_INFLUX_SHARDS: Sichuan's polls in Sichuan's store, not the default."""
    inv = write_inventory(tmp_path / "inv", snmpd)
    default, sichuan = (_store(influx_server, f"m_{uuid.uuid4().hex[:10]}") for _ in range(2))
    path = write_shard_map(
        tmp_path / "shards.yaml", (default.url, default.database), {"51": (sichuan.url, sichuan.database)}
    )
    argv = pdcs_argv("collect", "--inventory", str(inv), "--once", "--spool-dir", str(tmp_path / "spool"))
    env = pdcs_env(**secret_env(snmpd), PDCS_INFLUX_SHARDS=str(path))
    res = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert res.returncode == 1 and "3 ok, 1 failed" in res.stdout, res.stderr  # one device is dead
    assert _count(sichuan, "SELECT count(up) FROM device_up") == 4
    assert default.query("SELECT * FROM device_up") == []  # the database exists (ensure_schema), empty
    assert _count(default, "SELECT count(cycle_s) FROM collector") == 1  # liveness: every store it touches
    assert sorted(p.name for p in (tmp_path / "spool").glob("*.sqlite")) == [
        f"pdcs-collector.127_0_0_1_{influx_server.http_port}_{sichuan.database}.sqlite",
        "pdcs-collector.sqlite",
    ]
    path.write_text('default: {url: http://127.0.0.1:1}\nprovinces:\n  "51": {url: http://x:1, password: plain}\n')
    bad = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and f"{path}:3: provinces.51.password: secrets must not be written" in bad.stderr


async def test_running_writers_back_off_each_on_its_own_store(
    two_servers: tuple[InfluxServer, InfluxServer], tmp_path: Path
) -> None:
    """The writers as the running collector runs them (Routes.run): Yunnan's store down for a while."""
    inv = build_inventory()
    shards = _map(two_servers)
    sc, yn = shards.for_region("51"), shards.for_region("53")
    svc = CollectorService(inv, sc, tmp_path / "c.sqlite", ServiceConfig(name="c3"), shards=shards)
    for r in svc.routes.routes:
        r.writer.min_backoff_s = r.writer.max_backoff_s = 0.1
    t0 = (time.time_ns() // 10**9 - 5400) * 10**9
    stop = asyncio.Event()
    two_servers[1].stop()
    writers = asyncio.create_task(svc.routes.run(stop))
    try:
        await svc._sink(_ups(inv, t0, 4))
        await svc.flush()
        await _until(lambda: _count(sc, "SELECT count(up) FROM device_up") == 44)
        assert svc.routes.routes[1].spool.depth == 4 and not svc.routes.routes[1].writer.available
        await asyncio.to_thread(two_servers[1].start_again)
        await _until(lambda: svc.routes.depth == 0)
    finally:
        stop.set()
        await writers
    assert _count(yn, "SELECT count(up) FROM device_up") == 4 and _count(sc, "SELECT count(up) FROM device_up") == 44
    svc.close()


async def _until(condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not await asyncio.to_thread(condition):
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.1)
