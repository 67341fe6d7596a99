"""Inventory: regions (GB/T 2260), facilities, devices and credential profiles.

``inventory.models`` holds the pydantic models; ``inventory.load`` reads a
folder of YAML files and CSV registers into an :class:`Inventory` and reports
every problem as ``file:line: field: message``.
"""

from inventory.models import (
    Device,
    DeviceKind,
    Facility,
    FacilityKind,
    Inventory,
    Region,
    SecretRef,
    SnmpProfile,
    SshProfile,
)

__all__ = [
    "Device",
    "DeviceKind",
    "Facility",
    "FacilityKind",
    "Inventory",
    "Region",
    "SecretRef",
    "SnmpProfile",
    "SshProfile",
]
