"""Daily distinct Wi-Fi clients, counted without keeping a MAC address.

A controller's station table lists the MAC address of every associated
client.  The collector turns each into HMAC-SHA256(salt, MAC) — a salt of
32 random bytes drawn for each local day and held only in this process's
memory, never written to disk, InfluxDB or a log — and keeps the set of
those digests per device for the day.  It writes only the size of the set
(``wireless.distinct_clients``, per device and per SSID).  At local midnight
the salt and the sets are dropped and a new salt drawn, so yesterday's
digests cannot be matched with today's and nobody — not even someone holding
the collector's memory of today — can follow a phone across days.

Why so (个人信息保护法, the Personal Information Protection Law of the PRC,
2021): a MAC address that can be linked to a person over time is personal
information (Art. 4); processing must be limited to the smallest scope
needed for the purpose (Art. 6) and kept no longer than the purpose needs
(Art. 19).  The purpose — how many people a facility's Wi-Fi served in a
day — needs a count per day, not an identifier: a salted digest that lives
for one day and only in memory is de-identified in the law's sense (Art. 73:
cannot identify a specific person without additional information — here the
salt, which is destroyed at midnight), and only counts leave the process.
A collector restarted during the day draws a new salt and starts its sets
again: the day's figure is then the larger of the two counts (an undercount,
never a person counted twice with a known identity).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from pdcs.points import WIRELESS, Point


class DailySalt:
    """One random salt per local day and time zone, replaced at local midnight (the old one is dropped)."""

    def __init__(self, clock: Callable[[], float] = time.time, random: Callable[[int], bytes] = os.urandom) -> None:
        self.clock = clock
        self.random = random
        self._salts: dict[str, tuple[date, bytes]] = {}

    def current(self, tz: str) -> tuple[date, bytes]:
        day = datetime.fromtimestamp(self.clock(), ZoneInfo(tz)).date()
        held = self._salts.get(tz)
        if held is None or held[0] != day:
            held = self._salts[tz] = (day, self.random(32))
        return held


def mac_bytes(index: str) -> bytes:
    """The MAC address of a station-table row index (its first six sub-identifiers)."""
    parts = [int(p) for p in index.split(".") if p][:6]
    if len(parts) != 6 or any(not 0 <= p <= 255 for p in parts):
        raise ValueError(f"not a MAC address index: {index!r}")
    return bytes(parts)


@dataclass
class _Day:
    day: date
    all: set[bytes] = field(default_factory=set)
    per_ssid: dict[str, set[bytes]] = field(default_factory=dict)


class StationCounter:
    """Distinct clients per device and local day from station tables (see the module text)."""

    def __init__(self, salt: DailySalt | None = None) -> None:
        self.salt = salt or DailySalt()
        self._days: dict[str, _Day] = {}

    def observe(self, device: str, tz: str, stations: Mapping[bytes, str]) -> tuple[int, dict[str, int]]:
        """Add one poll's stations (MAC → SSID); returns today's distinct count, overall and per SSID."""
        day, salt = self.salt.current(tz)
        seen = self._days.get(device)
        if seen is None or seen.day != day:
            seen = self._days[device] = _Day(day)
        for mac, ssid in stations.items():
            digest = hmac.new(salt, mac, hashlib.sha256).digest()[:16]
            seen.all.add(digest)
            if ssid:
                seen.per_ssid.setdefault(ssid, set()).add(digest)
        return len(seen.all), {s: len(v) for s, v in seen.per_ssid.items()}

    def digests(self, device: str) -> frozenset[bytes]:
        """Today's digests of a device (tests: proving yesterday's cannot be matched)."""
        seen = self._days.get(device)
        return frozenset(seen.all) if seen else frozenset()


def with_distinct(points: list[Point], total: int, per_ssid: Mapping[str, int]) -> list[Point]:
    """The vendor's wireless points with ``distinct_clients`` added to the device total and per-SSID points."""
    out = []
    for p in points:
        tags = p.tags
        if p.measurement == WIRELESS and not tags.get("ap") and not tags.get("radio"):
            ssid = tags.get("ssid", "")
            n = per_ssid.get(ssid) if ssid else total
            if n is not None:
                p = p._replace(fields={**p.fields, "distinct_clients": n})
        out.append(p)
    return out
