"""The real collector's output, polled from simulated devices, reads correctly through every dashboard query."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from dashboards.build import build_all
from dashboards.templating import TimeRange
from dashboards.verify import has_values, resolve_variables, run_targets
from devstack.simulated import write_dev_inventory
from devstack.snmpd import SnmpdServer
from devstack.snmpsim import SnmpsimServer
from pdcs.storage import InfluxDB
from tests.support.cli import pdcs_argv, pdcs_env

EXAMPLES = Path(__file__).resolve().parents[2] / "inventory" / "examples"


def test_one_collector_cycle_fills_the_state_panels(
    influx: InfluxDB, snmpd: SnmpdServer, snmpsim: SnmpsimServer, tmp_path: Path
) -> None:
    inventory = write_dev_inventory(EXAMPLES, tmp_path / "inventory", snmpd, snmpsim, interval_s=5)
    env = pdcs_env(
        PDCS_INFLUX_URL=influx.url,
        PDCS_INFLUX_DB=influx.database,
        PDCS_SPOOL_DIR=str(tmp_path / "spool"),
        PDCS_AUDIT_DIR=str(tmp_path / "audit"),
    )
    argv = pdcs_argv("collect", "--once", "--inventory", str(inventory), "--name", "county-510121")
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    # Exit 1: the simulated set includes devices that do not answer (the dashboards must show them down).
    assert done.returncode in (0, 1), done.stderr
    assert "points written" in done.stdout

    tr = TimeRange("now-1h", "now", int(time.time() * 1000))
    with_values: set[tuple[str, str]] = set()
    for b in build_all():
        chosen = {"facility": "jt-lib"} if b.uid in ("pdcs-facility", "pdcs-device") else {}
        variables, _ = resolve_variables(b, influx, tr, chosen=chosen)
        for r in run_targets(b, influx, variables, tr):
            assert r.problems == [], f"{b.uid} / {r.panel}: {r.problems}"
            if has_values(r):
                with_values.add((b.uid, r.panel))
    for expected in [
        ("pdcs-county", "设备总数"),
        ("pdcs-county", "离线设备"),
        ("pdcs-county", "场馆状态"),
        ("pdcs-county", "设备列表"),
        ("pdcs-county", "离线记录"),
        ("pdcs-national", "各省设备在线率"),
        ("pdcs-facility", "设备在线状态"),
        ("pdcs-collectors", "采集器概览"),
    ]:
        assert expected in with_values, expected
