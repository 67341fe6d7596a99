"""Half-open intervals ``(start, end)``: sorted, non-overlapping lists.

The figures use milliseconds (``Interval``); the agent's terminal sessions use epoch seconds as floats
(agents/usage/sessions.py), so the functions take either and give back what they were given.  Here in
``pdcs`` because the agent, the bottom layer, may not import ``supervision``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

Interval = tuple[int, int]
N = TypeVar("N", int, float)


def merge(intervals: Iterable[tuple[N, N]]) -> list[tuple[N, N]]:
    out: list[tuple[N, N]] = []
    for s, e in sorted(intervals):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def intersect(a: list[tuple[N, N]], b: list[tuple[N, N]]) -> list[tuple[N, N]]:
    """Intersection of two sorted, non-overlapping lists."""
    out: list[tuple[N, N]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        s, e = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if s < e:
            out.append((s, e))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def total(intervals: Iterable[Interval]) -> int:
    return sum(e - s for s, e in intervals)


def overlaps(intervals: list[Interval], s: int, e: int) -> bool:
    return any(a < e and s < b for a, b in intervals)


def subtract(a: list[tuple[N, N]], b: list[tuple[N, N]]) -> list[tuple[N, N]]:
    """``a`` minus ``b`` (both sorted, non-overlapping)."""
    out: list[tuple[N, N]] = []
    j = 0
    for s, e in a:
        cur = s
        while j < len(b) and b[j][1] <= cur:
            j += 1
        k = j
        while k < len(b) and b[k][0] < e:
            if b[k][0] > cur:
                out.append((cur, b[k][0]))
            cur = max(cur, b[k][1])
            k += 1
        if cur < e:
            out.append((cur, e))
    return out
