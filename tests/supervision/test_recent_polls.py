"""The API's cache of recent polls on a real InfluxDB: same answers as a direct read, and when new polls show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from inventory.models import Inventory
from pdcs.storage import InfluxDB
from supervision import answers
from supervision.periods import Period
from supervision.recent_polls import OVERLAP_MS, RecentPolls
from supervision.timeline import fetch_polls
from tests.support.scenarios import write_polls

M = 60_000


class Clock:
    """Wall clock frozen at ``now`` (ms) and a monotonic clock the test moves on."""

    def __init__(self, now: datetime) -> None:
        self.wall = int(now.timestamp() * 1000)
        self.mono = 1000.0

    def advance(self, seconds: float) -> None:
        self.mono += seconds


def three_hours_of_polls(influx: InfluxDB, inventory: Inventory, now: datetime) -> None:
    """Three hours of minute polls for 金堂县图书馆's switch and APs, with an outage and a silence."""
    start = now - timedelta(hours=3)
    write_polls(influx, inventory, "jt-lib-sw1", start, now)
    write_polls(
        influx, inventory, "jt-lib-ap1", start, now, down=[(now - timedelta(minutes=90), now - timedelta(minutes=70))]
    )
    write_polls(
        influx, inventory, "jt-lib-ap2", start, now, silent=[(now - timedelta(minutes=40), now - timedelta(minutes=25))]
    )


def cache_of(influx: InfluxDB, clock: Clock, **kw: object) -> RecentPolls:
    return RecentPolls(influx, wall_ms=lambda: clock.wall, monotonic=lambda: clock.mono, **kw)  # type: ignore[arg-type]


def test_cached_reads_equal_direct_reads(influx: InfluxDB, inventory: Inventory) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    three_hours_of_polls(influx, inventory, now)
    clock = Clock(now)
    cache = cache_of(influx, clock)
    start, end = int(now.timestamp() * 1000) - 150 * M, int(now.timestamp() * 1000)
    tags = {"facility": "jt-lib"}
    direct = fetch_polls(influx, tags, start, end)
    assert set(direct) == {"jt-lib-sw1", "jt-lib-ap1", "jt-lib-ap2"}
    assert cache(tags, start, end) == direct
    assert cache(tags, start + 7 * M, end - 3 * M) == fetch_polls(influx, tags, start + 7 * M, end - 3 * M)
    assert cache.reads == {"full": 1, "delta": 0, "cached": 1, "direct": 0}
    # The whole facility answer (availability, outages, poll counts) is the same either way.
    period = Period(now - timedelta(hours=2), now)
    fac = inventory.facilities["jt-lib"]
    assert answers.facility_availability(influx, inventory, fac, period, fetch=cache) == answers.facility_availability(
        influx, inventory, fac, period
    )
    dev = inventory.devices["jt-lib-ap2"]
    via_cache = answers.device_availability(influx, inventory, dev, period, cache)
    assert via_cache == answers.device_availability(influx, inventory, dev, period)
    assert via_cache["polls"] == 120 - 15


def test_new_polls_show_at_the_next_read_late_ones_at_the_refresh(influx: InfluxDB, inventory: Inventory) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    three_hours_of_polls(influx, inventory, now)
    clock = Clock(now)
    cache = cache_of(influx, clock, refresh_s=60, delta_every_s=1)
    tags = {"device": "jt-lib-ap2"}
    start = int(now.timestamp() * 1000) - 60 * M
    before = cache(tags, start, start + 2 * 60 * M)["jt-lib-ap2"]
    assert len(before) == 60 - 15

    # A poll a minute after "now" (written on time) shows at the next read, one second later.
    write_polls(influx, inventory, "jt-lib-ap2", now, now + timedelta(minutes=1))
    clock.wall += M
    clock.advance(0.5)
    assert len(cache(tags, start, start + 2 * 60 * M)["jt-lib-ap2"]) == 45  # within delta_every_s: as it was
    clock.advance(1)
    assert len(cache(tags, start, start + 2 * 60 * M)["jt-lib-ap2"]) == 46
    # Polls of the silence arriving late (a collector's spool draining) are older than the overlap …
    silence = (now - timedelta(minutes=40), now - timedelta(minutes=25))
    assert (now - silence[1]).total_seconds() * 1000 > OVERLAP_MS
    write_polls(influx, inventory, "jt-lib-ap2", *silence)
    clock.advance(2)
    assert len(cache(tags, start, start + 2 * 60 * M)["jt-lib-ap2"]) == 46
    # … so they show when the entry is read whole again, refresh_s after the last whole read.
    clock.advance(60)
    assert len(cache(tags, start, start + 2 * 60 * M)["jt-lib-ap2"]) == 61
    assert cache.reads == {"full": 2, "delta": 2, "cached": 1, "direct": 0}


def test_old_periods_go_straight_to_influxdb_and_the_cache_stays_bounded(
    influx: InfluxDB, inventory: Inventory
) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    three_hours_of_polls(influx, inventory, now)
    clock = Clock(now)
    now_ms = int(now.timestamp() * 1000)
    cache = cache_of(influx, clock, max_polls=400)
    # Older than the horizon (8 days): read directly, nothing kept.
    assert cache({"facility": "jt-lib"}, now_ms - 9 * 24 * 60 * M, now_ms) == fetch_polls(
        influx, {"facility": "jt-lib"}, now_ms - 9 * 24 * 60 * M, now_ms
    )
    assert cache.reads["direct"] == 1 and cache.held == 0
    # 3 × 180 polls: more than half of max_polls in one entry is answered but not kept.
    assert len(cache({"facility": "jt-lib"}, now_ms - 180 * M, now_ms)) == 3
    assert cache.held == 0
    # One device's 180 polls fit; a second and a third push out the least recently used.
    for dev in ("jt-lib-sw1", "jt-lib-ap1", "jt-lib-ap2"):
        assert len(cache({"device": dev}, now_ms - 180 * M, now_ms)[dev]) > 0
        assert cache.held <= 400
    assert cache.held == 360 - 15  # ap1's and ap2's entries (ap2 was silent 15 min); sw1's went first


def test_api_answers_the_last_24_hours_from_the_cache(
    client: TestClient, influx: InfluxDB, inventory: Inventory
) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    three_hours_of_polls(influx, inventory, now)
    first = client.get("/devices/jt-lib-ap1/availability").json()
    again = client.get("/devices/jt-lib-ap1/availability").json()
    assert first["polls"] == again["polls"] == 180
    assert first["answered"] == 180 - 20
    cache = client.app.state.pdcs.polls  # type: ignore[attr-defined]
    assert cache.reads["full"] == 1 and cache.reads["direct"] == 0


def test_first_polls_are_remembered_and_new_devices_still_found(influx: InfluxDB, inventory: Inventory) -> None:
    # The API remembers each question's first polls (supervised time) for refresh_s; in between, a device
    # heard of for the first time is found by a bounded query — a stack started a minute ago is
    # supervised from its first poll at the next question, not a minute later.
    now = datetime.now(UTC).replace(microsecond=0)
    clock = Clock(now)
    cache = cache_of(influx, clock)
    tags = {"facility": "jt-lib"}
    recent = int((now - timedelta(hours=1)).timestamp() * 1000)
    assert cache.first_seen(tags, recent) == {}
    write_polls(influx, inventory, "jt-lib-sw1", now - timedelta(minutes=2), now)
    clock.advance(1)
    seen = cache.first_seen(tags, recent)
    assert seen["jt-lib-sw1"].raw_ms == int((now - timedelta(minutes=2)).timestamp() * 1000)
    # Polls written late (a spool draining): the device shows at once, from the first poll since the last
    # read; its earlier first poll at the next full read, as late polls do (refresh_s).
    write_polls(influx, inventory, "jt-lib-ap1", now - timedelta(hours=5), now)
    clock.advance(1)
    since_last_read = int(now.timestamp() * 1000) - OVERLAP_MS
    assert cache.first_seen(tags, recent)["jt-lib-ap1"].raw_ms == since_last_read
    clock.advance(60)
    five_hours = int((now - timedelta(hours=5)).timestamp() * 1000)
    assert cache.first_seen(tags, recent)["jt-lib-ap1"].raw_ms == five_hours
    old = int((now - timedelta(days=30)).timestamp() * 1000)  # old questions read InfluxDB directly
    assert cache.first_seen(tags, old)["jt-lib-ap1"].raw_ms == five_hours
