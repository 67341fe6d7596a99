"""``pdcs collect`` as users run it: an inventory folder → a real poll → the real InfluxDB."""

from __future__ import annotations

import subprocess
from pathlib import Path

from devstack.influxdb import InfluxServer
from devstack.snmpd import SnmpdServer
from pdcs.storage import InfluxDB
from tests.collectors.inventory_files import secret_env, write_inventory
from tests.support.cli import pdcs_argv, pdcs_env


def run_collect(
    inv: Path, influx: InfluxDB, spool: Path, snmpd: SnmpdServer, *extra: str
) -> subprocess.CompletedProcess[str]:
    argv = pdcs_argv(
        "collect", "--inventory", str(inv), "--once", "--influx-url", influx.url,
        "--influx-db", influx.database, "--spool-dir", str(spool), *extra,
    )  # fmt: skip
    return subprocess.run(argv, env=pdcs_env(**secret_env(snmpd)), capture_output=True, text=True, timeout=60)


def test_collect_once_from_inventory_folder(
    tmp_path: Path, snmpd: SnmpdServer, influx: InfluxDB, influx_server: InfluxServer
) -> None:
    inv = write_inventory(tmp_path / "inv", snmpd)
    res = run_collect(inv, influx, tmp_path / "spool", snmpd)
    assert res.returncode == 1, res.stderr  # one device is dead
    assert "3 ok, 1 failed" in res.stdout
    assert "failed: jt-sw-dead/snmp" in res.stderr
    assert snmpd.v3_auth_key not in res.stdout + res.stderr and snmpd.community not in res.stderr
    ups = {
        s.tags["device"]: s.rows()[0]["up"]
        for s in influx.query('SELECT last(up) AS up FROM device_up GROUP BY "device"')
    }
    assert ups == {"jt-sw-v2c": 1, "jt-sw-v3": 1, "dy-sw-v2c": 1, "jt-sw-dead": 0}
    lo = influx.query(
        "SELECT in_octets, oper_up FROM interface WHERE device='jt-sw-v2c' AND ifname='lo' AND uplink='1'"
    )
    assert lo and lo[0].rows()[0]["oper_up"] == 1
    tags = influx.query('SHOW TAG VALUES FROM device_up WITH KEY = "county"')[0].rows()
    assert {r["value"] for r in tags} == {"510121", "510129"}


def test_collect_region_shards(tmp_path: Path, snmpd: SnmpdServer, influx: InfluxDB) -> None:
    inv = write_inventory(tmp_path / "inv", snmpd)
    res = run_collect(inv, influx, tmp_path / "spool", snmpd, "--region", "510129")
    assert res.returncode == 0, res.stderr
    devices = {s.tags["device"] for s in influx.query('SELECT last(up) FROM device_up GROUP BY "device"')}
    assert devices == {"dy-sw-v2c"}
    regions = influx.query("SELECT * FROM collector")[0].rows()[0]["regions"]
    assert regions == "510129"


def test_collect_usage_errors(tmp_path: Path, snmpd: SnmpdServer, influx: InfluxDB) -> None:
    inv = write_inventory(tmp_path / "inv", snmpd)
    assert run_collect(inv, influx, tmp_path / "spool", snmpd, "--region", "51x").returncode == 2
    (inv / "devices.yaml").write_text("devices:\n  - {id: x, kind: toaster, facility: jt-lib}\n", encoding="utf-8")
    res = run_collect(inv, influx, tmp_path / "spool", snmpd)
    assert res.returncode == 2
    assert "devices.yaml:2" in res.stderr
    assert "清单有 1 处问题" in res.stderr and "devices[x].kind: 应为 " in res.stderr  # Chinese by default


def test_running_collector_serves_metrics_takes_traps_and_stops_cleanly(
    tmp_path: Path, snmpd: SnmpdServer, influx: InfluxDB
) -> None:
    import signal

    import httpx

    from devstack.procs import Managed, free_port, free_udp_port, require

    inv = write_inventory(tmp_path / "inv", snmpd, dead=False)
    mport, tport = free_port(), free_udp_port()
    argv = pdcs_argv(
        "collect", "--inventory", str(inv), "--influx-url", influx.url, "--influx-db", influx.database,
        "--spool-dir", str(tmp_path / "spool"), "--interval", "1", "--metrics-port", str(mport),
        "--trap-port", str(tport), "--trap-host", "127.0.0.1", "--region", "510121",
    )  # fmt: skip
    child = Managed("collect", argv, tmp_path / "collect.log", env=pdcs_env(**secret_env(snmpd))).start()
    try:

        def cycles() -> float:
            text = httpx.get(f"http://127.0.0.1:{mport}/metrics", timeout=2).text
            line = next(x for x in text.splitlines() if x.startswith("pdcs_collector_cycles_total"))
            return float(line.split()[-1])

        child.wait_ready(lambda: cycles() >= 2, 30)
        metrics = httpx.get(f"http://127.0.0.1:{mport}/metrics", timeout=2).text
        assert 'pdcs_collector_devices_ok{collector="pdcs-collector"} 2.0' in metrics
        assert "pdcs_collector_spool_depth" in metrics and "pdcs_collector_points_written_total" in metrics
        subprocess.run(
            [require("snmptrap"), "-m", "", "-v", "2c", "-c", snmpd.community, f"127.0.0.1:{tport}", "",
             "1.3.6.1.6.3.1.1.5.2"],
            check=True, timeout=10,
        )  # fmt: skip

        def trap_written() -> bool:
            return bool(influx.query("SELECT count(value) FROM snmp_trap WHERE trap='warmStart'"))

        child.wait_ready(trap_written, 15)
    finally:
        child.signal(signal.SIGTERM)
        assert child.proc is not None
        code = child.proc.wait(15)
    assert code == 0, child.tail()
    # Only the 510121 devices; each polled on every 1 s cycle, self-metrics beside them.
    devices = {s.tags["device"] for s in influx.query('SELECT last(up) FROM device_up GROUP BY "device"')}
    assert devices == {"jt-sw-v2c", "jt-sw-v3"}
    assert influx.query("SELECT count(cycle_s) FROM collector")[0].rows()[0]["count"] >= 2
