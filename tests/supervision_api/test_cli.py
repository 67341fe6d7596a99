"""The real ``pdcs api`` / ``pdcs backfill`` commands in child processes, on the example inventory."""

from __future__ import annotations

import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from inventory.load import load_inventory
from pdcs.devstack.procs import free_port
from pdcs.settings import ROLLUP_RP
from pdcs.storage import InfluxDB
from tests.supervision_api.scenarios import at, write_polls
from tests.support.cli import pdcs_argv, pdcs_env


def _influx_args(influx: InfluxDB) -> list[str]:
    return ["--influx-url", influx.url, "--influx-db", influx.database]


def test_backfill_writes_a_row_per_facility_and_day(influx: InfluxDB, examples_dir: Path) -> None:
    inv = load_inventory(examples_dir)
    write_polls(influx, inv, "jt-lib-sw01", at("2026-10-08"), at("2026-10-10"))
    run = subprocess.run(
        pdcs_argv(
            "backfill", "--start", "2026-10-08", "--end", "2026-10-09", "-i", str(examples_dir), *_influx_args(influx)
        ),
        env=pdcs_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "2 days" in run.stdout
    rows = influx.query(f'SELECT count(scheduled_s) FROM "{ROLLUP_RP}".facility_daily')
    assert rows[0].values[0][1] == 2 * len(inv.facilities)
    bad = subprocess.run(
        pdcs_argv(
            "backfill", "--start", "2026-10-09", "--end", "2026-10-08", "-i", str(examples_dir), *_influx_args(influx)
        ),
        env=pdcs_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2
    assert "before --start" in bad.stderr


def test_api_serves_polled_figures(influx: InfluxDB, examples_dir: Path, tmp_path: Path) -> None:
    inv = load_inventory(examples_dir)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    write_polls(influx, inv, "jt-lib-sw01", now - timedelta(hours=1), now, down=[(now - timedelta(minutes=15), now)])
    port = free_port()
    log = (tmp_path / "api.log").open("w")
    proc = subprocess.Popen(
        pdcs_argv("api", "-i", str(examples_dir), "--port", str(port), *_influx_args(influx)),
        env=pdcs_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, (tmp_path / "api.log").read_text()
            assert time.monotonic() < deadline, "pdcs api did not come up"
            time.sleep(0.2)
        county = httpx.get(f"{base}/regions/510121").json()
        assert county["name"] == "金堂县" and county["devices"] == len(inv.devices_in(["510121"]))
        body = httpx.get(f"{base}/devices/jt-lib-sw01/availability").json()
        assert (body["polls"], body["answered"]) == (60, 45)
        assert httpx.get(f"{base}/devices/nope", params={"lang": "en"}).json()["detail"] == "device nope not found"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
