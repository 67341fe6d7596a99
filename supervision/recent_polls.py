"""Recent ``device_up`` polls kept in the API process, so repeated questions about the last days
do not read a day of minute polls from InfluxDB each time.

Dashboards and inspectors ask about the same facilities and devices over and
over ("the last 24 h", "today"); each such answer replays 1,440 polls per
device.  Zabbix keeps a value cache for the same reason.  Here one entry per
query (its tag filter: a device, a facility, a county) holds every poll from
its start on; a later question about the same devices

* reads only the polls since the last read, minus :data:`OVERLAP_MS` so that
  points written a little late (collector batches, poll time-outs) are
  re-read — at most once every ``delta_every_s``;
* re-reads the whole entry when it is older than ``refresh_s``, which bounds
  how long polls that arrive very late (a collector draining its spool after
  the uplink came back) stay unseen;
* and goes straight to InfluxDB when it starts before ``horizon_ms`` ago
  (monthly and yearly questions use roll-ups, or are rare).

Answers are therefore the same as a direct read, except that they may lack
polls written in the last ``delta_every_s`` or, for polls written more than
:data:`OVERLAP_MS` after their time, in the last ``refresh_s``.  Entries are
evicted least recently used first beyond ``max_polls`` polls held (9 bytes each).

With province stores (pdcs/storage/shards.py) ``store_of`` names the store holding a question's polls (its
region's, facility's or device's), so a province's answers never wait on another province's store.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from pdcs.storage import InfluxDB
from supervision.supervised import FirstSeen, first_raw_polls, first_seen
from supervision.timeline import PollSeries, fetch_polls

OVERLAP_MS = 120_000
HOUR_MS = 3_600_000

# How availability code reads polls: (tag filter, start ms, end ms) → polls per device.
PollFetch = Callable[[dict[str, str], int, int], dict[str, PollSeries]]


def direct(influx: InfluxDB) -> PollFetch:
    """Every read from InfluxDB (the CLI, roll-up jobs, tests)."""
    return lambda tags, start_ms, end_ms: fetch_polls(influx, tags, start_ms, end_ms)


@dataclass
class _Entry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    series: dict[str, PollSeries] | None = None
    from_ms: int = 0  # every poll at or after this is held
    read_to_ms: int = 0  # wall-clock time of the last read
    full_at: float = 0.0  # monotonic time of the last whole read
    delta_at: float = 0.0  # monotonic time of the last read of any kind
    size: int = 0  # polls held, as counted in RecentPolls.held (changed under its lock only)


class RecentPolls:
    """A :data:`PollFetch` with a per-process cache of recent polls (thread-safe)."""

    def __init__(
        self,
        influx: InfluxDB,
        *,
        refresh_s: float = 60.0,
        delta_every_s: float = 1.0,
        horizon_ms: int = 8 * 24 * HOUR_MS,
        max_polls: int = 10_000_000,
        wall_ms: Callable[[], int] = lambda: int(time.time() * 1000),
        monotonic: Callable[[], float] = time.monotonic,
        store_of: Callable[[dict[str, str]], InfluxDB] | None = None,
    ) -> None:
        self.influx = influx
        # The store holding the polls a tag filter selects (province shards); None: ``influx`` for all.
        self.store_of = store_of or (lambda tags: influx)
        self.refresh_s = refresh_s
        self.delta_every_s = delta_every_s
        self.horizon_ms = horizon_ms
        self.max_polls = max_polls
        self.wall_ms = wall_ms
        self.monotonic = monotonic
        self._entries: OrderedDict[tuple[tuple[str, str], ...], _Entry] = OrderedDict()
        # First polls per question: (monotonic time of the full read, wall time of the last read, answer).
        self._seen: dict[tuple[tuple[str, str], ...], tuple[float, int, dict[str, FirstSeen]]] = {}
        self._lock = threading.Lock()
        self.held = 0  # polls held in all entries
        self.reads = {"full": 0, "delta": 0, "cached": 0, "direct": 0}  # how questions were answered (tests, debugging)

    def __call__(self, tags: dict[str, str], start_ms: int, end_ms: int) -> dict[str, PollSeries]:
        now_ms = self.wall_ms()
        if self.max_polls <= 0 or start_ms < now_ms - self.horizon_ms:
            self.reads["direct"] += 1
            return fetch_polls(self.store_of(tags), tags, start_ms, end_ms)
        key = tuple(sorted(tags.items()))
        with self._lock:
            entry = self._entries.setdefault(key, _Entry())
            self._entries.move_to_end(key)
        with entry.lock:  # one read per entry at a time; the others wait for it and share it
            series = self._update(entry, tags, start_ms, now_ms)
            out = {dev: w for dev, s in series.items() if len(w := s.window(start_ms, end_ms))}
            size = sum(len(s) for s in series.values())
        with self._lock:
            if self._entries.get(key) is entry:  # not evicted meanwhile
                if size > self.max_polls // 2:  # too big to keep: it would push out everything else
                    self._drop(key)
                else:
                    self.held += size - entry.size
                    entry.size = size
            self._evict()
        return out

    def first_seen(self, tags: dict[str, str], start_ms: int) -> dict[str, FirstSeen]:
        """``supervised.first_seen`` for a recent question, read whole every ``refresh_s`` (like the polls).

        In between, only devices heard of for the first time are looked for (their first polls since
        the last read, minus :data:`OVERLAP_MS`) — a bounded query instead of ``first()`` over every
        series.  Questions before ``horizon_ms`` read InfluxDB each time, as the polls do.
        """
        now_ms = self.wall_ms()
        if self.max_polls <= 0 or start_ms < now_ms - self.horizon_ms:
            return first_seen(self.store_of(tags), tags)
        key = tuple(sorted(tags.items()))
        mono = self.monotonic()
        with self._lock:
            hit = self._seen.get(key)
        if hit is None or mono - hit[0] >= self.refresh_s:
            seen = first_seen(self.store_of(tags), tags)
            full_at = mono
        else:
            full_at, read_ms, cached = hit
            newer = first_raw_polls(self.store_of(tags), tags, read_ms - OVERLAP_MS)
            seen = dict(cached)
            seen.update({d: FirstSeen(t) for d, t in newer.items() if d not in seen})
        with self._lock:
            if len(self._seen) > 10_000:  # one small map per question; bounded all the same
                self._seen.clear()
            self._seen[key] = (full_at, now_ms, seen)
        return seen

    def _update(self, entry: _Entry, tags: dict[str, str], start_ms: int, now_ms: int) -> dict[str, PollSeries]:
        mono = self.monotonic()
        if entry.series is None or start_ms < entry.from_ms or mono - entry.full_at >= self.refresh_s:
            from_ms = start_ms - start_ms % HOUR_MS  # whole hours: the device and facility look-backs share it
            entry.series = fetch_polls(self.store_of(tags), tags, from_ms, None)
            entry.from_ms, entry.read_to_ms, entry.full_at, entry.delta_at = from_ms, now_ms, mono, mono
            self.reads["full"] += 1
        elif mono - entry.delta_at >= self.delta_every_s:
            cut = max(entry.from_ms, entry.read_to_ms - OVERLAP_MS)
            newer = fetch_polls(self.store_of(tags), tags, cut, None)
            for dev, s in entry.series.items():
                s.replace_from(cut, newer.pop(dev, PollSeries()))
            entry.series.update(newer)  # devices first heard of since
            entry.read_to_ms, entry.delta_at = now_ms, mono
            self.reads["delta"] += 1
        else:
            self.reads["cached"] += 1
        return entry.series

    def _drop(self, key: tuple[tuple[str, str], ...]) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.held -= entry.size
            entry.size = 0

    def _evict(self) -> None:
        while self.held > self.max_polls and self._entries:
            self._drop(next(iter(self._entries)))
