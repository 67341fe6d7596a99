"""A private net-snmp agent (Debian ``snmpd``) with a v2c community and a v3 authPriv user.

``users`` adds more SNMPv3 users (other auth/priv protocols and security
levels) for tests of the v3 matrix; net-snmp serves v1 and v2c on the same
community.  ``extra_communities`` makes one agent look like many devices
(one per community) for benchmarks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from devstack.procs import Managed, free_udp_port, require, udp_answers

# A v2c GET of sysUpTime.0 with community "public": readiness probe bytes.
_PROBE_COMMUNITY = b"public"


def _v2c_get_sysuptime(community: bytes) -> bytes:
    oid = bytes([0x06, 0x08, 0x2B, 0x06, 0x01, 0x02, 0x01, 0x01, 0x03, 0x00])
    varbind = bytes([0x30, len(oid) + 2]) + oid + b"\x05\x00"
    vbl = bytes([0x30, len(varbind)]) + varbind
    pdu_body = b"\x02\x01\x01\x02\x01\x00\x02\x01\x00" + vbl
    pdu = bytes([0xA0, len(pdu_body)]) + pdu_body
    msg = b"\x02\x01\x01" + bytes([0x04, len(community)]) + community + pdu
    return bytes([0x30, len(msg)]) + msg


# Protocol names as the inventory spells them -> as snmpd.conf's createUser spells them.
_NETSNMP_PROTO = {
    "MD5": "MD5",
    "SHA": "SHA",
    "SHA224": "SHA-224",
    "SHA256": "SHA-256",
    "SHA384": "SHA-384",
    "SHA512": "SHA-512",
    "DES": "DES",
    "AES": "AES",
    "AES128": "AES",
    "AES192": "AES-192",
    "AES256": "AES-256",
}


@dataclass(frozen=True)
class SnmpdUser:
    """An SNMPv3 user: authNoPriv when ``priv_protocol`` is None."""

    name: str
    auth_protocol: str
    auth_key: str
    priv_protocol: str | None = None
    priv_key: str | None = None

    def conf(self) -> str:
        line = f'createUser {self.name} {_NETSNMP_PROTO[self.auth_protocol]} "{self.auth_key}"'
        if self.priv_protocol:
            line += f' {_NETSNMP_PROTO[self.priv_protocol]} "{self.priv_key}"'
        level = "priv" if self.priv_protocol else "auth"
        return f"{line}\nrouser {self.name} {level}\n"


@dataclass
class SnmpdServer:
    host: str
    port: int
    community: str
    v3_user: str
    v3_auth_key: str
    v3_priv_key: str
    process: Managed

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def answers(self) -> bool:
        return udp_answers(self.host, self.port, _v2c_get_sysuptime(self.community.encode()))

    def stop(self) -> None:
        self.process.stop()

    def start_again(self, timeout_s: float = 15.0) -> None:
        self.process.start()
        self.process.wait_ready(self.answers, timeout_s)


def start_snmpd(
    base: Path,
    *,
    community: str = "public",
    v3_user: str = "labuser",
    v3_auth_key: str = "labAuthPass1",
    v3_priv_key: str = "labPrivPass1",
    sys_name: str = "lab-snmpd",
    port: int | None = None,
    users: tuple[SnmpdUser, ...] = (),
    extra_communities: tuple[str, ...] = (),
) -> SnmpdServer:
    base.mkdir(parents=True, exist_ok=True)
    port = port or free_udp_port()
    conf = base / "snmpd.conf"
    conf.write_text(
        f"""rocommunity {community} 127.0.0.1
createUser {v3_user} SHA "{v3_auth_key}" AES "{v3_priv_key}"
rouser {v3_user} priv
sysName {sys_name}
sysLocation pdcs test lab
sysContact noc@example.org
"""
        + "".join(u.conf() for u in users)
        + "".join(f"rocommunity {c} 127.0.0.1\n" for c in extra_communities),
        encoding="utf-8",
    )
    (base / "persist").mkdir(exist_ok=True)
    proc = Managed(
        "snmpd",
        [
            require("snmpd"),
            "-f",
            "-C",
            "-c",
            str(conf),
            "-Lf",
            str(base / "snmpd.log"),
            "-p",
            str(base / "snmpd.pid"),
            f"udp:127.0.0.1:{port}",
        ],
        base / "snmpd.out",
        env={"SNMP_PERSISTENT_DIR": str(base / "persist")},
    ).start()
    server = SnmpdServer("127.0.0.1", port, community, v3_user, v3_auth_key, v3_priv_key, proc)
    proc.wait_ready(server.answers, 15)
    return server
