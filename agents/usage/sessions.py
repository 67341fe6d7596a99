"""A terminal session — seat kind, log-on, log-off — and the collector exposing recent ones.

Each session is one sample of ``pdcs_terminal_session_seconds`` per local day
it covers, labelled with its seat kind, the piece's start (``start``, epoch
seconds with milliseconds: the log-on, or local midnight for the days after),
``cont`` (``1`` on those later pieces) and ``state`` (``open``/``closed``); the
value is the piece's duration so far.  Cutting at midnight keeps every point
within one day of its period, so the daily roll-up reads one day back, however
long a kiosk stays logged on or powered on.  The
collector maps it to one ``terminal_session`` point at the log-on time, so
every scrape rewrites the same point until the session closes (InfluxDB keys
a point by series and time).  Sessions that ended more than ``keep_s`` ago
are left out.  Seat kinds:

* ``console`` — a text console or a local pseudo-terminal without a remote host;
* ``graphical`` — an X11/Wayland display or a terminal window inside one;
* ``remote`` — Remote Desktop (RDP, xrdp): a reader on a thin client;
* ``ssh`` — a remote shell: maintenance (the platform's own SSH audits log in
  this way), never counted as service;
* ``kiosk`` — the kiosk application's own session.

Two more kinds of period travel the same way, though no user is behind them:

* ``power`` — the terminal's power-on period, from boot to now (设备开机时长);
* ``kiosk_app`` — the kiosk application's run, from its process start to now.

They are open while they last; when the terminal goes off, the last point
written says how long it was seen on (within one scrape interval).  And

* ``idle`` — the terminal's idle time (agents/usage/idle.py): stretches when
  user sessions were open and every one of them was idle or locked, where the
  OS says it.  A session whose idle time is not known counts as in use, so an
  ``idle`` period is never longer than the OS said.

Each user session's piece also carries its idle seconds within the piece
(``pdcs_terminal_session_idle_seconds``), present only when its idle time is
known — the roll-up's coverage of active time (有效使用时长).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Literal, NamedTuple

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from agents.usage.idle import Stretch
from pdcs import intervals as iv

log = logging.getLogger(__name__)

Seat = Literal["console", "graphical", "remote", "ssh", "kiosk", "power", "kiosk_app", "idle"]
SEATS: tuple[str, ...] = ("console", "graphical", "remote", "ssh", "kiosk", "power", "kiosk_app", "idle")
SERVICE_SEATS: frozenset[str] = frozenset({"console", "graphical", "remote", "kiosk"})
METRIC = "pdcs_terminal_session_seconds"
IDLE_METRIC = "pdcs_terminal_session_idle_seconds"


class Session(NamedTuple):
    seat: str
    start: float  # epoch seconds
    end: float | None  # None while open
    # idle or locked stretches inside the session (end None: still idle now), where the OS says it;
    # None: not known (never "no idle time")
    idle: tuple[Stretch, ...] | None = None

    def duration(self, now: float) -> float:
        return max(0.0, (self.end if self.end is not None else now) - self.start)

    def idle_within(self, start: float, end: float) -> float:
        """Idle seconds of the known stretches within ``[start, end)``."""
        return sum(max(0.0, min(e if e is not None else end, end) - max(s, start)) for s, e in self.idle or ())


Source = Callable[[float], list[Session]]


def power_source(boot_time: Callable[[], float]) -> Source:
    """The power-on period: boot → now (``psutil.boot_time``)."""

    def source(now: float) -> list[Session]:
        return [Session("power", boot_time(), None)]

    source.__name__ = "power-on"
    return source


def process_source(started: Callable[[], float | None], seat: str = "kiosk_app") -> Source:
    """A running process's period: its start → now, or nothing while it does not run."""

    def source(now: float) -> list[Session]:
        t = started()
        return [] if t is None else [Session(seat, t, None)]

    source.__name__ = seat
    return source


def recent(sessions: Sequence[Session], now: float, keep_s: float) -> list[Session]:
    """Sessions still open or ended within ``keep_s``; log-ons in the future are dropped, and a session
    whose end is still to come (a schedule, a clock ahead) is open."""
    out = []
    for s in sessions:
        if s.start > now or (s.end is not None and s.end < now - keep_s):
            continue
        out.append(s._replace(end=None) if s.end is not None and s.end > now else s)
    return out


def day_pieces(s: Session, now: float, tz: tzinfo | None) -> list[tuple[float, float | None, bool]]:
    """(start, end — None while open —, continues an earlier day) for each local day ``s`` covers."""
    end = s.end if s.end is not None else now
    out: list[tuple[float, float | None, bool]] = []
    start, cont = s.start, False
    while True:
        day = datetime.fromtimestamp(start, tz).date()
        midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz).timestamp()
        if end <= midnight or midnight <= start:
            out.append((start, s.end, cont))
            return out
        out.append((start, midnight, cont))
        start, cont = midnight, True


def terminal_idle(sessions: Sequence[Session], now: float) -> list[Session]:
    """``idle`` periods: user sessions open and all of them idle (see the module text); none when nothing is known."""
    users = [s for s in sessions if s.seat in SERVICE_SEATS]
    if not any(s.idle is not None for s in users):
        return []
    spans = {s: (s.start, s.end if s.end is not None else now) for s in users}
    busy = [spans[s] for s in users if s.idle is None]  # unknown: in use
    for s in users:
        if s.idle is not None:
            idle = iv.merge([(a, b if b is not None else now) for a, b in s.idle])
            busy += iv.subtract([spans[s]], idle)
    return [
        Session("idle", a, None if b >= now and any(s.end is None for s in users) else b)
        for a, b in iv.subtract(iv.merge(spans.values()), iv.merge(busy))
    ]


def start_label(start: float) -> str:
    return f"{start:.3f}"


class UsageCollector(Collector):
    """Exposes the sessions of the configured sources, re-read at most every ``ttl_s``."""

    def __init__(
        self,
        sources: Sequence[Source],
        keep_s: float = 48 * 3600.0,
        ttl_s: float = 30.0,
        clock: Callable[[], float] = time.time,
        tz: tzinfo | None = None,
    ) -> None:
        self.tz = tz  # where the terminal's days begin (None: the system's local time)
        self.sources = tuple(sources)
        self.keep_s = keep_s
        self.ttl_s = ttl_s
        self.clock = clock
        self._at = -1e18
        self._cached: list[Session] = []
        self._lock = threading.Lock()

    def sessions(self) -> list[Session]:
        with self._lock:
            now = self.clock()
            if now - self._at >= self.ttl_s:
                found: list[Session] = []
                for source in self.sources:
                    try:
                        found += source(now)
                    except Exception as exc:  # a broken source must not stop the others or the scrape
                        log.warning("terminal sessions: %s failed: %s", getattr(source, "__name__", source), exc)
                kept = recent(found, now, self.keep_s)  # wtmp holds months: only what is exposed
                self._cached = kept + recent(terminal_idle(kept, now), now, self.keep_s)
                self._at = now
            return list(self._cached)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = self.clock()
        fam = GaugeMetricFamily(
            METRIC,
            "Terminal user session: seconds from log-on to log-off (or now)",
            labels=["seat", "start", "state", "cont"],
        )
        idle = GaugeMetricFamily(
            IDLE_METRIC,
            "Idle or locked seconds inside the session piece (present when the OS says)",
            labels=["seat", "start"],
        )
        for s in self.sessions():
            for start, end, cont in day_pieces(s, now, self.tz):
                if end is not None and end < now - self.keep_s:
                    continue
                label = start_label(start)
                state = "open" if end is None else "closed"
                fam.add_metric([s.seat, label, state, "1" if cont else "0"], (end if end is not None else now) - start)
                if s.idle is not None:
                    idle.add_metric([s.seat, label], s.idle_within(start, end if end is not None else now))
        yield fam
        yield idle
