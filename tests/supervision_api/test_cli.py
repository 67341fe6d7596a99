"""The real ``pdcs api`` / ``pdcs backfill`` commands in child processes, on the example inventory."""

from __future__ import annotations

import json
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from devstack.procs import free_port
from inventory.load import load_inventory
from pdcs.settings import ROLLUP_RP
from pdcs.storage import InfluxDB
from supervision_api.db import Database, users
from tests.support.cli import pdcs_argv, pdcs_env
from tests.support.scenarios import at, write_polls


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
    # every route but /health needs a token: make one in the database the server will use
    db_url = f"sqlite:///{tmp_path}/api.sqlite"
    db = Database(db_url)
    db.create_schema()
    with db.session() as s:
        users.add_user(s, "ministry", users.Role.MINISTRY)
        _row, token = users.create_token(s, "ministry")
    db.dispose()
    auth = {"Authorization": f"Bearer {token}"}
    proc = subprocess.Popen(
        pdcs_argv("api", "-i", str(examples_dir), "--port", str(port), *_influx_args(influx)),
        env=pdcs_env(PDCS_DATABASE_URL=db_url),
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
        assert httpx.get(f"{base}/regions/510121").status_code == 401
        county = httpx.get(f"{base}/regions/510121", headers=auth).json()
        assert county["name"] == "金堂县" and county["devices"] == len(inv.devices_in(["510121"]))
        body = httpx.get(f"{base}/devices/jt-lib-sw01/availability", headers=auth).json()
        assert (body["polls"], body["answered"]) == (60, 45)
        nope = httpx.get(f"{base}/devices/nope", params={"lang": "en"}, headers=auth)
        assert nope.json()["detail"] == "device nope not found"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def test_figures_commands(influx: InfluxDB, examples_dir: Path) -> None:
    inv = load_inventory(examples_dir)
    # Thursday 8 Oct 2026: the library's switch down 10:00–11:00 (the library opens 09:00–20:30 Tue–Fri).
    write_polls(
        influx,
        inv,
        "jt-lib-sw01",
        at("2026-10-08"),
        at("2026-10-09"),
        down=[(at("2026-10-08", "10:00"), at("2026-10-08", "11:00"))],
    )
    period = ["--start", "2026-10-08T00:00:00+08:00", "--end", "2026-10-09T00:00:00+08:00"]
    run = subprocess.run(
        pdcs_argv(
            "supervision",
            "availability",
            "--facility",
            "jt-lib",
            *period,
            "--json",
            "-i",
            str(examples_dir),
            *_influx_args(influx),
        ),
        env=pdcs_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    body = json.loads(run.stdout)
    assert body["scheduled_s"] == 11.5 * 3600
    # Only the switch was ever polled: the public devices, never heard from and without a commissioning
    # date, are not supervised yet (they used to make the whole day "no data", counted as not serving),
    # so the library serves while its switch is up: one outage, 10:00–11:00.
    assert body["up_s"] == 10.5 * 3600 and body["availability"] == 10.5 / 11.5
    [outage] = body["outages"]
    assert outage["cause"] == "down" and outage["in_service_s"] == 3600
    switch = next(d for d in body["devices"] if d["id"] == "jt-lib-sw01")
    assert switch["up_s"] == 10.5 * 3600
    table = subprocess.run(
        pdcs_argv(
            "supervision", "availability", "--region", "510121", *period, "-i", str(examples_dir), *_influx_args(influx)
        ),
        env=pdcs_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert table.returncode == 0, table.stderr
    assert "金堂县图书馆" in table.stdout and "中断次数" in table.stdout
    bad = subprocess.run(
        pdcs_argv("supervision", "availability", "--region", "5199", "-i", str(examples_dir), *_influx_args(influx)),
        env=pdcs_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "未找到行政区划 5199" in bad.stderr
    scores = subprocess.run(
        pdcs_argv(
            "assessment",
            "--region",
            "510121",
            "--year",
            "2026",
            "--lang",
            "en",
            "-i",
            str(examples_dir),
            *_influx_args(influx),
        ),
        env=pdcs_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert scores.returncode == 0, scores.stderr
    assert "Share of county-level" in scores.stdout and "coverage (weight)" in scores.stdout
