"""Real SSH sessions through netmiko against simulated IOS switches (fake-switches, extended)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from netmiko import ConnectHandler

from collectors.base import Target
from collectors.ssh_audit.collector import SshAuditCollector
from collectors.ssh_audit.record import AuditStore
from collectors.ssh_audit.rules import load_rules, rules_for
from devstack.fake_ios import FakeIosServer
from pdcs.points import SECURITY_CHECK, to_lines
from pdcs.storage import InfluxDB

from .conftest import ENABLE, PASSWORD, make_inventory

N_IOS = len(rules_for(load_rules(), "cisco_ios"))


@pytest.fixture
def creds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PDCS_T_SSH", PASSWORD)
    monkeypatch.setenv("PDCS_T_SSH_ENABLE", ENABLE)


def _collector(fake_ios: FakeIosServer, tmp_path: Path, **devices: str) -> tuple[SshAuditCollector, dict[str, Target]]:
    inv = make_inventory({k: (v, "cisco") for k, v in devices.items()})
    col = SshAuditCollector(inv, store=AuditStore(tmp_path / "audit"), concurrency=4)
    return col, {d: Target.of(inv, inv.devices[d]) for d in devices}


async def test_compliant_and_noncompliant_switches(fake_ios: FakeIosServer, tmp_path: Path, creds: None) -> None:
    col, targets = _collector(fake_ios, tmp_path, good=fake_ios.address("good"), bad=fake_ios.address("bad"))
    good = await col.collect(targets["good"])
    bad = await col.collect(targets["bad"])
    assert len(good) == len(bad) == N_IOS
    assert {p.fields["status"] for p in good} == {"pass"}
    assert {p.fields["status"] for p in bad} == {"fail"}
    p = next(p for p in bad if p.tags["check"] == "ios-vty-acl")
    assert p.measurement == SECURITY_CHECK
    assert p.tags["source"] == "ssh_audit" and p.tags["mlps_item"] == "8.1.4.4" and p.tags["mlps_level"] == "2"
    assert p.tags["facility"] == "fac1" and p.tags["county"] == "510121" and p.tags["severity"] == "high"
    assert p.fields["passed"] == 0 and "line vty 0 4" in str(p.fields["detail"])
    # The audit record holds the evidence and remediation; the device's secrets are masked.
    record = json.loads((tmp_path / "audit" / "bad.json").read_text(encoding="utf-8"))
    assert record["reachable"] and record["summary"] == {"pass": 0, "fail": N_IOS, "unknown": 0}
    enable = next(r for r in record["results"] if r["check"] == "ios-enable-secret")
    assert enable["evidence"] == ["enable password ******"] and enable["remediation"]["zh"]
    assert "cisco123" not in json.dumps(record)


async def test_configuration_change_over_ssh_flips_the_result(
    fake_ios: FakeIosServer, tmp_path: Path, creds: None
) -> None:
    col, targets = _collector(fake_ios, tmp_path, changing=fake_ios.address("changing"))
    before = {p.tags["check"]: p.fields["status"] for p in await col.collect(targets["changing"])}
    assert before["ios-vty-acl"] == "pass" and before["ios-snmp-no-rw"] == "pass"
    assert before["ios-uplink-acl"] == "pass"  # 8.1.3.1: Vlan100 (the uplink) has "ip access-group BORDER in"
    dev = fake_ios.devices["changing"]
    conn = ConnectHandler(device_type="cisco_ios", host=fake_ios.host, port=dev.port, username=dev.username,
                          password=PASSWORD, secret=ENABLE)  # fmt: skip
    try:
        conn.enable()
        conn.send_config_set(
            ["snmp-server community n0tPubl1c RW", "no ip access-list extended BORDER", "line vty 5 15",
             "no access-class MGMT in"]
        )  # fmt: skip
    finally:
        conn.disconnect()
    after = {p.tags["check"]: p for p in await col.collect(targets["changing"])}
    assert after["ios-snmp-no-rw"].fields["status"] == "fail"
    assert "snmp-server community ****** RW" in str(after["ios-snmp-no-rw"].fields["detail"])
    assert after["ios-vty-acl"].fields["status"] == "fail"
    assert "line vty 5 15 (no" in str(after["ios-vty-acl"].fields["detail"])
    assert after["ios-ntp"].fields["status"] == "pass"
    # The uplink still names BORDER, which no longer exists: an undefined list filters nothing.
    assert after["ios-uplink-acl"].fields["status"] == "fail"
    assert "BORDER is applied but not defined" in str(after["ios-uplink-acl"].fields["detail"])


async def test_wrong_password_gives_unknown_with_reason_and_no_secret(
    fake_ios: FakeIosServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PDCS_T_SSH", "Wr0ng-Passw0rd-xyz")
    monkeypatch.setenv("PDCS_T_SSH_ENABLE", ENABLE)
    col, targets = _collector(fake_ios, tmp_path, good=fake_ios.address("good"))
    points = await col.collect(targets["good"])
    assert len(points) == N_IOS and {p.fields["status"] for p in points} == {"unknown"}
    assert all("passed" not in p.fields for p in points)  # unknown is neither pass nor fail
    assert "authentication failed for user admin" in str(points[0].fields["detail"])
    blob = "\n".join(to_lines(points)) + (tmp_path / "audit" / "good.json").read_text(encoding="utf-8")
    assert "Wr0ng-Passw0rd-xyz" not in blob and ENABLE not in blob


async def test_wrong_enable_secret_gives_unknown(
    fake_ios: FakeIosServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PDCS_T_SSH", PASSWORD)
    monkeypatch.setenv("PDCS_T_SSH_ENABLE", "not-the-enable")
    col, targets = _collector(fake_ios, tmp_path, good=fake_ios.address("good"))
    points = await col.collect(targets["good"])
    assert {p.fields["status"] for p in points} == {"unknown"}
    assert "enable" in str(points[0].fields["detail"]) and "not-the-enable" not in str(points[0].fields["detail"])


async def test_unreachable_device_and_missing_credential(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_ios: FakeIosServer
) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("PDCS_T_SSH", PASSWORD)
    monkeypatch.setenv("PDCS_T_SSH_ENABLE", ENABLE)
    col, targets = _collector(fake_ios, tmp_path, gone=f"127.0.0.1:{port}", good=fake_ios.address("good"))
    gone = await col.collect(targets["gone"])
    assert {p.fields["status"] for p in gone} == {"unknown"}
    assert f"127.0.0.1:{port}" in str(gone[0].fields["detail"])
    monkeypatch.delenv("PDCS_T_SSH")
    nocred = await col.collect(targets["good"])
    assert {p.fields["status"] for p in nocred} == {"unknown"}
    assert "environment variable PDCS_T_SSH is not set" in str(nocred[0].fields["detail"])


async def test_points_round_trip_through_influxdb(
    fake_ios: FakeIosServer, tmp_path: Path, creds: None, influx: InfluxDB
) -> None:
    col, targets = _collector(fake_ios, tmp_path, good=fake_ios.address("good"), bad=fake_ios.address("bad"))
    points = [p for t in targets.values() for p in await col.collect(t)]
    influx.write_lines(to_lines(points))
    rows = influx.query(
        'SELECT sum("passed") AS ok, count("passed") AS n FROM "security_check" WHERE "source" = \'ssh_audit\' '
        'GROUP BY "device"'
    )
    got = {s.tags["device"]: (s.rows()[0]["ok"], s.rows()[0]["n"]) for s in rows}
    assert got == {"good": (N_IOS, N_IOS), "bad": (0, N_IOS)}


def test_collector_for_reads_settings(tmp_path: Path) -> None:
    from collectors.ssh_audit.collector import collector_for
    from pdcs.settings import Settings

    inv = make_inventory({"sw": ("127.0.0.1:22", "cisco"), "ap": ("127.0.0.1:23", "zte")})
    col = collector_for(inv, Settings(audit_interval_s=3600, audit_concurrency=3, audit_dir=tmp_path))
    assert col.interval_s == 3600 and col.store is not None and col.store.folder == tmp_path
    assert col.applies_to(inv.devices["sw"]) and col.dialect_of(inv.devices["ap"]) is None
