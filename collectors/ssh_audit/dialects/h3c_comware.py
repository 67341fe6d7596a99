"""H3C Comware 5/7: ``display current-configuration``; ``#`` separates sections."""

from __future__ import annotations

from collectors.ssh_audit.dialect import DialectDriver

DRIVER = DialectDriver(
    name="h3c_comware",
    netmiko_type="hp_comware",
    sources={"config": "display current-configuration"},
    comment="#",
    outdent_globals=True,
    noise=(r"^return$",),
)
