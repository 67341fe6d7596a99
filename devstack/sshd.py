"""A private OpenSSH daemon (Debian ``openssh-server``) on a free loopback port.

It has its own configuration, host key, pid file and log under ``base`` and
listens on 127.0.0.1 only, so it never touches the machine's own sshd.
Password and key logins work without PAM (``UsePAM no``); sshd must run as
root for password checks against ``/etc/shadow``.  :func:`temporary_user`
creates a throw-away local account for a test (root only) and removes it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from devstack.procs import Managed, free_port, require


@dataclass
class SshdServer:
    host: str
    port: int
    process: Managed

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def answers(self) -> bool:
        with socket.create_connection((self.host, self.port), timeout=1.0) as s:
            return s.recv(64).startswith(b"SSH-")

    def stop(self) -> None:
        self.process.stop()


def start_sshd(base: Path, *, port: int | None = None, allow_users: tuple[str, ...] = ()) -> SshdServer:
    base.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    key = base / "ssh_host_ed25519_key"
    if not key.exists():
        subprocess.run(
            [require("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-f", str(key)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    allow = f"AllowUsers {' '.join(allow_users)}\n" if allow_users else ""
    conf = base / "sshd_config"
    conf.write_text(
        f"""ListenAddress 127.0.0.1
Port {port}
HostKey {key}
PidFile {base / "sshd.pid"}
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
StrictModes no
MaxStartups 100:30:200
LogLevel INFO
{allow}""",
        encoding="utf-8",
    )
    Path("/run/sshd").mkdir(parents=True, exist_ok=True)  # privilege-separation directory sshd insists on
    proc = Managed("sshd", [require("sshd"), "-D", "-f", str(conf), "-E", str(base / "sshd.log")], base / "sshd.out")
    proc.start()
    server = SshdServer("127.0.0.1", port, proc)
    proc.wait_ready(server.answers, 15)
    return server


@contextlib.contextmanager
def temporary_user(prefix: str = "pdcsaudit") -> Iterator[tuple[str, str]]:
    """(name, password) of a fresh local account, deleted afterwards.  Needs root."""
    if os.geteuid() != 0:
        raise PermissionError("creating a temporary local user needs root")
    name = f"{prefix}{secrets.token_hex(3)}"
    password = secrets.token_urlsafe(12)
    subprocess.run([require("useradd"), "-M", "-d", "/tmp", "-s", "/bin/sh", name], check=True)
    try:
        subprocess.run([require("chpasswd")], input=f"{name}:{password}\n".encode(), check=True)
        yield name, password
    finally:
        subprocess.run([require("userdel"), "-f", name], check=False, stderr=subprocess.DEVNULL)
