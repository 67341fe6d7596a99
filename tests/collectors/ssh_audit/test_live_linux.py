"""Linux audits over a real SSH session to a private OpenSSH daemon, as a throw-away user."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.base import Target
from collectors.ssh_audit.collector import SshAuditCollector
from collectors.ssh_audit.rules import load_rules, rules_for
from devstack.sshd import SshdServer

from .conftest import make_inventory

N_LINUX = len(rules_for(load_rules(), "linux"))


@pytest.fixture
def telnet_port() -> Iterator[socket.socket]:
    """Something listening on 127.0.0.1:23, as a forgotten telnetd would (we are root)."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 23))
    s.listen()
    yield s
    s.close()


def _audit_target(sshd: SshdServer, user: str) -> tuple[SshAuditCollector, Target]:
    inv = make_inventory({"kiosk1": (sshd.address, "linux")}, user=user, env="PDCS_T_LINUX", enable=False)
    col = SshAuditCollector(inv)
    return col, Target.of(inv, inv.devices["kiosk1"])


def _expected_pass_max_days() -> str:
    """What the host's own /etc/login.defs says (the SSH peer is this machine)."""
    for line in Path("/etc/login.defs").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "PASS_MAX_DAYS":
            return "pass" if 1 <= int(parts[1]) <= 90 else "fail"
    return "fail"


async def test_linux_host_audit(sshd: SshdServer, linux_user: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    user, password = linux_user
    monkeypatch.setenv("PDCS_T_LINUX", password)
    col, target = _audit_target(sshd, user)
    by_check = {p.tags["check"]: p for p in await col.collect(target)}
    assert len(by_check) == N_LINUX
    assert {p.fields["status"] for p in by_check.values()} <= {"pass", "fail"}  # every rule judged
    assert by_check["linux-password-max-days"].fields["status"] == _expected_pass_max_days()
    assert "PASS_MAX_DAYS" in str(by_check["linux-password-max-days"].fields["detail"])
    assert by_check["linux-no-telnet"].fields["status"] == "pass"


async def test_telnet_listener_is_found(
    sshd: SshdServer, linux_user: tuple[str, str], monkeypatch: pytest.MonkeyPatch, telnet_port: socket.socket
) -> None:
    user, password = linux_user
    monkeypatch.setenv("PDCS_T_LINUX", password)
    col, target = _audit_target(sshd, user)
    by_check = {p.tags["check"]: p for p in await col.collect(target)}
    telnet = by_check["linux-no-telnet"]
    assert telnet.fields["status"] == "fail" and telnet.fields["passed"] == 0
    assert "127.0.0.1:23" in str(telnet.fields["detail"])


async def test_wrong_linux_password_is_unknown(
    sshd: SshdServer, linux_user: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PDCS_T_LINUX", "definitely-wrong-pw")
    col, target = _audit_target(sshd, linux_user[0])
    points = await col.collect(target)
    assert {p.fields["status"] for p in points} == {"unknown"}
    assert "authentication failed" in str(points[0].fields["detail"])
    assert "definitely-wrong-pw" not in str(points[0].fields["detail"])
