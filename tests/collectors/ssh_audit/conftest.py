"""Servers for the SSH audit tests: simulated IOS switches and a private sshd (session-scoped)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.fake_ios import FakeIosDevice, FakeIosServer, ios_seed, start_fake_ios
from devstack.sshd import SshdServer, start_sshd, temporary_user
from inventory.models import Device, DeviceKind, Facility, FacilityKind, Inventory, SecretRef, SshProfile

DATA = Path(__file__).resolve().parent / "data"
PASSWORD = "Adm1n-Pa55!"
ENABLE = "En4ble-Secr3t"


@pytest.fixture(scope="session")
def fake_ios(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeIosServer]:
    devices = [
        FakeIosDevice("good", ios_seed("compliant"), password=PASSWORD, enable=ENABLE),
        FakeIosDevice("bad", ios_seed("noncompliant"), password=PASSWORD, enable=ENABLE),
        FakeIosDevice("changing", ios_seed("compliant"), password=PASSWORD, enable=ENABLE),
    ]
    server = start_fake_ios(tmp_path_factory.mktemp("fake_ios"), devices)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def linux_user() -> Iterator[tuple[str, str]]:
    with temporary_user() as user:
        yield user


@pytest.fixture(scope="session")
def sshd(tmp_path_factory: pytest.TempPathFactory, linux_user: tuple[str, str]) -> Iterator[SshdServer]:
    server = start_sshd(tmp_path_factory.mktemp("sshd"), allow_users=(linux_user[0],))
    yield server
    server.stop()


def make_inventory(
    devices: dict[str, tuple[str, str | None]], *, user: str = "admin", env: str = "PDCS_T_SSH", enable: bool = True
) -> Inventory:
    """An inventory with one facility; ``devices`` maps id → (address, vendor)."""
    fac = Facility(id="fac1", name="测试图书馆", kind=FacilityKind.PUBLIC_LIBRARY, county="510121")
    profile = SshProfile(
        name="audit",
        username=user,
        password=SecretRef(env=env),
        secret=SecretRef(env=env + "_ENABLE") if enable else None,
        timeout_s=5,
    )
    devs = {
        dev_id: Device(
            id=dev_id,
            kind=DeviceKind.SERVER if vendor == "linux" else DeviceKind.SWITCH,
            facility="fac1",
            address=address,
            ssh_profile="audit",
            vendor=vendor,
            uplink_interface=None if vendor == "linux" else "Vlan100",  # the seeds' routed uplink
        )
        for dev_id, (address, vendor) in devices.items()
    }
    return Inventory(facilities={"fac1": fac}, devices=devs, ssh_profiles={"audit": profile})
