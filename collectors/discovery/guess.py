"""Vendor and device kind from sysObjectID (IANA private enterprise numbers) and sysDescr.

Enterprise numbers from the IANA registry (https://www.iana.org/assignments/enterprise-numbers):
9 Cisco, 2011 Huawei (2011.10 the Huawei-3Com arc, H3C), 25506 H3C, 4881 Ruijie,
14823 Aruba, 14179 Airespace (Cisco WLC), 25053 Ruckus, 41112 Ubiquiti, 15983 Meru,
3902 ZTE, 8072 net-snmp (Linux/Unix hosts), 311 Microsoft, 11 HP, 2636 Juniper, 35047 Sangfor.
The kind is a guess for review: a controller or AP when the description says so,
a server for net-snmp/Windows agents, otherwise a switch/router for network vendors.
"""

from __future__ import annotations

import re

from collectors.snmp.vendors import profile_for
from inventory.models import DeviceKind

ENTERPRISES = {
    "9": "cisco", "2011": "huawei", "25506": "h3c", "4881": "ruijie", "14823": "aruba", "14179": "cisco",
    "25053": "ruckus", "41112": "ubiquiti", "15983": "meru", "3902": "zte", "8072": "net-snmp", "311": "microsoft",
    "11": "hp", "2636": "juniper", "35047": "sangfor",
}  # fmt: skip
_CONTROLLER = re.compile(r"wireless\s*(lan\s*)?controller|\bWLC\b|\bAC\d|access controller|\bWX\d|smartzone|SCG", re.I)
_AP = re.compile(r"access point|\bAP\d|\bWA\d|\bUAP\b|airmax|\bAP\b", re.I)
_HOST = re.compile(r"linux|windows|freebsd|ubuntu|debian|centos|kylin|uos", re.I)


def vendor_of(sys_object_id: str) -> str | None:
    oid = sys_object_id.lstrip(".")
    if not oid.startswith("1.3.6.1.4.1."):
        return None
    rest = oid[len("1.3.6.1.4.1.") :].split(".")
    if rest[:2] == ["2011", "10"]:
        return "h3c"
    return ENTERPRISES.get(rest[0])


def kind_of(sys_object_id: str, sys_descr: str) -> DeviceKind:
    vendor = vendor_of(sys_object_id)
    if _CONTROLLER.search(sys_descr):
        return DeviceKind.WIRELESS_CONTROLLER
    if _AP.search(sys_descr) and vendor not in ("net-snmp", "microsoft"):
        return DeviceKind.WIRELESS_AP
    if vendor in ("net-snmp", "microsoft") or (vendor is None and _HOST.search(sys_descr)):
        return DeviceKind.SERVER
    profile = profile_for(sys_object_id)
    if profile is not None and profile.name in ("ruckus", "meru"):
        return DeviceKind.WIRELESS_CONTROLLER
    return DeviceKind.SWITCH
