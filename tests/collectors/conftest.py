"""Inventories built in code around the real test servers (snmpd, snmpsim)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from collectors.base import Target
from devstack.snmpd import SnmpdServer
from inventory.models import Device, Facility, FacilityKind, Inventory, Region, SecretRef, SnmpProfile

COUNTY = "510121"  # 金堂县, 成都市, 四川省


def make_inventory(
    base: Path,
    devices: list[dict[str, Any]],
    profiles: list[SnmpProfile],
    secrets: dict[str, str],
) -> Inventory:
    """An inventory with one facility per county used; secrets in ``base/secrets.yaml``."""
    (base / "secrets.yaml").write_text(yaml.safe_dump(secrets), encoding="utf-8")
    counties = sorted({d.pop("county", COUNTY) for d in devices} | {COUNTY})
    regions = {"51": Region(code="51", name="四川省"), "5101": Region(code="5101", name="成都市")}
    facilities = {}
    for c in counties:
        regions[c] = Region(code=c, name=f"县{c}")
        facilities[f"lib-{c}"] = Facility(id=f"lib-{c}", name=f"{c}图书馆", kind=FacilityKind.PUBLIC_LIBRARY, county=c)
    devs = {}
    for d in devices:
        d.setdefault("facility", f"lib-{COUNTY}")
        d.setdefault("kind", "switch")
        devs[d["id"]] = Device(**d)
    return Inventory(
        regions=regions,
        facilities=facilities,
        devices=devs,
        snmp_profiles={p.name: p for p in profiles},
        base_dir=base,
    )


def secret(key: str) -> SecretRef:
    return SecretRef(file="secrets.yaml", key=key)


def v2c_profile(name: str = "v2c", **kw: Any) -> SnmpProfile:
    return SnmpProfile(name=name, version="2c", community=secret(kw.pop("key", "community")), **kw)


def v3_profile(snmpd: SnmpdServer, name: str = "v3", **kw: Any) -> SnmpProfile:
    return SnmpProfile(
        name=name,
        version="3",
        user=kw.pop("user", snmpd.v3_user),
        auth_protocol=kw.pop("auth_protocol", "SHA"),
        auth_key=secret("auth"),
        priv_protocol=kw.pop("priv_protocol", "AES"),
        priv_key=secret("priv"),
        **kw,
    )


def snmpd_secrets(snmpd: SnmpdServer) -> dict[str, str]:
    return {"community": snmpd.community, "auth": snmpd.v3_auth_key, "priv": snmpd.v3_priv_key, "wrong": "nope"}


def target(inv: Inventory, device_id: str) -> Target:
    return Target.of(inv, inv.devices[device_id])


@pytest.fixture
def lab(tmp_path: Path, snmpd: SnmpdServer) -> Inventory:
    """snmpd as a v2c switch and a v3 switch, a wrong-community device and a dead one."""
    dead_port = 9  # discard: nothing answers SNMP on udp/9 of loopback
    return make_inventory(
        tmp_path,
        [
            {"id": "sw-v2c", "address": snmpd.address, "snmp_profile": "v2c", "uplink_interface": "lo"},
            {"id": "sw-v3", "address": snmpd.address, "snmp_profile": "v3"},
            {"id": "sw-wrong", "address": snmpd.address, "snmp_profile": "wrong"},
            {"id": "sw-dead", "address": f"127.0.0.1:{dead_port}", "snmp_profile": "v2c"},
        ],
        [
            v2c_profile(timeout_s=0.5),
            v3_profile(snmpd, timeout_s=0.5),
            v2c_profile("wrong", key="wrong", timeout_s=0.3, retries=0),
        ],
        snmpd_secrets(snmpd),
    )
