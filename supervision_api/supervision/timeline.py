"""Up/down timelines of devices from their ``device_up`` polls.

A poll at ``t`` answering ``up`` holds until the next poll, but for at most
``max_gap_ms`` (``max_gap_polls`` × the device's poll interval, 3 × 60 s by
default): beyond that nobody looked, and the time is ``UNKNOWN``.  Availability
counts unknown time as not available — pdcs only vouches for service it saw —
and lists it apart (cause ``no_data``) so a collector outage is told from a
device outage.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from pdcs.points import DEVICE_UP
from pdcs.storage import InfluxDB

UP, DOWN, UNKNOWN = 1, 0, -1


class Segment(NamedTuple):
    start: int
    end: int
    state: int  # UP, DOWN or UNKNOWN


def device_timeline(polls: Sequence[tuple[int, int]], start_ms: int, end_ms: int, max_gap_ms: int) -> list[Segment]:
    """Segments covering exactly ``[start_ms, end_ms)`` from time-sorted ``(t_ms, up)`` polls."""
    out: list[Segment] = []

    def add(s: int, e: int, state: int) -> None:
        s, e = max(s, start_ms), min(e, end_ms)
        if s >= e:
            return
        if out and out[-1].state == state and out[-1].end == s:
            out[-1] = Segment(out[-1].start, e, state)
        else:
            out.append(Segment(s, e, state))

    cursor = start_ms
    for i, (t, up) in enumerate(polls):
        nxt = polls[i + 1][0] if i + 1 < len(polls) else end_ms
        valid_to = min(nxt, t + max_gap_ms) if i + 1 < len(polls) else t + max_gap_ms
        if t > cursor:
            add(cursor, t, UNKNOWN)
        add(t, valid_to, UP if up else DOWN)
        cursor = max(cursor, valid_to)
    if cursor < end_ms:
        add(cursor, end_ms, UNKNOWN)
    return out


def up_intervals(segments: Iterable[Segment]) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in segments if s.state == UP]


def tag_where(tags: dict[str, str]) -> tuple[str, dict[str, str]]:
    """``tag = $p0 AND …`` (bound parameters) for a tag filter; ``""`` for none."""
    parts, params = [], {}
    for i, (k, v) in enumerate(sorted(tags.items())):
        parts.append(f'"{k}" = $p{i}')
        params[f"p{i}"] = v
    return " AND ".join(parts), params


def fetch_polls(influx: InfluxDB, tags: dict[str, str], start_ms: int, end_ms: int) -> dict[str, list[tuple[int, int]]]:
    """``(t_ms, up)`` polls per device within ``[start_ms, end_ms)`` for the points matching ``tags``."""
    where, params = tag_where(tags)
    cond = f"time >= {start_ms}ms AND time < {end_ms}ms" + (f" AND {where}" if where else "")
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for s in influx.query(f"SELECT up FROM {DEVICE_UP} WHERE {cond} GROUP BY device", params=params):
        dev = s.tags.get("device", "")
        out[dev].extend((int(t), int(up)) for t, up in s.values if up is not None)
    for v in out.values():
        v.sort()
    return dict(out)
