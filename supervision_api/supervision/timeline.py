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
    """Segments covering exactly ``[start_ms, end_ms)`` from time-sorted ``(t_ms, up)`` polls.

    One pass that only cuts a segment where the state changes (a day of
    minute polls of a steady device is one segment): this runs for every
    device of every facility a request asks about.
    """
    out: list[Segment] = []
    seg_start, state, cursor = start_ms, UNKNOWN, start_ms  # the open segment is [seg_start, cursor)
    n = len(polls)
    for i in range(n):
        t, up = polls[i]
        if t >= end_ms:
            break
        valid_to = t + max_gap_ms
        if i + 1 < n and polls[i + 1][0] < valid_to:
            valid_to = polls[i + 1][0]
        if valid_to > end_ms:
            valid_to = end_ms
        if valid_to <= start_ms or valid_to <= t:
            continue
        if t < start_ms:
            t = start_ms
        if t > cursor:  # nobody looked between cursor and t
            if state != UNKNOWN:
                out.append(Segment(seg_start, cursor, state))
                seg_start, state = cursor, UNKNOWN
            cursor = t
        st = UP if up else DOWN
        if st != state:
            if cursor > seg_start:
                out.append(Segment(seg_start, cursor, state))
            seg_start, state = cursor, st
        if valid_to > cursor:
            cursor = valid_to
    if cursor < end_ms:
        if state != UNKNOWN:
            out.append(Segment(seg_start, cursor, state))
            seg_start, state = cursor, UNKNOWN
        cursor = end_ms
    if cursor > seg_start:
        out.append(Segment(seg_start, cursor, state))
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
