"""The collector service: a cycle over the lab inventory into the real InfluxDB."""

from __future__ import annotations

from pathlib import Path

from collectors.service import CollectorService, ServiceConfig
from inventory.models import Inventory
from pdcs.storage import InfluxDB


async def test_once_writes_device_up_and_interfaces(lab: Inventory, influx: InfluxDB, tmp_path: Path) -> None:
    svc = CollectorService(lab, influx, tmp_path / "spool.sqlite", ServiceConfig(period_s=10))
    try:
        stats = await svc.run_once()
    finally:
        svc.close()
    assert (stats.ok, stats.failed, stats.skipped) == (2, 2, 0)
    assert sorted(stats.failed_devices) == ["sw-dead/snmp", "sw-wrong/snmp"]
    rows = influx.query('SELECT last("up") AS up FROM device_up GROUP BY "device"')
    ups = {s.tags["device"]: s.rows()[0]["up"] for s in rows}
    assert ups == {"sw-v2c": 1, "sw-v3": 1, "sw-wrong": 0, "sw-dead": 0}
    errors = influx.query('SELECT "error" FROM device_up WHERE "device"=\'sw-dead\'')
    assert errors[0].rows()[0]["error"].startswith("timeout:")
    ifs = influx.query('SELECT count("in_octets") FROM interface WHERE "device"=\'sw-v2c\' GROUP BY "ifname"')
    assert {s.tags["ifname"] for s in ifs} >= {"lo"}
    col = influx.query("SELECT * FROM collector")[0].rows()[0]
    assert (col["devices_ok"], col["devices_failed"], col["devices_skipped"]) == (2, 2, 0)
    assert svc.spool.depth == 0
