"""Syslog end to end: ``logger`` and raw sockets → Debian's rsyslogd → the store → the indexer → points.

RFC 3164 over UDP and RFC 5424 over TCP from util-linux ``logger``; a GBK
message as Chinese gear sends it; a second device and an unknown sender from
other loopback addresses; retention pruning; the grading evidence.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from collectors.syslog.indexer import SyslogIndexer
from collectors.syslog.store import MIN_RETENTION_DAYS, prune, search
from devstack.rsyslog import RsyslogServer, start_rsyslog
from inventory.models import Device, DeviceKind, Facility, FacilityKind, Inventory
from pdcs.points import SECURITY_CHECK, SYSLOG

GBK_TEXT = "IFNET/4/IF_STATE: 接口 GigabitEthernet0/0/1 状态变为 DOWN"


@pytest.fixture(scope="module")
def rsyslog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RsyslogServer]:
    server = start_rsyslog(tmp_path_factory.mktemp("rsyslog"))
    yield server
    server.stop()


def _inventory() -> Inventory:
    fac = Facility(id="fac1", name="测试图书馆", kind=FacilityKind.PUBLIC_LIBRARY, county="510121")
    devs = {
        "sw1": Device(id="sw1", kind=DeviceKind.SWITCH, facility="fac1", address="127.0.0.1"),
        "sw2": Device(id="sw2", kind=DeviceKind.SWITCH, facility="fac1", address="127.0.0.2:22"),
        "quiet": Device(id="quiet", kind=DeviceKind.SERVER, facility="fac1", address="127.0.0.4"),
        "kiosk": Device(id="kiosk", kind=DeviceKind.KIOSK, facility="fac1", address="127.0.0.5"),
    }
    return Inventory(facilities={"fac1": fac}, devices=devs)


def _logger(rs: RsyslogServer, *args: str, stdin: bytes | None = None) -> None:
    subprocess.run(["logger", "-n", rs.host, *args], input=stdin, check=True, timeout=10)


def _send_from(rs: RsyslogServer, source: str, payload: bytes) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        s.sendto(payload, (rs.host, rs.udp_port))


def _wait(rs: RsyslogServer, ips: list[str], needle: str, n: int = 1) -> None:
    deadline = time.monotonic() + 10
    start = datetime.now(UTC) - timedelta(hours=1)
    while time.monotonic() < deadline:
        if len(search(rs.store, ips, start, datetime.now(UTC) + timedelta(hours=1), text=needle)) >= n:
            return
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} never reached the store")


def test_logger_udp_tcp_gbk_to_points_and_search(rsyslog: RsyslogServer, tmp_path: Path) -> None:
    rs = rsyslog
    tag = f"t{time.time_ns()}"
    for _ in range(3):
        _logger(rs, "--udp", "-P", str(rs.udp_port), "--rfc3164", "-t", "sshd", "-p", "auth.warning",
                f"{tag} Failed password for root from 10.0.0.5 port 50022 ssh2")  # fmt: skip
    _logger(rs, "--tcp", "-P", str(rs.tcp_port), "--rfc5424", "-t", "IOS", "-p", "local7.err",
            f"{tag} %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down")  # fmt: skip
    _logger(rs, "--udp", "-P", str(rs.udp_port), "-t", "HUAWEI", "-p", "local7.notice",
            stdin=f"{tag} {GBK_TEXT}".encode("gbk"))  # fmt: skip
    _send_from(
        rs, "127.0.0.2", f"<190>Dec  1 10:00:00 sw2 IOS: {tag} %SYS-5-CONFIG_I: Configured from console".encode()
    )
    _send_from(rs, "127.0.0.3", f"<14>Dec  1 10:00:00 stranger app: {tag} hello".encode())
    _wait(rs, ["127.0.0.1"], tag, 5)
    _wait(rs, ["127.0.0.2"], tag)
    _wait(rs, ["127.0.0.3"], tag)

    # The raw store, searched as the API does: newest first, GBK decoded, nothing lost.
    now = datetime.now(UTC)
    found = search(rs.store, ["127.0.0.1"], now - timedelta(hours=1), now + timedelta(minutes=1), text=tag)
    assert len(found) == 5
    gbk = [m for m in found if "GigabitEthernet0/0/1" in m.message]
    assert len(gbk) == 1 and GBK_TEXT in gbk[0].message and gbk[0].encoding == "gb18030"
    tcp = next(m for m in found if "%LINK-3-UPDOWN" in m.message)
    assert (tcp.facility, tcp.severity, tcp.app) == ("local7", "err", "IOS")
    assert found == sorted(found, key=lambda m: m.time, reverse=True)
    errs = search(rs.store, ["127.0.0.1"], now - timedelta(hours=1), now, text=tag, severities={"err"})
    assert [m.severity for m in errs] == ["err"]

    # The indexer: counts per device, syslog facility, severity and event; unknown senders not written.
    inv = _inventory()
    ix = SyslogIndexer(rs.store, inv, tmp_path / "state.json")
    points = [p for p in ix.index() if p.measurement == SYSLOG]
    by = {(p.tags["device"], p.tags["syslog_facility"], p.tags["severity"], p.tags["event"]): p for p in points}
    login = by[("sw1", "auth", "warning", "login_failure")]
    assert int(login.fields["messages"]) >= 3 and login.tags["facility"] == "fac1" and login.tags["county"] == "510121"
    assert ("sw1", "local7", "err", "link_updown") in by and ("sw1", "local7", "notice", "link_updown") in by
    assert by[("sw2", "local7", "info", "config_change")].fields["messages"] == 1
    assert not [p for p in points if p.tags["device"] not in inv.devices]
    assert ix.state.unattributed.get("127.0.0.3", 0) >= 1

    # A second pass reads only what is new; a restart (new indexer, same state) double-counts nothing.
    assert ix.index() == []
    _logger(rs, "--udp", "-P", str(rs.udp_port), "--rfc3164", "-t", "sshd", "-p", "auth.warning",
            f"{tag} Failed password for admin from 10.0.0.6 port 50023 ssh2")  # fmt: skip
    _wait(rs, ["127.0.0.1"], tag, 6)
    again = SyslogIndexer(rs.store, inv, tmp_path / "state.json").index()
    (more,) = [p for p in again if p.tags["event"] == "login_failure"]
    assert more.fields["messages"] in (1, int(login.fields["messages"]) + 1)  # new minute, or the same minute's total

    # Grading evidence (GB/T 22239-2019 8.1.5.4): sw1/sw2 send, the quiet server does not, kiosks are not asked.
    ev = {(p.tags["device"], p.tags["check"]): p for p in ix.evidence() if p.measurement == SECURITY_CHECK}
    assert ev[("sw1", "syslog-sending")].fields["passed"] == 1
    assert ev[("quiet", "syslog-sending")].fields["passed"] == 0
    assert "未收到来自 127.0.0.4 的日志" in str(ev[("quiet", "syslog-sending")].fields["detail"])
    assert ev[("sw1", "syslog-retention")].fields["passed"] == 1 and ev[("sw1", "syslog-retention")].tags[
        "mlps_item"] == "8.1.5.4"  # fmt: skip
    assert "网络安全法" in str(ev[("sw1", "syslog-retention")].fields["detail"])
    assert not [k for k in ev if k[0] == "kiosk"]
    short = SyslogIndexer(rs.store, inv, tmp_path / "state.json", keep_days=90).evidence()
    assert {p.fields["passed"] for p in short if p.tags["check"] == "syslog-retention"} == {0}


def test_retention_keeps_180_days_at_least(tmp_path: Path) -> None:
    store = tmp_path / "store"
    today = date(2026, 12, 1)
    for age in (0, 179, 180, 181, 400):
        day = today - timedelta(days=age)
        f = store / "10.0.0.1" / f"{day.isoformat()}.jsonl"
        f.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"t": f"{day.isoformat()}T00:00:00+00:00", "ip": "10.0.0.1", "msg": "x"})
        f.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Cybersecurity Law"):
        prune(store, MIN_RETENTION_DAYS - 1, today)
    gone = prune(store, 180, today)
    assert sorted(p.name for p in gone) == [
        f"{(today - timedelta(days=400)).isoformat()}.jsonl",
        f"{(today - timedelta(days=181)).isoformat()}.jsonl",
    ]
    left = sorted(p.name for p in (store / "10.0.0.1").iterdir())
    assert len(left) == 3 and f"{(today - timedelta(days=180)).isoformat()}.jsonl" in left
