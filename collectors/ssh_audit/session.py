"""The one class that owns an SSH connection: netmiko, opened, used, closed.

Every dialect runs its commands through :class:`SshSession`; only this module
imports netmiko.  Failures become :class:`AuditUnavailable` with a reason a
county engineer can act on ("authentication failed", "connection refused") —
never the password, which is scrubbed from any text that leaves here.
"""

from __future__ import annotations

import contextlib
import socket
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from pydantic import SecretStr


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
            # Audits must not depend on the auditing host's known_hosts or agent.
            "allow_agent": False,
            "ssh_strict": False,
            "system_host_keys": False,
            "alt_host_keys": False,
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

        where = f"{self.endpoint.host}:{self.endpoint.port}"
        if isinstance(exc, NetmikoAuthenticationException):
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
