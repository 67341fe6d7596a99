"""Item 9 of issue 15 (SSH part): no device secret in any log, and host keys pinned on first use.

Against a simulated Cisco IOS switch over real SSH (fake-switches through netmiko):
- with every logger at DEBUG, an audit of a switch whose running-config holds plaintext
  passwords and an SNMP write community logs none of them, nor the audit's own credentials;
- the first audit pins the switch's host key in an OpenSSH known_hosts file; a different key
  (a man in the middle) is refused before authentication — every rule ``unknown`` with the
  reason — and ``ssh-keygen -R`` (the documented acceptance of a new key) lets the next audit
  pin the key again.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
from pathlib import Path

import paramiko
import pytest

from collectors.base import Target
from collectors.ssh_audit.collector import SshAuditCollector
from collectors.ssh_audit.record import AuditStore
from devstack.fake_ios import FakeIosServer
from tests.collectors.ssh_audit.conftest import ENABLE, PASSWORD, fake_ios, make_inventory  # noqa: F401

DEVICE_SECRETS = ("cisco123", "admin123", "wr1te")


@pytest.fixture
def known_hosts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PDCS_T_SSH", PASSWORD)
    monkeypatch.setenv("PDCS_T_SSH_ENABLE", ENABLE)
    path = tmp_path / "ssh_known_hosts"
    monkeypatch.setenv("PDCS_SSH_KNOWN_HOSTS", str(path))
    return path


async def _audit(fake_ios: FakeIosServer, tmp_path: Path) -> list[str]:  # noqa: F811
    inv = make_inventory({"bad": (fake_ios.address("bad"), "cisco")})
    col = SshAuditCollector(inv, store=AuditStore(tmp_path / "audit"), concurrency=1)
    points = await col.collect(Target.of(inv, inv.devices["bad"]))
    return [str(p.fields["status"]) for p in points]


async def test_no_secret_in_debug_logs(
    fake_ios: FakeIosServer,  # noqa: F811
    known_hosts: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger().setLevel(logging.DEBUG)
    statuses = await _audit(fake_ios, tmp_path)
    assert set(statuses) == {"fail"}  # the audit read the configuration
    text = caplog.text
    for secret in (*DEVICE_SECRETS, PASSWORD, ENABLE):
        assert secret not in text, secret


async def test_host_key_pinned_on_first_use(fake_ios: FakeIosServer, known_hosts: Path, tmp_path: Path) -> None:  # noqa: F811
    host, port = fake_ios.address("bad").rsplit(":", 1)
    name = f"[{host}]:{port}"
    assert set(await _audit(fake_ios, tmp_path)) == {"fail"}
    pinned = paramiko.HostKeys(str(known_hosts))
    assert pinned.lookup(name) is not None
    # Someone else answers at that address: another key. Refused before the password is sent.
    other = paramiko.RSAKey.generate(1024)
    forged = paramiko.HostKeys()
    for key_type in list(pinned.lookup(name) or {}):
        forged.add(name, key_type, other) if key_type == "ssh-rsa" else None
    forged.add(name, "ssh-rsa", other)
    forged.save(str(known_hosts))
    statuses = await _audit(fake_ios, tmp_path)
    assert set(statuses) == {"unknown"}
    record = (tmp_path / "audit" / "bad.json").read_text(encoding="utf-8")
    assert "host key of" in record and "changed" in record and "ssh-keygen -R" in record, json.loads(record)["error"]
    # The documented way to accept a new key, then the next audit pins it again.
    if shutil.which("ssh-keygen"):
        subprocess.run(["ssh-keygen", "-R", name, "-f", str(known_hosts)], check=True, capture_output=True)
    else:
        known_hosts.write_text("", encoding="utf-8")
    assert set(await _audit(fake_ios, tmp_path)) == {"fail"}
    assert paramiko.HostKeys(str(known_hosts)).lookup(name) is not None
