"""``pdcs dev up --provinces 3``: three provincial InfluxDBs and the national one on loopback, the simulated
devices spread across them, each province's points in its own store only."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from pathlib import Path

from devstack.procs import free_port
from devstack.provinces import NATIONAL_DB
from pdcs.settings import read_env_file
from pdcs.storage import InfluxDB
from pdcs.storage.shards import load_shard_map
from tests.support.cli import pdcs_argv, pdcs_env

PROVINCES = ("51", "44", "33")
UP = ("dev", "up", "--provinces", "3", "--interval", "5", "--no-alerting")


def _polled_provinces(db: InfluxDB) -> dict[str, int]:
    """device_up points per province tag in one store."""
    series = db.query("SELECT count(up) FROM raw.device_up GROUP BY province")
    return {s.tags.get("province", ""): int(s.rows()[0]["count"]) for s in series}


def test_dev_up_with_three_provinces_routes_each_province_to_its_store(tmp_path: Path) -> None:
    workdir = tmp_path / "dev"
    port = free_port()
    proc = subprocess.Popen(
        pdcs_argv(*UP, "--workdir", str(workdir), "--api-port", str(port)),
        env=pdcs_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    printed: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            printed.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not (workdir / "env").exists():
            assert proc.poll() is None, "".join(printed)
            time.sleep(1)
        env = read_env_file(workdir / "env")
        assert env["PDCS_INFLUX_SHARDS"] == str(workdir / "shards.yaml")
        shards = load_shard_map(Path(env["PDCS_INFLUX_SHARDS"]))
        stores = {code: shards.for_region(code) for code in PROVINCES}
        assert len({db.url for db in stores.values()}) == 3  # three servers
        national = shards.national()
        assert national is not None and national.database == NATIONAL_DB
        assert national.url not in {db.url for db in stores.values()}
        assert stores["51"].url == env["PDCS_INFLUX_URL"]  # the first province is the default store
        # Every province's simulated devices are polled into its own store, and only there.
        seen: dict[str, dict[str, int]] = {}
        while time.monotonic() < deadline:
            assert proc.poll() is None, "".join(printed)
            seen = {code: _polled_provinces(db) for code, db in stores.items()}
            if all(seen[code].get(code, 0) >= 2 for code in PROVINCES):
                break
            time.sleep(2)
        for code in PROVINCES:
            assert set(seen[code]) == {code}, seen
        # The national store holds summaries only: it has its retention policies and no raw points.
        assert set(national.retention_policies()) >= {"summary", "summary_long", "rollup"}
        assert not national.query("SHOW MEASUREMENTS ON pdcs_national WITH MEASUREMENT = device_up")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        reader.join(timeout=10)
    out = "".join(printed)
    assert proc.returncode == 0, out
    for code in PROVINCES:
        assert f"province {code}: " in out
    assert "shard map" in out and "pdcs_national" in out
    assert not (workdir / "env").exists()
