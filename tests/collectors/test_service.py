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


def test_jobs_wire_agents_and_audits_beside_snmp(lab: Inventory, tmp_path: Path) -> None:
    from collectors.service import Collectors, build_jobs
    from inventory.models import Device, DeviceKind, SecretRef, SshProfile
    from pdcs.settings import Settings

    devices = dict(lab.devices)
    devices["kiosk1"] = Device(
        id="kiosk1", kind=DeviceKind.KIOSK, facility="lib-510121", address="127.0.0.1",
        agent_url="http://127.0.0.1:9750/metrics",
    )  # fmt: skip
    devices["srv1"] = Device(
        id="srv1", kind=DeviceKind.SERVER, facility="lib-510121", address="127.0.0.1", ssh_profile="audit",
    )  # fmt: skip
    ssh = {
        "audit": SshProfile(name="audit", username="pdcs", password=SecretRef(env="PDCS_TEST_SSH"), device_type="linux")
    }
    inv = lab.model_copy(update={"devices": devices, "ssh_profiles": ssh})
    jobs = build_jobs(inv, Collectors.of(inv, Settings(audit_dir=tmp_path, _env_file=None)))  # type: ignore[call-arg]
    by_collector = {(j.target.device.id, j.collector.name) for j in jobs}
    assert ("kiosk1", "prometheus") in by_collector
    assert ("srv1", "ssh_audit") in by_collector
    assert {d for d, c in by_collector if c == "snmp"} == {"sw-v2c", "sw-v3", "sw-wrong", "sw-dead"}
    audit = next(j for j in jobs if j.collector.name == "ssh_audit")
    assert audit.interval_s >= 3600  # audits run on a long interval, not every poll cycle


async def test_malformed_peer_counted_in_self_metrics_others_unaffected(
    lab: Inventory, influx: InfluxDB, tmp_path: Path
) -> None:
    from inventory.models import Device, DeviceKind
    from tests.collectors.peers import garbage_responder

    peer = garbage_responder()
    try:
        devices = {k: v for k, v in lab.devices.items() if k in ("sw-v2c", "sw-v3")}
        devices["sw-garbage"] = Device(
            id="sw-garbage", kind=DeviceKind.SWITCH, facility="lib-510121", address=peer.address, snmp_profile="v2c"
        )
        inv = lab.model_copy(update={"devices": devices})
        svc = CollectorService(inv, influx, tmp_path / "spool.sqlite", ServiceConfig(period_s=10))
        try:
            stats = await svc.run_once()
        finally:
            svc.close()
    finally:
        peer.stop()
    assert (stats.ok, stats.failed) == (2, 1)
    col = influx.query("SELECT * FROM collector")[0].rows()[0]
    assert col["malformed"] == 1 and col["devices_failed"] == 1
    err = influx.query('SELECT "error" FROM device_up WHERE "device"=\'sw-garbage\'')[0].rows()[0]["error"]
    assert err.startswith("malformed:")
