"""The one class that owns an SSH connection: netmiko, opened, used, closed.

Every dialect runs its commands through :class:`SshSession`; only this module
imports netmiko.  Failures become :class:`AuditUnavailable` with a reason a
county engineer can act on ("authentication failed", "connection refused") —
never the password, which is scrubbed from any text that leaves here.

**No secret in any log**: netmiko logs every byte it reads from the device at
DEBUG — a running-config with its passwords and SNMP communities — so its logger
is held at WARNING whatever the process's log level, and no session log is kept.

**Host keys are pinned** (trust on first use): the first key a device shows is
recorded in an OpenSSH known_hosts file (``PDCS_SSH_KNOWN_HOSTS``, default
``var/ssh_known_hosts``); afterwards paramiko refuses a different key *before*
authenticating, so a man in the middle never sees the audit password, and the
audit says so (its rules ``unknown`` with the reason, logged as an error).
To accept a new key after replacing a device, remove the old one —
``ssh-keygen -R "[HOST]:PORT" -f var/ssh_known_hosts`` — and the next audit
records the new key.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from pydantic import SecretStr

# netmiko's DEBUG lines carry what the device sends (configurations with their secrets): never log them.
logging.getLogger("netmiko").setLevel(logging.WARNING)
log = logging.getLogger(__name__)

DEFAULT_KNOWN_HOSTS = Path("var/ssh_known_hosts")
_known_hosts_lock = threading.Lock()


def known_hosts_file() -> Path:
    """Where pinned host keys are kept (``PDCS_SSH_KNOWN_HOSTS``), created empty (mode 600) if missing."""
    path = Path(os.environ.get("PDCS_SSH_KNOWN_HOSTS") or DEFAULT_KNOWN_HOSTS)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
    return path


def _pin(client: Any, host: str, port: int, path: Path) -> None:
    """Record the key the server showed, if the file does not have it yet (merged under a lock)."""
    key = client.get_transport().get_remote_server_key()
    name = host if port == 22 else f"[{host}]:{port}"
    with _known_hosts_lock:
        from paramiko.hostkeys import HostKeys

        keys = HostKeys(str(path))
        if keys.lookup(name) is None:
            keys.add(name, key.get_name(), key)
            keys.save(str(path))
            log.info("SSH host key of %s pinned on first use: %s %s", name, key.get_name(), _fingerprint(key))


def _fingerprint(key: Any) -> str:
    import base64
    import hashlib

    return "SHA256:" + base64.b64encode(hashlib.sha256(key.asbytes()).digest()).decode().rstrip("=")


class AuditUnavailable(Exception):
    """The device could not be audited (unreachable, refused, bad credentials, timed out)."""


@dataclass(frozen=True)
class Credentials:
    username: str
    password: SecretStr | None = None
    key_file: str | None = None
    secret: SecretStr | None = None  # enable secret (Cisco)

    def scrub(self, text: str) -> str:
        for s in (self.password, self.secret):
            if s is not None and s.get_secret_value():
                text = text.replace(s.get_secret_value(), "**********")
        return text


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    device_type: str  # netmiko's name: cisco_ios, huawei, hp_comware, linux
    timeout_s: float = 15.0


class SshSession:
    """``with SshSession(endpoint, creds) as s: s.run("show running-config")``."""

    def __init__(self, endpoint: Endpoint, creds: Credentials) -> None:
        self.endpoint = endpoint
        self.creds = creds
        self._conn: Any = None

    def __enter__(self) -> SshSession:
        from netmiko import ConnectHandler

        ep, cr = self.endpoint, self.creds
        params: dict[str, Any] = {
            "device_type": ep.device_type,
            "host": ep.host,
            "port": ep.port,
            "username": cr.username,
            "conn_timeout": ep.timeout_s,
            "auth_timeout": ep.timeout_s,
            "banner_timeout": ep.timeout_s,
            "timeout": ep.timeout_s,
            "fast_cli": True,
            # Not the auditing host's known_hosts or agent: pdcs's own pinned keys (trust on first use —
            # an unknown key is accepted and recorded, a changed one refused before authentication).
            "allow_agent": False,
            "ssh_strict": False,
            "system_host_keys": False,
            "alt_host_keys": True,
            "alt_key_file": str(known_hosts_file()),
        }
        if cr.password is not None:
            params["password"] = cr.password.get_secret_value()
        if cr.key_file:
            params["use_keys"] = True
            params["key_file"] = cr.key_file
        wants_enable = cr.secret is not None and bool(cr.secret.get_secret_value())
        if wants_enable:
            assert cr.secret is not None
            params["secret"] = cr.secret.get_secret_value()
        try:
            self._conn = ConnectHandler(**params)
            _pin(self._conn.remote_conn_pre, ep.host, ep.port, Path(params["alt_key_file"]))
            if wants_enable and not self._conn.check_enable_mode():
                self._conn.enable()
        except Exception as exc:
            self.close()
            raise AuditUnavailable(self.reason(exc)) from None
        return self

    def run(self, command: str, read_timeout: float | None = None) -> str:
        try:
            out = self._conn.send_command(command, read_timeout=read_timeout or max(self.endpoint.timeout_s, 10.0))
        except Exception as exc:
            raise AuditUnavailable(self.reason(exc, during=command)) from None
        return str(out)

    def close(self) -> None:
        if self._conn is not None:
            # The session is over either way; a failed goodbye is not the device's fault.
            with contextlib.suppress(Exception):
                self._conn.disconnect()
            self._conn = None

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def reason(self, exc: BaseException, during: str | None = None) -> str:
        """A short, password-free reason for an audit that could not run."""
        from netmiko import NetmikoAuthenticationException, NetmikoTimeoutException, ReadTimeout
        from paramiko.ssh_exception import BadHostKeyException

        where = f"{self.endpoint.host}:{self.endpoint.port}"
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, BadHostKeyException):  # netmiko wraps it
            cause = cause.__cause__ or cause.__context__
        if isinstance(cause, BadHostKeyException):
            name = self.endpoint.host if self.endpoint.port == 22 else f"[{self.endpoint.host}]:{self.endpoint.port}"
            text = (
                f"host key of {where} changed ({_fingerprint(cause.key)}; pinned {_fingerprint(cause.expected_key)}): "
                "refused before authentication, possible man in the middle; if the device was replaced, "
                f'accept the new key: ssh-keygen -R "{name}" -f {known_hosts_file()}'
            )
            log.error("SSH audit of %s refused: %s", where, text)
        elif isinstance(exc, NetmikoAuthenticationException):
            text = f"authentication failed for user {self.creds.username} at {where}"
        elif isinstance(exc, ReadTimeout):
            text = f"no answer to {during or 'a command'} from {where} within the read timeout"
        elif isinstance(exc, NetmikoTimeoutException):
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else "timed out"
            text = f"cannot reach {where}: {first}"
        elif isinstance(exc, ConnectionRefusedError):
            text = f"connection refused by {where}"
        elif isinstance(exc, socket.timeout | TimeoutError):
            text = f"timed out talking to {where}"
        elif isinstance(exc, ValueError) and "enable" in str(exc).lower():
            text = f"enable (privileged mode) refused at {where}: check the enable secret"
        else:
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            text = f"SSH session with {where} failed: {type(exc).__name__}" + (f": {detail}" if detail else "")
        return self.creds.scrub(text)[:300]
