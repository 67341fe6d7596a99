"""Configuration history against real SSH peers: a simulated IOS switch (fake-switches) and the private sshd.

Two audits around a configuration change made over SSH give one new version
whose diff holds exactly the changed lines; no secret of the device is in any
object of the git repository.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from netmiko import ConnectHandler
from typer.testing import CliRunner

from collectors.base import Target
from collectors.config_history.mask import mask_config
from collectors.config_history.repo import ConfigRepo
from collectors.ssh_audit.collector import SshAuditCollector
from devstack.fake_ios import FakeIosDevice, FakeIosServer, ios_seed, start_fake_ios
from devstack.sshd import SshdServer
from pdcs.cli import app
from pdcs.points import CONFIG_CHANGE
from tests.collectors.ssh_audit.conftest import ENABLE, PASSWORD, linux_user, make_inventory, sshd  # noqa: F401

# Secrets present in the seed configuration (hashes are secrets too) and the one the test adds.
SEED_SECRETS = ("$9$nhEmQVczB7dqsO", "$9$vFpMf8elb4RVV8")
NEW_COMMUNITY = "S3cr3t-Rw-C0mm"


@pytest.fixture(scope="module")
def switch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeIosServer]:
    server = start_fake_ios(
        tmp_path_factory.mktemp("fake_ios_hist"),
        [FakeIosDevice("hist", ios_seed("compliant"), password=PASSWORD, enable=ENABLE)],
    )
    yield server
    server.stop()


@pytest.fixture
def creds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PDCS_T_SSH", PASSWORD)
    monkeypatch.setenv("PDCS_T_SSH_ENABLE", ENABLE)


def _all_objects(repo: Path) -> str:
    """Every object of the repository, decompressed (blobs, trees, commits), as text."""
    out = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch-all-objects", "--batch"], capture_output=True, check=True
    )
    return out.stdout.decode("utf-8", errors="replace")


async def test_two_audits_around_a_change_give_one_diff(switch: FakeIosServer, tmp_path: Path, creds: None) -> None:
    inv = make_inventory({"hist": (switch.address("hist"), "cisco")})
    repo = ConfigRepo(tmp_path / "history")
    col = SshAuditCollector(inv, history=repo)
    target = Target.of(inv, inv.devices["hist"])

    first = await col.collect(target)
    assert not [p for p in first if p.measurement == CONFIG_CHANGE]  # the history begins: no change yet
    again = await col.collect(target)
    assert not [p for p in again if p.measurement == CONFIG_CHANGE]
    assert len(repo.versions("hist")) == 1  # unchanged configuration: no new version

    dev = switch.devices["hist"]
    conn = ConnectHandler(device_type="cisco_ios", host=switch.host, port=dev.port, username=dev.username,
                          password=PASSWORD, secret=ENABLE)  # fmt: skip
    try:
        conn.enable()
        conn.send_config_set([f"snmp-server community {NEW_COMMUNITY} RW", "line vty 5 15", "no access-class MGMT in"])
    finally:
        conn.disconnect()

    after = await col.collect(target)
    (change,) = [p for p in after if p.measurement == CONFIG_CHANGE]
    assert change.tags["device"] == "hist" and change.tags["source"] == "ssh_audit"
    assert change.tags["facility"] == "fac1" and change.tags["county"] == "510121"
    assert (change.fields["added"], change.fields["removed"]) == (1, 1)

    versions = repo.versions("hist")
    assert len(versions) == 2 and versions[0].commit.startswith(str(change.fields["commit"]))
    d = repo.diff("hist")
    assert d is not None and d.old == versions[1] and d.new == versions[0]
    assert d.added == ("snmp-server community ****** RW",)
    assert d.removed == (" access-class MGMT in",)
    # --since a time before the change: the same diff; before the first version: every line is new.
    since = repo.diff("hist", versions[1].time + timedelta(seconds=0))
    assert since is not None and since.added == d.added and since.removed == d.removed
    whole = repo.diff("hist", versions[1].time - timedelta(days=1))
    assert whole is not None and whole.old is None and "hostname lib-core-01" in whole.added

    # No secret of the device in any git object, old or new (the masked text only).
    objects = _all_objects(repo.path)
    assert "hostname lib-core-01" in objects  # the blobs are there and readable
    for secret in (*SEED_SECRETS, NEW_COMMUNITY, PASSWORD, ENABLE):
        assert secret not in objects, secret
    assert "enable secret 9 ******" in repo.text("hist", versions[0])

    # The command line shows the same change.
    res = CliRunner().invoke(app, ["config", "diff", "hist", "--history", str(repo.path), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "+snmp-server community ****** RW" in res.output and "- access-class MGMT in" in res.output
    assert "(+1 -1 lines)" in res.output
    res = CliRunner().invoke(app, ["config", "log", "hist", "--history", str(repo.path)])
    assert res.exit_code == 0 and res.output.count("ssh_audit") == 2
    res = CliRunner().invoke(app, ["config", "diff", "nosuch", "--history", str(repo.path)])
    assert res.exit_code == 2 and "没有配置历史" in res.output


async def test_linux_host_files_kept_once(
    sshd: SshdServer,  # noqa: F811
    linux_user: tuple[str, str],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user, password = linux_user
    monkeypatch.setenv("PDCS_T_LINUX", password)
    inv = make_inventory({"kiosk1": (sshd.address, "linux")}, user=user, env="PDCS_T_LINUX", enable=False)
    repo = ConfigRepo(tmp_path / "history")
    col = SshAuditCollector(inv, history=repo)
    target = Target.of(inv, inv.devices["kiosk1"])
    for _ in range(2):
        assert not [p for p in await col.collect(target) if p.measurement == CONFIG_CHANGE]
    (version,) = repo.versions("kiosk1")
    text = repo.text("kiosk1", version)
    assert "### sshd_config" in text and "### login_defs" in text and "PASS_MAX_DAYS" in text
    assert "### processes" not in text and "### listening" not in text  # state, not configuration


def test_masking_of_configuration_secrets() -> None:
    text = mask_config(
        "enable secret 9 $9$abc\r\n"
        "username a privilege 15 password 7 0822455D0A16\n"
        "snmp-server community public RO\n"
        "snmp-server community Wr1te RW\n"
        "tacacs-server key 7 045802150C2E\n"
        "crypto isakmp key Sup3r address 10.0.0.1\n"
        " ip ospf message-digest-key 1 md5 7 0822455D0A16\n"
        "ntp authentication-key 1 md5 NtPk3y 7\n"
        " local-user admin password irreversible-cipher $1a$xyz\n"
        " snmp-agent community read cipher %^%#abc\n"
        " pre-shared-key cipher XYZ123\n"
    )
    for secret in (
        "$9$abc",
        "0822455D0A16",
        "Wr1te",
        "045802150C2E",
        "Sup3r",
        "NtPk3y",
        "$1a$xyz",
        "%^%#abc",
        "XYZ123",
    ):
        assert secret not in text, secret
    assert "snmp-server community public RO" in text  # a default community is the finding, not a secret
    assert "crypto isakmp key ****** address 10.0.0.1" in text and "\r" not in text


def test_save_is_idempotent_and_ids_are_checked(tmp_path: Path) -> None:
    repo = ConfigRepo(tmp_path / "h")
    when = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    saved = repo.save("sw1", "hostname a\n", source="fetch", when=when)
    assert saved is not None and saved.previous is None and saved.version.time == when
    assert repo.save("sw1", "hostname a\r\n\n", source="fetch") is None  # same text after normalising
    with pytest.raises(Exception, match="cannot name a file"):
        repo.save("../etc/passwd", "x", source="fetch")
    assert repo.diff("nosuch") is None
