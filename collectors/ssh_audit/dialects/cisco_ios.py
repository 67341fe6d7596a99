"""Cisco IOS / IOS-XE: ``show running-config`` parsed as IOS (``!`` comments)."""

from __future__ import annotations

from collectors.ssh_audit.dialect import DialectDriver

DRIVER = DialectDriver(
    name="cisco_ios",
    netmiko_type="cisco_ios",
    sources={"config": "show running-config"},
    comment="!",
    noise=(r"Building configuration", r"Current configuration\s*:"),
)
