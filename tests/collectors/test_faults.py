"""Fault tests: InfluxDB outage during polling, SIGKILL of the collector mid-drain."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.service import CollectorService, ServiceConfig
from collectors.spool import Spool
from devstack.influxdb import InfluxServer, start_influxdb
from devstack.procs import Managed
from devstack.snmpd import SnmpdServer
from inventory.models import Inventory
from pdcs.points import DEVICE_UP, Point
from pdcs.settings import RAW_RP, RAW_RP_DURATION
from pdcs.storage import InfluxDB
from tests.collectors.inventory_files import secret_env, write_inventory
from tests.support.cli import pdcs_argv, pdcs_env


@pytest.fixture(scope="module")
def own_influx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfluxServer]:
    """A private InfluxDB these tests may stop and start without disturbing the others."""
    server = start_influxdb(tmp_path_factory.mktemp("influx-faults"))
    yield server
    server.stop()


def fresh_db(server: InfluxServer) -> InfluxDB:
    db = InfluxDB(url=server.url, database=f"f_{uuid.uuid4().hex[:10]}", retries=0)
    db.ensure_database([(RAW_RP, RAW_RP_DURATION, True)])
    return db


def count(db: InfluxDB, q: str) -> int:
    series = db.query(q)
    return int(series[0].rows()[0]["count"]) if series else 0


async def test_influx_outage_loses_nothing_and_writes_nothing_twice(
    lab: Inventory, own_influx: InfluxServer, tmp_path: Path
) -> None:
    db = fresh_db(own_influx)
    healthy = lab.model_copy(update={"devices": {k: v for k, v in lab.devices.items() if k in ("sw-v2c", "sw-v3")}})
    svc = CollectorService(healthy, db, tmp_path / "spool.sqlite", ServiceConfig(period_s=0.4, spread=0.0))
    svc.writer.min_backoff_s = svc.writer.max_backoff_s = 0.1
    for job in svc.jobs:
        job.interval_s = 0.4
    produced: list[Point] = []
    sink = svc._sink

    async def tap(points: list[Point]) -> None:
        produced.extend(points)
        await sink(points)

    svc.scheduler.sink = tap
    svc._sink = tap  # type: ignore[method-assign]
    stop = asyncio.Event()
    task = asyncio.create_task(svc.run(stop))
    try:
        await asyncio.sleep(1.0)
        await asyncio.to_thread(own_influx.stop)
        outage_start = time.time_ns()
        await asyncio.sleep(1.5)
        outage_end = time.time_ns()
        assert svc.spool.depth > 0 and not svc.writer.available
        await asyncio.to_thread(own_influx.start_again)
        await asyncio.sleep(1.0)
    finally:
        stop.set()
        await task
    await svc.writer.drain()
    svc.close()
    ups = [p for p in produced if p.measurement == DEVICE_UP]
    in_outage = [p for p in ups if outage_start <= p.time_ns <= outage_end]
    assert len(in_outage) >= 4  # two devices, several cycles while InfluxDB was down
    assert count(db, "SELECT count(up) FROM device_up") == len(ups)
    assert count(db, f"SELECT count(up) FROM device_up WHERE time >= {outage_start} AND time <= {outage_end}") == len(
        in_outage
    )
    assert svc.writer.written == sum(1 for p in produced if p.is_writable())
    db.close()


def test_sigkill_mid_drain_then_restart_loses_nothing(
    own_influx: InfluxServer, snmpd: SnmpdServer, tmp_path: Path
) -> None:
    db = fresh_db(own_influx)
    inv = write_inventory(tmp_path / "inv", snmpd, dead=False)
    spool_dir = tmp_path / "spool"
    spool_path = spool_dir / "pdcs-collector.sqlite"
    # Points that were polled while InfluxDB was away, waiting in the spool.
    backlog = 60_000
    sp = Spool(spool_path)
    t0 = time.time_ns() - 3600 * 10**9
    sp.append(f"backlog,device=b{i % 50} v={i}i {t0 + i * 1000}" for i in range(backlog))
    sp.close()
    argv = pdcs_argv(
        "collect", "--inventory", str(inv), "--once", "--influx-url", own_influx.url, "--influx-db", db.database,
        "--spool-dir", str(spool_dir), "--batch-size", "500",
    )  # fmt: skip
    env = pdcs_env(**secret_env(snmpd))
    child = Managed("collect", argv, tmp_path / "collect.log", env=env).start()

    def depth() -> int:
        with sqlite3.connect(spool_path) as c:
            return int(c.execute("SELECT count(*) FROM points").fetchone()[0])

    # Wait until the drain is under way (some batches acknowledged), then kill it hard.
    deadline = time.monotonic() + 30
    while depth() > backlog - 2000 and time.monotonic() < deadline and child.alive():
        time.sleep(0.02)
    child.signal(signal.SIGKILL)
    assert child.proc is not None
    child.proc.wait(10)
    left = depth()
    assert 0 < left < backlog, f"not killed mid-drain: {left} left; log:\n{child.tail()}"
    # Restart: it polls again and drains the rest.
    res = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert depth() == 0
    assert count(db, "SELECT count(v) FROM backlog") == backlog
    # Both runs' polls arrived: 3 devices × 2 runs.
    assert count(db, "SELECT count(up) FROM device_up") == 6
    db.close()
