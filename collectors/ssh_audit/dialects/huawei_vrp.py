"""Huawei VRP (V200R0xx, VRP8): ``display current-configuration``; ``#`` separates sections."""

from __future__ import annotations

from collectors.ssh_audit.dialect import DialectDriver

DRIVER = DialectDriver(
    name="huawei_vrp",
    netmiko_type="huawei",
    sources={"config": "display current-configuration"},
    comment="#",
    outdent_globals=True,
    noise=(r"!Software Version", r"!Last configuration was", r"^return$"),
)
