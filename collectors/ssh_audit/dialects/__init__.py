"""One module per CLI dialect; each pairs with ``baselines/<name>.yaml``."""

from __future__ import annotations

from collectors.ssh_audit.dialect import DialectDriver
from collectors.ssh_audit.dialects import cisco_ios, h3c_comware, huawei_vrp, linux, ruijie_rgos

DRIVERS: dict[str, DialectDriver] = {
    d.name: d for d in (cisco_ios.DRIVER, huawei_vrp.DRIVER, h3c_comware.DRIVER, ruijie_rgos.DRIVER, linux.DRIVER)
}

# netmiko device_type names (SshProfile.device_type) and vendor names (Device.vendor) → dialect.
_ALIASES = {
    "cisco_ios": "cisco_ios",
    "cisco_xe": "cisco_ios",
    "cisco": "cisco_ios",
    "huawei": "huawei_vrp",
    "huawei_vrp": "huawei_vrp",
    "huawei_vrpv8": "huawei_vrp",
    "hp_comware": "h3c_comware",
    "h3c": "h3c_comware",
    "h3c_comware": "h3c_comware",
    "ruijie": "ruijie_rgos",
    "ruijie_os": "ruijie_rgos",
    "ruijie_rgos": "ruijie_rgos",
    "linux": "linux",
}


def resolve_dialect(device_type: str | None, vendor: str | None, kind: str) -> str | None:
    """The dialect of a device: the profile's device_type, else its vendor, else Linux for hosts."""
    for name in (device_type, vendor):
        if name and name.strip().lower() in _ALIASES:
            return _ALIASES[name.strip().lower()]
    if kind in ("server", "kiosk", "e_reading_terminal"):
        return "linux"
    return None
