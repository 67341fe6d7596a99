"""``pdcs dev up --provinces 3``: three provincial InfluxDBs and the national one on loopback, the simulated
devices spread across them, each province's points in its own store only, and each province's shipper
sending its county summaries to the national store."""

from __future__ import annotations

import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
import yaml

from devstack.procs import free_port
from devstack.provinces import NATIONAL_DB
from pdcs.settings import read_env_file
from pdcs.storage import InfluxDB
from pdcs.storage.shards import load_shard_map
from tests.support.cli import interruptible, pdcs_argv, pdcs_env

PROVINCES = ("51", "44", "33")
UP = ("dev", "up", "--provinces", "3", "--interval", "5", "--no-alerting")


def _polled_provinces(db: InfluxDB) -> dict[str, int]:
    """device_up points per province tag in one store."""
    series = db.query("SELECT count(up) FROM raw.device_up GROUP BY province")
    return {s.tags.get("province", ""): int(s.rows()[0]["count"]) for s in series}


@pytest.mark.slow  # waits for the first complete 5-minute summary bucket
def test_dev_up_with_three_provinces_routes_each_province_to_its_store() -> None:
    # Not pytest's tmp_path: the run lasts minutes, and other pytest sessions on this machine prune
    # /tmp/pytest-of-<user>/ (pytest keeps the last three base folders), servers' data with it.
    with tempfile.TemporaryDirectory(prefix="pdcs-dev-provinces-") as tmp:
        _run_and_check(Path(tmp) / "dev")


def _run_and_check(workdir: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        pdcs_argv(*UP, "--workdir", str(workdir), "--api-port", str(port)),
        env=pdcs_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=interruptible,
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
        # Grafana's provisioning for the run: a data source per province store and the national one
        provisioning = yaml.safe_load((workdir / "grafana" / "datasources" / "pdcs.yaml").read_text("utf-8"))
        sources = {d["uid"]: d["url"] for d in provisioning["datasources"]}
        assert sources == {
            "pdcs-influxdb": stores["51"].url,
            "pdcs-influxdb-44": stores["44"].url,
            "pdcs-influxdb-33": stores["33"].url,
            "pdcs-national": national.url,
        }
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
        # Each province's shipper (pdcs federation ship --loop) reports to the national store at once …
        shipped: set[str] = set()
        while time.monotonic() < deadline and len(shipped) < 3:
            status = national.query("SELECT last(through_ms) FROM federation_status GROUP BY province")
            shipped = {s.tags["province"] for s in status}
            time.sleep(2)
        assert shipped == set(PROVINCES)
        # … and the county summaries follow once the first 5-minute bucket with polls is complete
        # (at most 5 minutes after the first polls, plus the shippers' settle time and interval).
        summaries: dict[str, dict[str, int]] = {}
        deadline = time.monotonic() + 6 * 60
        while time.monotonic() < deadline and len(summaries) < 3:
            assert proc.poll() is None, "".join(printed)
            q = "SELECT last(devices) AS devices, last(devices_up) AS up FROM county_summary GROUP BY county"
            summaries = {s.tags["county"]: s.rows()[0] for s in national.query(q)}
            time.sleep(5)
        assert set(summaries) == {"510121", "440106", "330106"}, summaries
        assert all(row["devices"] >= row["up"] >= 1 for row in summaries.values()), summaries
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
