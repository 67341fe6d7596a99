"""Supervised time: when each device and facility is watched at all (rule 1 of "Supervision API").

* A device is supervised from local midnight of its commissioning date (``Device.commissioned``,
  投运日期) or, without one, from its first recorded poll — in the raw polls or, once those
  have expired, in its daily roll-ups (the first ``device_daily`` row with polls) — but never
  before its facility's commissioning date.  It stops at local midnight of
  ``Device.decommissioned`` (停用日期), and at "now": the future is never scheduled time.
  Disabled devices (``enabled: false``) are left out altogether (``serving.plan``).
* A facility is supervised from its own commissioning date, else from the first of its
  devices, until now (or until its last device is decommissioned).

Time outside these windows is not scheduled time for any figure, outage or roll-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from inventory.models import Device, Facility
from pdcs.intervals import Interval
from pdcs.points import DEVICE_UP
from pdcs.settings import ROLLUP_RP
from pdcs.storage import InfluxDB
from supervision.timeline import tag_where

DAY_MS = 86_400_000
DEVICE_DAILY = "device_daily"


@dataclass(frozen=True)
class FirstSeen:
    """A device's earliest raw poll still stored, and the first day its roll-ups saw a poll."""

    raw_ms: int | None = None
    rollup_day_ms: int | None = None  # local midnight of that day

    @property
    def first_ms(self) -> int | None:
        known = [t for t in (self.raw_ms, self.rollup_day_ms) if t is not None]
        return min(known) if known else None

    @property
    def raw_from_ms(self) -> int | None:
        """From when the raw polls are complete, when roll-ups show older polls than raw holds.

        ``None``: raw polls are complete (no sign of expiry).  A roll-up day before the day of
        the earliest raw poll means the raw polls before it expired (or were deleted).
        """
        if self.rollup_day_ms is None:
            return None
        if self.raw_ms is None:
            return 2**62  # roll-ups only: raw polls all gone
        return self.raw_ms if self.rollup_day_ms + DAY_MS <= self.raw_ms else None


def first_raw_polls(influx: InfluxDB, tags: dict[str, str], since_ms: int | None = None) -> dict[str, int]:
    """Per device among the points matching ``tags``: its earliest raw poll (at or after ``since_ms``)."""
    where, params = tag_where(tags)
    conds = [c for c in (where, f"time >= {since_ms}ms" if since_ms is not None else "") if c]
    raw: dict[str, int] = {}
    q = f"SELECT first(up) FROM {DEVICE_UP}" + (f" WHERE {' AND '.join(conds)}" if conds else "") + " GROUP BY device"
    for s in influx.query(q, params=params):
        for t, _ in s.values:
            raw[s.tags.get("device", "")] = int(t)
    return raw


def first_seen(influx: InfluxDB, tags: dict[str, str]) -> dict[str, FirstSeen]:
    """Per device among the points matching ``tags``: its earliest raw poll and first polled roll-up day."""
    where, params = tag_where(tags)
    raw = first_raw_polls(influx, tags)
    rolled: dict[str, int] = {}
    cond = "polls > 0" + (f" AND {where}" if where else "")
    q = f'SELECT first(polls) FROM "{ROLLUP_RP}"."{DEVICE_DAILY}" WHERE {cond} GROUP BY device'
    for s in influx.query(q, params=params):
        for t, _ in s.values:
            rolled[s.tags.get("device", "")] = int(t)
    return {d: FirstSeen(raw.get(d), rolled.get(d)) for d in raw.keys() | rolled.keys()}


def midnight_ms(day: date, tz: ZoneInfo) -> int:
    return round(datetime.combine(day, time(0), tzinfo=tz).timestamp() * 1000)


@dataclass(frozen=True)
class Windows:
    """Supervised windows ``[start, end)`` in ms: the facility's, and each present device's."""

    facility: Interval | None
    devices: dict[str, Interval] = field(default_factory=dict)


def device_window(device: Device, facility: Facility, seen: FirstSeen | None, now_ms: int) -> Interval | None:
    tz = facility.tz
    start = midnight_ms(device.commissioned, tz) if device.commissioned else (seen.first_ms if seen else None)
    if start is None:
        return None
    if facility.commissioned:
        start = max(start, midnight_ms(facility.commissioned, tz))
    end = now_ms if device.decommissioned is None else min(now_ms, midnight_ms(device.decommissioned, tz))
    return (start, end) if start < end else None


def windows(facility: Facility, devices: list[Device], seen: dict[str, FirstSeen], now_ms: int) -> Windows:
    devs = {d.id: w for d in devices if (w := device_window(d, facility, seen.get(d.id), now_ms)) is not None}
    if facility.commissioned:
        start: int | None = midnight_ms(facility.commissioned, facility.tz)
    else:
        start = min((s for s, _ in devs.values()), default=None)
    if start is None:
        return Windows(None, devs)
    still_counting = not devices or any(d.decommissioned is None for d in devices)
    end = now_ms if still_counting else max((e for _, e in devs.values()), default=start)
    return Windows((start, end) if start < end else None, devs)
