"""Idle time inside terminal sessions, where the OS says it (counts and durations only).

Linux says when a session last had input, not its history, so the agent samples
it (at every scrape) and keeps what it saw per session in memory:

* text seats (a ``tty``/``pts`` line): the tty's access time — the kernel sets
  it when the session reads input (drivers/tty/tty_io.c ``tty_update_time``,
  to 8 seconds), which is what ``w`` and ``who -u`` print as IDLE and what
  systemd-logind itself reads for tty sessions (``session_get_idle_hint``);
* graphical seats (a display such as ``:0``): systemd-logind's ``IdleHint`` and
  ``IdleSinceHint`` of the session (``loginctl show-session``), which the
  desktop sets after its idle delay (org.freedesktop.login1, "Session"
  properties).

A stretch is idle when no input came for at least ``idle_after_s`` (default 5
minutes, GNOME's default ``idle-delay``); it counts from the last input to the
last time the agent saw the session still idle (so it is at most one scrape
interval short, never long).  A session's idle time is *known* only when the
agent watched it from no later than ``idle_after_s`` after its log-on — before
that an idle stretch could have begun and ended unseen; otherwise it is
unknown (``None``), not 0.  Windows reports locks itself (windows.py).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from agents.checks.base import CommandMissing, Runner, run_command

log = logging.getLogger(__name__)

Stretch = tuple[float, float | None]  # start, end (None: still idle at the last sight)
IDLE_AFTER_S = 300.0
DEV = Path("/dev")


def tty_last_input(line: str, dev: Path = DEV) -> float | None:
    """When the tty of a log-in line (``tty1``, ``pts/3``) last read input: its access time; None without one."""
    if not line or line.startswith(":") or ".." in line:
        return None
    try:
        return os.stat(dev / line).st_atime
    except OSError:
        return None


@dataclass(frozen=True)
class LogindIdle:
    idle: bool
    since: float | None  # IdleSinceHint (epoch seconds); None when logind gives none


def parse_show_session(text: str) -> dict[str, LogindIdle]:
    """``loginctl show-session ID… -p TTY -p Display -p IdleHint -p IdleSinceHint`` → {tty or display: idle}."""
    out: dict[str, LogindIdle] = {}
    for block in text.replace("\r\n", "\n").split("\n\n"):
        props = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
        if "IdleHint" not in props:
            continue
        since_us = props.get("IdleSinceHint", "0")
        since = int(since_us) / 1e6 if since_us.isdigit() and int(since_us) > 0 else None
        state = LogindIdle(props["IdleHint"] == "yes", since)
        for key in (props.get("TTY", ""), props.get("Display", "")):
            if key:
                out[key] = state
    return out


def logind_sessions(run: Runner = run_command) -> dict[str, LogindIdle]:
    """The idle hints of logind's sessions by tty and display; empty where logind does not run."""
    try:
        listed = run(["loginctl", "list-sessions", "--no-legend"], 10.0)
    except CommandMissing:
        return {}
    ids = [line.split()[0] for line in listed.stdout.splitlines() if line.split()] if listed.rc == 0 else []
    if not ids:
        return {}
    props = ["-p", "TTY", "-p", "Display", "-p", "IdleHint", "-p", "IdleSinceHint"]
    res = run(["loginctl", "show-session", *ids, *props], 10.0)
    return parse_show_session(res.stdout) if res.rc == 0 else {}


@dataclass
class _Watch:
    known: bool  # watched from early enough
    confirmed: bool = False  # the source has shown it tracks this session (always, for a tty)
    closed: list[tuple[float, float]] = field(default_factory=list)
    since: float | None = None  # the open stretch's start
    seen: float = 0.0  # the last sight of it still idle


@dataclass
class IdleTracker:
    """Idle stretches seen per session (keyed by the caller: line and log-on time)."""

    idle_after_s: float = IDLE_AFTER_S
    _watch: dict[Hashable, _Watch] = field(default_factory=dict)

    def observe(
        self,
        key: Hashable,
        start: float,
        now: float,
        last_input: float | None,
        idle: bool | None = None,
        confirmed: bool = True,
    ) -> None:
        """One sight of an open session: its last input (None: not known) and, from logind, its idle verdict.

        ``confirmed``: the source shows it tracks the session.  logind answers
        ``IdleHint=no``, ``IdleSinceHint=0`` both for a session that has not
        been idle yet and for one whose desktop never reports idleness (some
        Wayland compositors); only a non-zero ``IdleSinceHint`` seen once tells
        them apart, and until then the session's idle time is not known.
        """
        w = self._watch.get(key)
        if w is None:
            w = self._watch[key] = _Watch(known=now - start <= self.idle_after_s)
        w.confirmed = w.confirmed or confirmed
        if last_input is None or not (idle if idle is not None else now - last_input >= self.idle_after_s):
            self._close(w, None)
            return
        since = max(last_input, start)
        if w.since is not None and abs(w.since - since) > 1.0:  # input came between two sights: a new stretch
            self._close(w, None)
        if w.since is None:
            w.since = max(since, w.closed[-1][1]) if w.closed else since
        w.seen = now

    def _close(self, w: _Watch, end: float | None) -> None:
        if w.since is not None:
            stop = w.seen if end is None else min(w.seen, end)
            if stop > w.since:
                w.closed.append((w.since, stop))
            w.since = None

    def stretches(self, key: Hashable, end: float | None = None) -> tuple[Stretch, ...] | None:
        """The session's idle stretches (the open one ends None), or None when its idle time is not known.

        ``end``: the session's log-off, which closes an open stretch at the last sight of it."""
        w = self._watch.get(key)
        if w is None or not w.known or not w.confirmed:
            return None
        if end is not None:
            self._close(w, end)
        out: list[Stretch] = list(w.closed)
        if w.since is not None:
            out.append((w.since, None))
        return tuple(out)

    def forget_except(self, keys: Iterable[Hashable]) -> None:
        """Drop what is kept about sessions no longer reported."""
        keep = set(keys)
        for k in [k for k in self._watch if k not in keep]:
            del self._watch[k]


LastInput = Callable[[str], float | None]
