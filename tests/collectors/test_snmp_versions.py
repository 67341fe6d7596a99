"""SNMP v1, v2c and the v3 matrix against real snmpd; bulk refusal, malformed replies, bad keys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.snmp.collector import SnmpCollector
from devstack.snmpd import SnmpdServer, SnmpdUser, start_snmpd
from inventory.models import SnmpProfile
from pdcs.points import DEVICE_UP, INTERFACE, Point
from tests.collectors.conftest import make_inventory, secret, target
from tests.collectors.peers import bulk_refusing_proxy, garbage_responder

AUTH, PRIV = "authpass-123", "privpass-456"
# (user, auth protocol, priv protocol or None): authNoPriv and authPriv, SHA/SHA-256/MD5 and AES/AES-256/DES.
V3_MATRIX = [
    ("u_md5_none", "MD5", None),
    ("u_sha_none", "SHA", None),
    ("u_sha256_none", "SHA256", None),
    ("u_md5_des", "MD5", "DES"),
    ("u_sha_des", "SHA", "DES"),
    ("u_sha_aes", "SHA", "AES"),
    ("u_sha256_aes", "SHA256", "AES"),
    ("u_sha256_aes256", "SHA256", "AES256"),
    ("u_sha512_aes256", "SHA512", "AES256"),
]


@pytest.fixture(scope="module")
def snmpd_users(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SnmpdServer]:
    users = tuple(SnmpdUser(u, a, AUTH, p, PRIV if p else None) for u, a, p in V3_MATRIX)
    server = start_snmpd(tmp_path_factory.mktemp("snmpd-users"), users=users)
    yield server
    server.stop()


def _up(points: list[Point]) -> Point:
    (up,) = [p for p in points if p.measurement == DEVICE_UP]
    return up


async def _poll(
    tmp_path: Path, address: str, profile: SnmpProfile, secrets: dict[str, str]
) -> tuple[SnmpCollector, list[Point]]:
    inv = make_inventory(tmp_path, [{"id": "d", "address": address, "snmp_profile": profile.name}], [profile], secrets)
    col = SnmpCollector(inv.snmp_profiles)
    return col, await col.collect(target(inv, "d"))


@pytest.mark.parametrize(("user", "auth", "priv"), V3_MATRIX)
async def test_v3_matrix(tmp_path: Path, snmpd_users: SnmpdServer, user: str, auth: str, priv: str | None) -> None:
    profile = SnmpProfile(
        name="p", version="3", user=user, auth_protocol=auth, auth_key=secret("a"),  # type: ignore[arg-type]
        priv_protocol=priv, priv_key=secret("p") if priv else None, timeout_s=1, retries=0,  # type: ignore[arg-type]
    )  # fmt: skip
    _, points = await _poll(tmp_path, snmpd_users.address, profile, {"a": AUTH, "p": PRIV})
    up = _up(points)
    assert up.fields["up"] == 1, up.fields.get("error")
    assert any(p.measurement == INTERFACE for p in points)


async def test_v3_wrong_key_is_reported_as_auth_failure(tmp_path: Path, snmpd_users: SnmpdServer) -> None:
    profile = SnmpProfile(
        name="p", version="3", user="u_sha_aes", auth_protocol="SHA", auth_key=secret("a"),
        priv_protocol="AES", priv_key=secret("p"), timeout_s=0.5, retries=0,
    )  # fmt: skip
    col, points = await _poll(tmp_path, snmpd_users.address, profile, {"a": "not-the-key", "p": PRIV})
    up = _up(points)
    assert up.fields["up"] == 0
    assert str(up.fields["error"]).split(":")[0] in ("auth", "timeout")
    assert "not-the-key" not in str(up.fields["error"])
    assert sum(col.failures.values()) == 1


async def test_v1_walks_with_getnext(tmp_path: Path, snmpd_users: SnmpdServer) -> None:
    profile = SnmpProfile(name="p", version="1", community=secret("c"), timeout_s=1, retries=0)
    col, points = await _poll(tmp_path, snmpd_users.address, profile, {"c": snmpd_users.community})
    assert _up(points).fields["up"] == 1
    ifs = [p for p in points if p.measurement == INTERFACE]
    assert ifs and all("in_octets" in p.fields for p in ifs)
    assert col.state["d"].bulk is False


async def test_agent_refusing_getbulk_falls_back_to_getnext(tmp_path: Path, snmpd_users: SnmpdServer) -> None:
    proxy = bulk_refusing_proxy(snmpd_users.port)
    try:
        profile = SnmpProfile(name="p", version="2c", community=secret("c"), timeout_s=0.5, retries=0)
        col, points = await _poll(tmp_path, proxy.address, profile, {"c": snmpd_users.community})
        assert _up(points).fields["up"] == 1
        assert [p for p in points if p.measurement == INTERFACE]
        assert proxy.bulk_dropped >= 1
        assert col.state["d"].bulk is False  # remembered: the next poll goes straight to GETNEXT
        dropped = proxy.bulk_dropped
        inv_target = target(make_inventory(tmp_path, [{"id": "d", "address": proxy.address, "snmp_profile": "p"}],
                                           [profile], {"c": snmpd_users.community}), "d")  # fmt: skip
        assert _up(await col.collect(inv_target)).fields["up"] == 1
        assert proxy.bulk_dropped == dropped
    finally:
        proxy.stop()


async def test_malformed_replies_counted_and_reported(tmp_path: Path) -> None:
    peer = garbage_responder()
    try:
        profile = SnmpProfile(name="p", version="2c", community=secret("c"), timeout_s=0.5, retries=0)
        col, points = await _poll(tmp_path, peer.address, profile, {"c": "public"})
    finally:
        peer.stop()
    up = _up(points)
    assert up.fields["up"] == 0
    assert peer.requests >= 1
    assert str(up.fields["error"]).startswith("malformed:"), up.fields["error"]
    assert col.failures["malformed"] == 1
