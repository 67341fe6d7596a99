"""Daily distinct Wi-Fi clients, counted without keeping a MAC address.

A controller's station table lists the MAC address of every associated
client.  The collector turns each into HMAC-SHA256(salt, MAC) — a salt of
32 random bytes drawn for each local day — and keeps the set of those
digests per device for the day.  It writes only the size of the set
(``wireless.distinct_clients``, per device and per SSID), never a MAC or a
digest, to InfluxDB or a log.  So that a restart during the day continues the
day's count, the day's salt and digests are also kept in the collector's own
state folder (``collectors/snmp/station_store.py``: files 0600, never shipped,
never in the spool); at local midnight the salt and the sets — in memory and
on disk — are deleted and a new salt drawn, so yesterday's digests cannot be
matched with today's and nobody can follow a phone across days.

Why so (个人信息保护法, the Personal Information Protection Law of the PRC,
2021): a MAC address that can be linked to a person over time is personal
information (Art. 4); processing must be limited to the smallest scope
needed for the purpose (Art. 6) and kept no longer than the purpose needs
(Art. 19).  The purpose — how many people a facility's Wi-Fi served in a
day — needs a count per day, not an identifier: a salted digest that lives
for one day is de-identified in the law's sense (Art. 73: cannot identify a
specific person without additional information — here the salt, held by the
collector alone, readable by its own user only, and deleted at midnight), and
only counts leave the collector.  Without a state folder (tests, tools) the
salt and sets live in memory only and a restart starts the day's count again
(an undercount).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from collectors.snmp.station_store import SALT_BYTES, StationStore
from pdcs.points import WIRELESS, Point

log = logging.getLogger(__name__)


def _unusable(store: StationStore, exc: OSError) -> None:
    """A state folder that cannot be written must not stop the polls: the day is then counted in memory."""
    log.warning("station state %s unusable (%s): today's distinct clients are kept in memory only", store.folder, exc)


class DailySalt:
    """One random salt per local day and time zone, replaced at local midnight (the old one is deleted).

    With a ``store`` the day's salt is kept on disk (a restarted collector takes it up again) and older
    days' salts and digests are deleted at start and whenever a zone's day changes."""

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        random: Callable[[int], bytes] = os.urandom,
        store: StationStore | None = None,
    ) -> None:
        self.clock = clock
        self.random = random
        self.store = store
        self._salts: dict[str, tuple[date, bytes]] = {}
        self._on_disk: set[str] = set()  # zones whose current salt is the stored one
        if store is not None:
            try:
                store.purge_stale(clock())
            except OSError as exc:
                _unusable(store, exc)

    def current(self, tz: str) -> tuple[date, bytes]:
        day = datetime.fromtimestamp(self.clock(), ZoneInfo(tz)).date()
        held = self._salts.get(tz)
        if held is None or held[0] != day:
            salt = self.random(SALT_BYTES)
            self._on_disk.discard(tz)
            if self.store is not None:
                try:
                    self.store.purge_before(tz, day)
                    salt = self.store.salt(tz, day, salt)
                    self._on_disk.add(tz)
                except OSError as exc:
                    _unusable(self.store, exc)
            held = self._salts[tz] = (day, salt)
        return held

    def kept(self, tz: str) -> StationStore | None:
        """The store holding the zone's current salt (None: in memory only), after ``current(tz)``."""
        return self.store if tz in self._on_disk else None


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

    def add(self, digest: bytes, ssid: str) -> bool:
        """True when the digest is new today (overall or under this SSID)."""
        new = digest not in self.all
        self.all.add(digest)
        if ssid:
            under = self.per_ssid.setdefault(ssid, set())
            new = new or digest not in under
            under.add(digest)
        return new


class StationCounter:
    """Distinct clients per device and local day from station tables (see the module text)."""

    def __init__(self, salt: DailySalt | None = None) -> None:
        self.salt = salt or DailySalt()
        self._days: dict[str, _Day] = {}

    @classmethod
    def kept_in(cls, folder: Path, clock: Callable[[], float] = time.time) -> StationCounter:
        """A counter whose day survives a restart: salt and digests in ``folder`` (the collector's state)."""
        return cls(DailySalt(clock=clock, store=StationStore(folder)))

    def observe(self, device: str, tz: str, stations: Mapping[bytes, str]) -> tuple[int, dict[str, int]]:
        """Add one poll's stations (MAC → SSID); returns today's distinct count, overall and per SSID."""
        day, salt = self.salt.current(tz)
        store = self.salt.kept(tz)  # digests go to disk only beside the salt they were made with
        seen = self._days.get(device)
        if seen is None or seen.day != day:
            seen = self._days[device] = _Day(day)
            if store is not None:
                try:
                    for digest, ssid in store.load(tz, day, device):
                        seen.add(digest, ssid)
                except OSError as exc:
                    _unusable(store, exc)
        new: list[tuple[bytes, str]] = []
        for mac, ssid in stations.items():
            digest = hmac.new(salt, mac, hashlib.sha256).digest()[:16]
            if seen.add(digest, ssid):
                new.append((digest, ssid))
        if store is not None:
            try:
                store.append(tz, day, device, new)
            except OSError as exc:
                _unusable(store, exc)
        return len(seen.all), {s: len(v) for s, v in seen.per_ssid.items()}

    def digests(self, device: str) -> frozenset[bytes]:
        """Today's digests of a device (tests: proving yesterday's cannot be matched)."""
        seen = self._days.get(device)
        return frozenset(seen.all) if seen else frozenset()


def with_distinct(points: list[Point], total: int, per_ssid: Mapping[str, int]) -> list[Point]:
    """The vendor's wireless points with ``distinct_clients`` added to the device total and per-SSID points.

    An SSID of the station table that has no per-SSID point of its own (the vendor's SSID counts come from
    another table, e.g. Huawei's VAPs with clients) gets one carrying only ``distinct_clients``."""
    out = []
    base: Point | None = None
    named: set[str] = set()
    for p in points:
        tags = p.tags
        if p.measurement == WIRELESS and not tags.get("ap") and not tags.get("radio"):
            ssid = tags.get("ssid", "")
            if ssid:
                named.add(ssid)
            else:
                base = p
            n = per_ssid.get(ssid) if ssid else total
            if n is not None:
                p = p._replace(fields={**p.fields, "distinct_clients": n})
        out.append(p)
    if base is not None:
        for ssid, n in sorted(per_ssid.items()):
            if ssid not in named:
                out.append(base._replace(tags={**base.tags, "ssid": ssid}, fields={"distinct_clients": n}))
    return out
