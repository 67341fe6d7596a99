"""Vendor profiles chosen from sysObjectID: one module per vendor.

Each module exposes ``PROFILE``: a :class:`~collectors.snmp.vendors.base.VendorProfile`
with the sysObjectID prefixes it serves and an async ``collect`` that reads the
vendor MIB through the device's :class:`~collectors.snmp.client.SnmpClient`
and returns ``wireless`` points (AP counts, clients per AP / radio / SSID) and
``host`` points (CPU and memory of switches and controllers).  A device no
profile matches is read through the standard HOST-RESOURCES-MIB
(:mod:`collectors.snmp.vendors.hostres`).
"""

from __future__ import annotations

from collectors.snmp.vendors import aruba, cisco_wlc, h3c, huawei, ruckus, ruijie, ubiquiti
from collectors.snmp.vendors.base import VendorProfile

PROFILES: tuple[VendorProfile, ...] = (
    cisco_wlc.PROFILE,
    aruba.PROFILE,
    huawei.PROFILE,
    h3c.PROFILE,
    ruijie.PROFILE,
    ruckus.PROFILE,
    ubiquiti.PROFILE,
)


def profile_for(sys_object_id: str) -> VendorProfile | None:
    """The profile whose prefix matches ``sys_object_id`` (longest prefix wins)."""
    oid = sys_object_id.lstrip(".")
    best: tuple[int, VendorProfile] | None = None
    for profile in PROFILES:
        for prefix in profile.prefixes:
            if (oid == prefix or oid.startswith(prefix + ".")) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), profile)
    return best[1] if best else None
