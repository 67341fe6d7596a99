"""What a security check is, what it returns, and what it may touch.

A check is a pair of small functions (one per platform family) that look at
the host through a :class:`Context`: a filesystem root and a command runner,
both injectable, so tests point a check at seeded files or recorded command
output while production uses ``/`` and real commands.  A check returns an
:class:`Outcome` (status and evidence); the scheduler adds the identity
(MLPS 2.0 item and level, severity) and turns any exception into ``unknown``.
"""

from __future__ import annotations

import locale
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

Status = Literal["pass", "fail", "unknown"]
Severity = Literal["low", "medium", "high", "critical"]
STATUS_VALUE: dict[str, int] = {"pass": 1, "fail": 0, "unknown": -1}


class Outcome(NamedTuple):
    status: Status
    detail: str


def passed(detail: str) -> Outcome:
    return Outcome("pass", detail)


def failed(detail: str) -> Outcome:
    return Outcome("fail", detail)


def unknown(detail: str) -> Outcome:
    return Outcome("unknown", detail)


class CommandResult(NamedTuple):
    rc: int
    stdout: str
    stderr: str


class CommandMissing(Exception):
    """The command is not installed on this host."""


Runner = Callable[[Sequence[str], float], CommandResult]


def decode_console(data: bytes) -> str:
    """Command output as text: UTF-8, else the console code page (GBK on Chinese Windows)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    enc = "oem" if sys.platform == "win32" else (locale.getpreferredencoding(False) or "gbk")
    try:
        return data.decode(enc)
    except (UnicodeDecodeError, LookupError):
        return data.decode("gbk", errors="replace")


def run_command(argv: Sequence[str], timeout_s: float) -> CommandResult:
    """Run a command without a shell; English messages where the OS honours LC_ALL."""
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"} if sys.platform != "win32" else None
    try:
        proc = subprocess.run(
            list(argv), capture_output=True, timeout=timeout_s, env=env, stdin=subprocess.DEVNULL, check=False
        )
    except FileNotFoundError:
        raise CommandMissing(f"{argv[0]} not installed") from None
    return CommandResult(proc.returncode, decode_console(proc.stdout), decode_console(proc.stderr))


@dataclass(frozen=True)
class Context:
    """Everything a check may look at; defaults are the real host."""

    root: Path = Path("/")
    run: Runner = run_command
    now: Callable[[], float] = time.time
    params: Mapping[str, Any] = field(default_factory=dict)
    command_timeout_s: float = 60.0

    def path(self, p: str) -> Path:
        return self.root / p.lstrip("/")

    def read(self, p: str) -> str | None:
        """Text of a file under the root, or None when it is missing or unreadable."""
        try:
            return self.path(p).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None

    def cmd(self, *argv: str, timeout_s: float | None = None) -> CommandResult:
        return self.run(argv, timeout_s or self.command_timeout_s)

    def param(self, name: str, default: Any) -> Any:
        return self.params.get(name, default)


CheckFn = Callable[[Context], Outcome]


@dataclass(frozen=True)
class Check:
    """One security check: identity, MLPS 2.0 mapping and its platform implementations."""

    id: str
    title: str
    title_zh: str
    # MLPS (GB/T 22239-2019) requirement item per protection level: {"2": "7.1.4.1", "3": "8.1.4.1"}.
    mlps: Mapping[str, str]
    severity: Severity
    linux: CheckFn | None = None
    windows: CheckFn | None = None

    def for_platform(self, platform: str) -> CheckFn | None:
        return self.windows if platform == "windows" else self.linux

    def mlps_item(self, level: str) -> str:
        return self.mlps.get(level) or next(iter(self.mlps.values()))


class CheckResult(NamedTuple):
    check: str
    status: Status
    detail: str
    mlps_item: str
    mlps_level: str
    severity: Severity
    checked_at: float  # unix seconds
    duration_s: float

    @property
    def value(self) -> int:
        return STATUS_VALUE[self.status]

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()


def host_platform() -> str:
    return "windows" if sys.platform == "win32" else "linux"


def parse_kv(text: str, sep: str | None = None) -> dict[str, str]:
    """``KEY value`` / ``key = value`` lines (comments dropped); later lines win."""
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if sep is not None:
            if sep not in line:
                continue
            k, v = line.split(sep, 1)
        else:
            parts = line.split(None, 1)
            if len(parts) != 2:
                continue
            k, v = parts
        out[k.strip()] = v.strip().strip('"')
    return out


def process_names(ctx: Context) -> set[str]:
    """Names (``comm``) of running processes from ``<root>/proc`` (Linux)."""
    names: set[str] = set()
    proc = ctx.path("/proc")
    try:
        entries = list(os.scandir(proc))
    except OSError:
        return names
    for e in entries:
        if e.name.isdigit():
            try:
                names.add((proc / e.name / "comm").read_text().strip())
            except OSError:
                continue
    return names
