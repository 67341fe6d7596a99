"""The inventory of the local platform: example facilities, simulated devices.

Regions and facilities are copied from ``inventory/examples``; every device is
replaced by a simulator on loopback (net-snmp for a live switch, snmpsim
recordings of real switches and wireless controllers, and one address where
nothing answers, so the dashboards show a device that is down).  Secrets go
to ``dev-secrets.yaml`` beside (not inside) the inventory folder, readable by
its owner only; the inventory names them by reference.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import yaml

from devstack.fake_ios import FakeIosServer
from devstack.procs import free_udp_port
from devstack.snmpd import SnmpdServer
from devstack.snmpsim import SnmpsimServer

# (recording, device kind, preferred facility kind, vendor)
_RECORDINGS: list[tuple[str, str, str, str]] = [
    ("network/wifi/aruba-7210", "wireless_controller", "public_library", "aruba"),
    ("network/wifi/ubiquiti-m5", "wireless_ap", "public_library", "ubiquiti"),
    ("network/switch/cisco-c3560", "switch", "cultural_centre", "cisco"),
    ("network/wifi/aruba-7010", "wireless_controller", "cultural_centre", "aruba"),
    ("network/switch/ruijie-s5750-24gt12sfp", "switch", "township_centre", "ruijie"),
    ("network/switch/h3c-e528-2", "switch", "township_centre", "h3c"),
    ("network/router/huawei-s5720", "switch", "township_centre", "huawei"),
    ("network/appliance/meru-networks-controller", "wireless_controller", "township_centre", "meru"),
]
_KEEP_SECTIONS = ("regions", "facilities")


def _copy_facilities(examples: Path, dest: Path) -> None:
    """Copy regions and facilities (YAML sections and CSV registers), leaving devices and profiles out."""
    for src in sorted(examples.rglob("*")):
        rel = src.relative_to(examples)
        if src.suffix in (".yaml", ".yml"):
            data = yaml.safe_load(src.read_text(encoding="utf-8")) or {}
            if not isinstance(data, dict):
                continue
            kept = {k: v for k, v in data.items() if k in _KEEP_SECTIONS}
            if kept:
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                (dest / rel).write_text(yaml.safe_dump(kept, allow_unicode=True, sort_keys=False), encoding="utf-8")
        elif src.suffix == ".csv":
            with src.open(encoding="utf-8-sig", newline="") as fh:
                rows = list(csv.DictReader(fh))
            if rows and "facility" not in rows[0] and "county" in rows[0]:
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest / rel)


def _declare_service_url(dest: Path, facility: str, url: str) -> None:
    """Set ``attributes.service_url`` of a facility of the copied YAML files (a CSV register's is left alone)."""
    for path in sorted(dest.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for fac in data.get("facilities") or []:
            if isinstance(fac, dict) and fac.get("id") == facility:
                fac.setdefault("attributes", {})["service_url"] = url
                path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
                return


def write_dev_inventory(
    examples: Path,
    dest: Path,
    snmpd: SnmpdServer,
    sim: SnmpsimServer,
    *,
    interval_s: float = 15.0,
    ios: FakeIosServer | None = None,
    exporters: dict[str, str] | None = None,
    communities: dict[str, str] | None = None,
    service_url: str | None = None,
) -> Path:
    """``communities``: recordings served under another community (the Wi-Fi day copies of
    ``devstack/wifi_day.py``: ``day/<recording>``); the others under their own path.  ``service_url``:
    declared as the public library's digital service (``attributes.service_url``), so the collector
    probes it and the assessment's digital-library indicator is measured."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    _copy_facilities(examples, dest)
    # Read the copy back through the loader: it knows the Chinese kind names of CSV registers.
    from inventory.load import read_inventory

    facilities = read_inventory(dest)[0].facilities.values()
    if not facilities:
        raise RuntimeError(f"no facilities found in {examples}")
    by_kind: dict[str, list[str]] = {}
    for f in facilities:
        by_kind.setdefault(f.kind.value, []).append(f.id)
    all_ids = [f.id for f in facilities]

    def facility_for(kind: str, n: int) -> str:
        ids = by_kind.get(kind) or all_ids
        return ids[n % len(ids)]

    secret_values: dict[str, str] = {
        "snmpd_community": snmpd.community,
        "snmpd_v3_auth": snmpd.v3_auth_key,
        "snmpd_v3_priv": snmpd.v3_priv_key,
    }
    profiles: list[dict[str, Any]] = [
        {
            "name": "sim-snmpd-v2c",
            "version": "2c",
            "community": {"file": "../dev-secrets.yaml", "key": "snmpd_community"},
            "interval_s": interval_s,
        },
        {
            "name": "sim-snmpd-v3",
            "version": "3",
            "user": snmpd.v3_user,
            "auth_protocol": "SHA",
            "auth_key": {"file": "../dev-secrets.yaml", "key": "snmpd_v3_auth"},
            "priv_protocol": "AES",
            "priv_key": {"file": "../dev-secrets.yaml", "key": "snmpd_v3_priv"},
            "interval_s": interval_s,
        },
    ]
    lib = facility_for("public_library", 0)
    if service_url:
        _declare_service_url(dest, lib, service_url)
    devices: list[dict[str, Any]] = [
        {
            "id": "sim-lib-core-sw",
            "name": "图书馆核心交换机 (net-snmp v2c)",
            "kind": "switch",
            "facility": lib,
            "address": snmpd.address,
            "snmp_profile": "sim-snmpd-v2c",
            "uplink_interface": "eth0",
        },
        {
            "id": "sim-cc-core-sw",
            "name": "文化馆核心交换机 (net-snmp v3)",
            "kind": "switch",
            "facility": facility_for("cultural_centre", 0),
            "address": snmpd.address,
            "snmp_profile": "sim-snmpd-v3",
        },
    ]
    counters: dict[str, int] = {}
    for rec, kind, fac_kind, vendor in _RECORDINGS:
        if rec not in sim.recordings:
            continue
        n = counters[fac_kind] = counters.get(fac_kind, -1) + 1
        key = rec.rsplit("/", 1)[1]
        secret_values[key] = (communities or {}).get(rec, rec)  # snmpsim's community is the recording's path
        profiles.append(
            {
                "name": f"sim-{key}",
                "version": "2c",
                "community": {"file": "../dev-secrets.yaml", "key": key},
                "interval_s": interval_s,
                "timeout_s": 5.0,
            }
        )
        devices.append(
            {
                "id": f"sim-{key}",
                "name": f"{key} (snmpsim recording)",
                "kind": kind,
                "facility": facility_for(fac_kind, n),
                "address": sim.address,
                "snmp_profile": f"sim-{key}",
                "vendor": vendor,
            }
        )
    # Nothing listens here: a device that is down, as every real network has. It sits in the public
    # library, the facility open longest (to 20:30 Tue-Fri), because device_down fires only in opening hours.
    devices.append(
        {
            "id": "sim-offline-ap",
            "name": "离线无线接入点 (no simulator)",
            "kind": "wireless_ap",
            "facility": facility_for("public_library", 0),
            "address": f"127.0.0.1:{free_udp_port()}",
            "snmp_profile": "sim-snmpd-v2c",
        }
    )
    ssh_profiles: list[dict[str, Any]] = []
    if ios is not None:  # simulated IOS switches for the SSH audits: one compliant, one not
        first = next(iter(ios.devices.values()))
        secret_values["ios_password"] = first.password
        secret_values["ios_enable"] = first.enable
        ssh_profiles.append(
            {
                "name": "sim-ios-audit",
                "username": first.username,
                "password": {"file": "../dev-secrets.yaml", "key": "ios_password"},
                "secret": {"file": "../dev-secrets.yaml", "key": "ios_enable"},
                "timeout_s": 10.0,
                "device_type": "cisco_ios",
            }
        )
        for n, name in enumerate(ios.devices):
            devices.append(
                {
                    "id": name,
                    "name": f"{name} (fake-switches IOS over SSH)",
                    "kind": "switch",
                    "facility": facility_for("public_library", 0) if n == 0 else facility_for("township_centre", n),
                    "address": ios.address(name),
                    "ssh_profile": "sim-ios-audit",
                    "vendor": "cisco",
                    "uplink_interface": "Vlan100",  # the seeds' routed uplink (devstack/ios_configs)
                }
            )
    # Scraped over HTTP: a real pdcs-agent as a reading-room terminal, node_exporter as the server.
    for n, (kind, url) in enumerate(sorted((exporters or {}).items())):
        devices.append(
            {
                "id": f"sim-{kind.replace('_', '-')}",
                "name": f"{'电子阅览终端 (pdcs-agent)' if kind == 'e_reading_terminal' else '服务器 (node_exporter)'}",
                "kind": kind,
                "facility": facility_for("public_library", n),
                "agent_url": url,
            }
        )
    secrets_file = dest.parent / "dev-secrets.yaml"
    secrets_file.write_text(yaml.safe_dump(secret_values, allow_unicode=True), encoding="utf-8")
    secrets_file.chmod(0o600)
    (dest / "simulated-devices.yaml").write_text(
        yaml.safe_dump(
            {"snmp_profiles": profiles, **({"ssh_profiles": ssh_profiles} if ssh_profiles else {}), "devices": devices},
            allow_unicode=True,
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    return dest
