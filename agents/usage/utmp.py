"""Linux sessions from the login records the system itself writes: wtmp (history) and utmp (now).

``login``, ``sshd``, display managers and ``xrdp`` append a ``USER_PROCESS``
record to wtmp at log-on and a ``DEAD_PROCESS`` record on the same line at
log-off (utmp(5)); a boot or shutdown record ends every session still open,
as ``last`` reads them.  A log-on without its log-off is open only while its
process lives (a stale utmp entry of a crashed session is not a session in
use); one whose process is gone without a record is left out — its end is
unknown.  The record layout is glibc's ``struct utmp`` on 64-bit Linux
(384 bytes, 32-bit time), see utmp(5) and ``bits/utmp.h``.  User and host
names are read only to tell seats apart and never kept.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

from agents.usage.idle import IdleTracker, LogindIdle, tty_last_input
from agents.usage.sessions import Session

_FMT = struct.Struct("<h2xi32s4s32s256shhiii16s20s")
RECORD_SIZE = _FMT.size  # 384
RUN_LVL, BOOT_TIME, USER_PROCESS, DEAD_PROCESS = 1, 2, 7, 8
WTMP = Path("/var/log/wtmp")
UTMP = Path("/run/utmp")
SAME_LOGON_S = 5.0


class Record(NamedTuple):
    type: int
    pid: int
    line: str
    shutdown: bool  # a RUN_LVL record written at shutdown
    host: str
    time: float


def _text(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("utf-8", errors="replace")


def read_records(path: Path) -> Iterator[Record]:
    """The records of a utmp/wtmp file in file order; a truncated last record is ignored."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return
    for off in range(0, len(data) - RECORD_SIZE + 1, RECORD_SIZE):
        typ, pid, line, _id, user, host, _t, _e, _sess, sec, usec, _addr, _ = _FMT.unpack_from(data, off)
        yield Record(typ, pid, _text(line), _text(user) == "shutdown", _text(host), sec + usec / 1e6)


def seat_of(line: str, host: str) -> str:
    """The seat kind of a log-in line: display, console, remote desktop or SSH."""
    local_display = not host or host.startswith(":")
    if line.startswith(":"):
        return "graphical" if local_display else "remote"
    if line.startswith("pts/"):
        if not host:
            return "console"
        return "graphical" if host.startswith(":") else "ssh"
    return "graphical" if host.startswith(":") else "console"


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sessions_on_lines(records: list[Record], alive: Callable[[int], bool] = pid_alive) -> list[tuple[Session, str]]:
    """Pair log-ons with log-offs line by line (see the module text): (session, its line)."""
    out: list[tuple[Session, str]] = []
    open_: dict[str, tuple[float, int, str]] = {}

    def end(line: str, at: float) -> None:
        start, _, seat = open_.pop(line)
        out.append((Session(seat, start, max(start, at)), line))

    for r in records:
        if r.type == USER_PROCESS and r.line:
            if r.line in open_:  # a new log-on on the same line: the previous one is gone
                end(r.line, r.time)
            open_[r.line] = (r.time, r.pid, seat_of(r.line, r.host))
        elif r.type == DEAD_PROCESS and r.line in open_:
            end(r.line, r.time)
        elif r.type == BOOT_TIME or (r.type == RUN_LVL and r.shutdown):
            for line in list(open_):
                end(line, r.time)
    for line, (start, pid, seat) in open_.items():
        if alive(pid):
            out.append((Session(seat, start, None), line))
    return sorted(out, key=lambda p: p[0].start)


def sessions_from(records: list[Record], alive: Callable[[int], bool] = pid_alive) -> list[Session]:
    return [s for s, _ in sessions_on_lines(records, alive)]


def linux_sessions(
    wtmp: Path = WTMP,
    utmp: Path = UTMP,
    alive: Callable[[int], bool] = pid_alive,
    idle: IdleTracker | None = None,
    last_input: Callable[[str], float | None] = tty_last_input,
    logind: Callable[[], dict[str, LogindIdle]] | None = None,
) -> Callable[[float], list[Session]]:
    """A session source reading wtmp (and utmp for log-ons that wtmp lacks).

    With ``idle``, every read is also a sight of the open sessions' idle state
    (agents/usage/idle.py): the tty's last input for text seats, logind's hint
    for displays (``logind``: a reader of ``loginctl``, None where there is none).
    """

    def source(now: float) -> list[Session]:
        records = list(read_records(wtmp))
        logons = [(r.line, r.time) for r in records if r.type == USER_PROCESS]
        # utmp entries of live sessions wtmp does not have (wtmp rotated, or not written).  The same log-on
        # in both files may differ in pid and by milliseconds (login writes utmp from its child), so
        # "the same" is the same line within SAME_LOGON_S.
        extra = [
            r
            for r in read_records(utmp)
            if r.type == USER_PROCESS and not any(ln == r.line and abs(t - r.time) <= SAME_LOGON_S for ln, t in logons)
        ]
        found = sessions_on_lines(sorted(extra + records, key=lambda r: r.time), alive)
        if idle is None:
            return [s for s, _ in found]
        hints = logind() if logind is not None and any(s.end is None and ln.startswith(":") for s, ln in found) else {}
        out = []
        for s, line in found:
            key = (line, round(s.start, 3))
            if s.end is None:
                hint = hints.get(line) if line.startswith(":") else None
                if hint is not None:
                    idle.observe(key, s.start, now, hint.since, hint.idle, confirmed=hint.since is not None)
                else:
                    t = last_input(line)
                    if t is not None:
                        idle.observe(key, s.start, now, t)
            out.append(s._replace(idle=idle.stretches(key, s.end)))
        idle.forget_except((ln, round(s.start, 3)) for s, ln in found)
        return out

    source.__name__ = f"wtmp:{wtmp}"
    return source
