"""Write inventory folders (YAML, as users write them) around the test servers."""

from __future__ import annotations

from pathlib import Path

import yaml

from devstack.snmpd import SnmpdServer

# Environment variables the written profiles name for their secrets.
SECRET_ENV = {
    "PDCS_TEST_COMMUNITY": "community",
    "PDCS_TEST_V3_AUTH": "auth",
    "PDCS_TEST_V3_PRIV": "priv",
}


def secret_env(snmpd: SnmpdServer) -> dict[str, str]:
    return {
        "PDCS_TEST_COMMUNITY": snmpd.community,
        "PDCS_TEST_V3_AUTH": snmpd.v3_auth_key,
        "PDCS_TEST_V3_PRIV": snmpd.v3_priv_key,
    }


def write_inventory(folder: Path, snmpd: SnmpdServer, *, dead: bool = True, timeout_s: float = 0.5) -> Path:
    """Two counties of 成都市: 金堂县 (snmpd as v2c and v3 switches, a dead one) and 大邑县 (one v2c)."""
    folder.mkdir(parents=True, exist_ok=True)
    regions = [
        {"code": "51", "name": "四川省"},
        {"code": "5101", "name": "成都市", "parent": "51"},
        {"code": "510121", "name": "金堂县", "parent": "5101"},
        {"code": "510129", "name": "大邑县", "parent": "5101"},
    ]
    facilities = [
        {"id": "jt-lib", "name": "金堂县图书馆", "kind": "public_library", "county": "510121", "uplink_mbps": 100},
        {"id": "dy-lib", "name": "大邑县图书馆", "kind": "public_library", "county": "510129"},
    ]
    devices = [
        {"id": "jt-sw-v2c", "kind": "switch", "facility": "jt-lib", "address": snmpd.address,
         "snmp_profile": "lab-v2c", "uplink_interface": "lo"},
        {"id": "jt-sw-v3", "kind": "switch", "facility": "jt-lib", "address": snmpd.address,
         "snmp_profile": "lab-v3"},
        {"id": "dy-sw-v2c", "kind": "switch", "facility": "dy-lib", "address": snmpd.address,
         "snmp_profile": "lab-v2c"},
    ]  # fmt: skip
    if dead:
        devices.append(
            {"id": "jt-sw-dead", "kind": "switch", "facility": "jt-lib", "address": "127.0.0.1:9",
             "snmp_profile": "lab-v2c"}
        )  # fmt: skip
    profiles = {
        "snmp_profiles": [
            {"name": "lab-v2c", "version": "2c", "community": {"env": "PDCS_TEST_COMMUNITY"},
             "timeout_s": timeout_s, "retries": 0, "interval_s": 5},
            {"name": "lab-v3", "version": "3", "user": snmpd.v3_user, "auth_protocol": "SHA",
             "auth_key": {"env": "PDCS_TEST_V3_AUTH"}, "priv_protocol": "AES",
             "priv_key": {"env": "PDCS_TEST_V3_PRIV"}, "timeout_s": timeout_s, "retries": 0, "interval_s": 5},
        ]
    }  # fmt: skip
    (folder / "regions.yaml").write_text(yaml.safe_dump({"regions": regions}, allow_unicode=True), encoding="utf-8")
    (folder / "facilities.yaml").write_text(
        yaml.safe_dump({"facilities": facilities}, allow_unicode=True), encoding="utf-8"
    )
    (folder / "devices.yaml").write_text(yaml.safe_dump({"devices": devices}, allow_unicode=True), encoding="utf-8")
    (folder / "profiles.yaml").write_text(yaml.safe_dump(profiles, allow_unicode=True), encoding="utf-8")
    return folder
