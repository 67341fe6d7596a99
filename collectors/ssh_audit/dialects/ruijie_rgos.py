"""Ruijie RGOS (switches, routers, wireless controllers): ``show running-config`` parsed as IOS (``!`` comments).

RGOS follows IOS's configuration language with its own service switches
(``enable service ssh-server``, ``enable service telnet-server``,
``enable service web-server``) and ``logging server`` for remote logging
(Ruijie RGOS configuration guide, "SSH", "Syslog" chapters).  netmiko's type is ``ruijie_os``.
"""

from __future__ import annotations

from collectors.ssh_audit.dialect import DialectDriver

DRIVER = DialectDriver(
    name="ruijie_rgos",
    netmiko_type="ruijie_os",
    sources={"config": "show running-config"},
    comment="!",
    noise=(r"Building configuration", r"Current configuration\s*:"),
)
