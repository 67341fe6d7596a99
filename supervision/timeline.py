"""Up/down timelines of devices from their ``device_up`` polls.

A poll at ``t`` answering ``up`` holds until the next poll, but for at most
``max_gap_ms`` (``max_gap_polls`` × the device's poll interval, 3 × 60 s by
default): beyond that nobody looked, and the time is ``UNKNOWN``.  Availability
counts unknown time as not available — pdcs only vouches for service it saw —
and lists it apart (cause ``no_data``) so a collector outage is told from a
device outage.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from operator import sub
from typing import NamedTuple

from pdcs.points import DEVICE_UP
from pdcs.storage import InfluxDB

UP, DOWN, UNKNOWN = 1, 0, -1


class Segment(NamedTuple):
    start: int
    end: int
    state: int  # UP, DOWN or UNKNOWN


class PollSeries:
    """A device's polls in time order: times (ms) and answers (1 up, 0 down) in two compact arrays.

    Nine bytes a poll rather than a hundred for a list of tuples, because the API
    keeps a day of minute polls per device in memory (``recent_polls``).
    """

    __slots__ = ("times", "trap_times", "ups")

    def __init__(
        self, times: array[int] | None = None, ups: bytearray | None = None, trap_times: array[int] | None = None
    ) -> None:
        self.times: array[int] = times if times is not None else array("q")
        self.ups = ups if ups is not None else bytearray()
        # Times of the points among ``times`` that came from SNMP traps (``source=trap``, an uplink
        # linkDown): they tell the state like a poll, but are not polls (``counts`` leaves them out).
        self.trap_times: array[int] = trap_times if trap_times is not None else array("q")

    @classmethod
    def of(cls, polls: Iterable[tuple[int, int]], traps: Iterable[int] = ()) -> PollSeries:
        """From ``(t_ms, up)`` pairs in any order; equal times keep their given order (the later one counts).

        ``traps``: the times of those points that came from traps (sorted here).
        """
        pairs = sorted(polls, key=lambda p: p[0])
        return cls(
            array("q", [t for t, _ in pairs]), bytearray(1 if up else 0 for _, up in pairs), array("q", sorted(traps))
        )

    def __len__(self) -> int:
        return len(self.times)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, PollSeries)
            and self.times == other.times
            and self.ups == other.ups
            and self.trap_times == other.trap_times
        )

    def __repr__(self) -> str:
        return f"PollSeries({list(zip(self.times, self.ups, strict=True))})"

    def window(self, start_ms: int, end_ms: int) -> PollSeries:
        """A copy of the polls with ``start_ms <= t < end_ms``."""
        i, j = bisect_left(self.times, start_ms), bisect_left(self.times, end_ms)
        a, b = bisect_left(self.trap_times, start_ms), bisect_left(self.trap_times, end_ms)
        return PollSeries(self.times[i:j], self.ups[i:j], self.trap_times[a:b])

    def counts(self, start_ms: int, end_ms: int) -> tuple[int, int]:
        """(polls, polls answered up) with ``start_ms <= t < end_ms``; trap points are not polls (they say down)."""
        i, j = bisect_left(self.times, start_ms), bisect_left(self.times, end_ms)
        traps = bisect_left(self.trap_times, end_ms) - bisect_left(self.trap_times, start_ms)
        return j - i - traps, sum(self.ups[i:j])

    def replace_from(self, cut_ms: int, newer: PollSeries) -> None:
        """Drop the polls at or after ``cut_ms`` and append ``newer`` (all at or after ``cut_ms``)."""
        i = bisect_left(self.times, cut_ms)
        del self.times[i:]
        del self.ups[i:]
        del self.trap_times[bisect_left(self.trap_times, cut_ms) :]
        self.times.extend(newer.times)
        self.ups.extend(newer.ups)
        self.trap_times.extend(newer.trap_times)


def run_starts(polls: PollSeries, max_gap_ms: int) -> list[int]:
    """Indices of the polls that begin a run: the first, each changed answer, each after a gap > ``max_gap_ms``.

    Within a run every poll holds until the next one, so a run is one stretch of
    one state.  Found with C-level scans (``bytearray.find``, ``map`` over the
    arrays) rather than a Python step per poll: this runs for every device of
    every facility a request asks about, and a steady day of minute polls is one run.
    """
    times, ups = polls.times, polls.ups
    n = len(times)
    if n == 0:
        return []
    starts = {0}
    i = 0
    while (i := ups.find(b"\x00" if ups[i] else b"\x01", i)) >= 0:
        starts.add(i)
    if n > 1:
        steps = array("q", map(sub, times[1:], times[:-1]))
        if max(steps) > max_gap_ms:
            starts.update(k + 1 for k, step in enumerate(steps) if step > max_gap_ms)
    return sorted(starts)


def device_timeline(polls: PollSeries, start_ms: int, end_ms: int, max_gap_ms: int) -> list[Segment]:
    """Segments covering exactly ``[start_ms, end_ms)`` from a device's polls, cut only where the state changes.

    A poll holds until the next poll, for at most ``max_gap_ms``; time nobody
    looked at is ``UNKNOWN``.  Polls at equal times: the later one counts.
    """
    out: list[Segment] = []
    cursor = start_ms  # [start_ms, cursor) is in ``out``

    def add(a: int, b: int, state: int) -> None:
        if out and out[-1].state == state:
            out[-1] = Segment(out[-1].start, b, state)
        else:
            out.append(Segment(a, b, state))

    times, ups = polls.times, polls.ups
    n = len(times)
    starts = run_starts(polls, max_gap_ms)
    for k, first in enumerate(starts):
        after = starts[k + 1] if k + 1 < len(starts) else n  # the run is polls first … after − 1
        s = max(times[first], start_ms)
        if s >= end_ms:
            break
        e = times[after - 1] + max_gap_ms
        if after < n and times[after] < e:
            e = times[after]
        e = min(e, end_ms)
        if e <= s:  # ended before the period, or covered by a poll at the same time
            continue
        if s > cursor:
            add(cursor, s, UNKNOWN)
        add(s, e, UP if ups[first] else DOWN)
        cursor = e
    if cursor < end_ms:
        add(cursor, end_ms, UNKNOWN)
    return out


def tag_where(tags: dict[str, str]) -> tuple[str, dict[str, str]]:
    """``tag = $p0 AND …`` (bound parameters) for a tag filter; ``""`` for none."""
    parts, params = [], {}
    for i, (k, v) in enumerate(sorted(tags.items())):
        parts.append(f'"{k}" = $p{i}')
        params[f"p{i}"] = v
    return " AND ".join(parts), params


def fetch_polls(influx: InfluxDB, tags: dict[str, str], start_ms: int, end_ms: int | None) -> dict[str, PollSeries]:
    """Polls per device with ``start_ms <= t < end_ms`` (None: no upper bound) among the points matching ``tags``."""
    where, params = tag_where(tags)
    cond = f"time >= {start_ms}ms" + (f" AND time < {end_ms}ms" if end_ms is not None else "")
    cond += f" AND {where}" if where else ""
    rows: dict[str, list[tuple[int, int]]] = defaultdict(list)
    traps: dict[str, list[int]] = defaultdict(list)
    q = f'SELECT up FROM {DEVICE_UP} WHERE {cond} GROUP BY device, "source"'
    for s in influx.query(q, params=params):
        dev = s.tags.get("device", "")
        pts = [(int(t), int(up)) for t, up in s.values if up is not None]
        rows[dev].extend(pts)
        if s.tags.get("source") == "trap":
            traps[dev].extend(t for t, _ in pts)
    return {dev: PollSeries.of(polls, traps.get(dev, ())) for dev, polls in rows.items()}
