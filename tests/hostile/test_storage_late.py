"""Item 5 of issue 15: a collector and an API started while InfluxDB is down recover when it comes up.

Before: the database was created only at start-up, so the writer logged "404 database not
found" for ever while the bounded spool dropped points, and the API answered 500 on every
availability route. Now the writer creates the database and its retention policies when
InfluxDB says they are missing, and the API answers 503 with a Chinese message while it
creates them; within 30 s of InfluxDB starting, points arrive and the API answers 200.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx

from devstack.influxdb import start_influxdb
from devstack.procs import Managed, free_port
from devstack.snmpd import SnmpdServer
from pdcs.storage import InfluxDB
from tests.collectors.inventory_files import secret_env, write_inventory
from tests.support.cli import pdcs_argv, pdcs_env

from .conftest import start_api


def _within(seconds: float, cond: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if cond():
                return
        except Exception:  # not up yet
            pass
        time.sleep(0.3)
    raise AssertionError(f"not within {seconds} s: {what}")


def test_influxdb_started_after_the_collector_and_the_api(tmp_path: Path, snmpd: SnmpdServer) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    inventory = write_inventory(tmp_path / "inventory", snmpd, dead=False)
    collector = Managed(
        "collector",
        pdcs_argv("collect", "--inventory", str(inventory), "--interval", "1", "--influx-url", url,
                  "--influx-db", "late", "--spool-dir", str(tmp_path / "spool")),
        tmp_path / "collector.log",
        env=pdcs_env(**secret_env(snmpd)),
    ).start()  # fmt: skip
    api_gen = start_api(tmp_path / "api", inventory, url, "late_api")
    (tmp_path / "api").mkdir(exist_ok=True)
    api = next(api_gen)
    influx = None
    try:
        route = f"{api.url}/devices/jt-sw-v2c/availability"
        down = httpx.get(route, headers=api.auth("admin"), timeout=10)
        assert down.status_code == 503 and down.json()["detail"] == "时序数据库暂时无法访问，请稍后重试"
        time.sleep(3)  # a few cycles spooled while nothing listens
        influx = start_influxdb(tmp_path / "influxdb", http_port=port)
        started = time.monotonic()
        # The API: "database not found" is a 503 in Chinese while it creates the schema, then 200.
        first = httpx.get(route, headers=api.auth("admin"), timeout=10)
        assert first.status_code == 503, first.text
        assert first.json()["code"] == "error.influx_schema_missing"
        assert "时序数据库尚未初始化" in first.json()["detail"]
        _within(30, lambda: httpx.get(route, headers=api.auth("admin"), timeout=5).status_code == 200, "API 200")
        # The collector: its writer creates the database and its retention policies; points arrive.
        db = InfluxDB(url=url, database="late", retries=0)

        def polls() -> int:
            res = db.query("SELECT count(up) FROM raw.device_up")
            return int(res[0].rows()[0]["count"]) if res else 0

        _within(30, lambda: polls() > 0, "points in InfluxDB")
        assert time.monotonic() - started < 30
        rps = {r["name"] for s in db.query("SHOW RETENTION POLICIES") for r in s.rows()}
        assert {"raw", "rollup"} <= rps
        db.close()
        assert collector.alive()
        assert "creating database late" in collector.log_path.read_text()
    finally:
        collector.stop()
        next(api_gen, None)
        if influx is not None:
            influx.stop()
