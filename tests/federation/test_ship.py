"""Summaries shipped from two provincial stores to a national InfluxDB, on real servers.

The hand-made history (the latest Thursday at least two days ago, a working day; jt-* open 09:00–17:00):

* 四川 (51): 金堂县 (510121) — jt-wh-sw1 down 10:00–10:30; jt-wh-k1 silent 09:30–09:45 while
  the collector of 51 was alive (down); every 51 device silent 11:00–11:20 and the collector
  too (no data, never down); the library's uplink at 8/2 Mbit/s 10:00–12:00, 5 Wi-Fi clients
  on jt-lib-ap1, a terminal session 10:00–10:20, three security checks (one failed).
  大邑县 (510129): dy-lib-sw1 and its AP up all day.
* 云南 (53): 富民县 (530124): fm-lib-sw1 down 09:00–09:10.

Then: the national totals per province equal ``region_availability`` on each province's raw
points to the millisecond, and the nation's equal their sum; a link cut for a day and restored
loses and duplicates nothing (exact point counts); the late province is named, and since when.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from devstack.influxdb import InfluxServer, start_influxdb
from federation.read import federation_status, national_totals
from federation.schema import (
    BUCKET_MS,
    COUNTY_SUMMARY,
    HOUR_MS,
    NATIONAL_RETENTION_POLICIES,
    PROVINCE_SUMMARY,
    SUMMARY_LONG_RP,
    SUMMARY_RP,
)
from federation.ship import Shipper
from federation.summary import summarise
from inventory.models import Inventory
from pdcs.points import COLLECTOR, INTERFACE, SECURITY_CHECK, TERMINAL_SESSION, WIRELESS, Point, to_lines
from pdcs.settings import RAW_RP, RAW_RP_DURATION, ROLLUP_RP, ROLLUP_RP_DURATION
from pdcs.storage import InfluxDB
from supervision.availability import region_availability
from supervision.periods import Period
from supervision.rollup import FACILITY_DAILY, FACILITY_YEARLY, facility_row_tags
from tests.support.figures import build_inventory
from tests.support.scenarios import CN, at, write_polls


def _recent_thursday() -> date:
    """A working Thursday recent enough for the 5-minute tier's 40 days, at least 2 days ago."""
    day = datetime.now(CN).date() - timedelta(days=2)
    while day.weekday() != 3:
        day -= timedelta(days=1)
    return day


DAY = _recent_thursday().isoformat()
NEXT = (_recent_thursday() + timedelta(days=1)).isoformat()
T0, T1 = at(DAY), at(NEXT, "08:00")  # the history: 32 hours
SETTLE_S = 120.0


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def ns(t: datetime) -> int:
    return ms(t) * 1_000_000


def _collector(influx: InfluxDB, regions: str, silent: list[tuple[datetime, datetime]]) -> None:
    pts = []
    t = T0
    while t < T1:
        if not any(a <= t < b for a, b in silent):
            pts.append(Point(COLLECTOR, {"collector": f"c{regions}", "regions": regions}, {"cycle_s": 1.0}, ns(t)))
        t += timedelta(minutes=1)
    influx.write_lines(to_lines(pts))


def write_history(p51: InfluxDB, p53: InfluxDB, inv: Inventory) -> None:
    quiet = [(at(DAY, "11:00"), at(DAY, "11:20"))]
    for dev in ("jt-lib-sw1", "jt-lib-ap1", "jt-lib-ap2", "jt-lib-t1", "jt-lib-t2", "jt-zz-sw1"):
        write_polls(p51, inv, dev, T0, T1, silent=quiet)
    write_polls(p51, inv, "jt-wh-sw1", T0, T1, down=[(at(DAY, "10:00"), at(DAY, "10:30"))], silent=quiet)
    write_polls(p51, inv, "jt-wh-k1", T0, T1, silent=[(at(DAY, "09:30"), at(DAY, "09:45")), *quiet])
    for dev in ("dy-lib-sw1", "dy-lib-ap1"):
        write_polls(p51, inv, dev, T0, T1, silent=quiet)
    _collector(p51, "51", quiet)
    write_polls(p53, inv, "fm-lib-sw1", T0, T1, down=[(at(DAY, "09:00"), at(DAY, "09:10"))])
    # roll-up rows as the roll-up job writes them: a float that happens to be whole, an integer
    row = facility_row_tags(inv.facilities["fm-lib"])
    year = at(f"{DAY[:4]}-01-01")
    p53.write_lines(
        to_lines(
            [
                Point(FACILITY_DAILY, row, {"scheduled_s": 28800.0, "outages": 1}, ns(at(DAY))),
                Point(FACILITY_YEARLY, row, {"scheduled_s": 1e6, "days": 300}, ns(year)),
            ]
        ),
        retention_policy=ROLLUP_RP,
    )
    _collector(p53, "53", [])
    lib = inv.device_tags(inv.devices["jt-lib-sw1"])
    ap = inv.device_tags(inv.devices["jt-lib-ap1"])
    t1 = inv.device_tags(inv.devices["jt-lib-t1"])
    k1 = inv.device_tags(inv.devices["jt-wh-k1"])
    minutes = [at(DAY, "10:00") + timedelta(minutes=m) for m in range(120)]
    p51.write_lines(
        to_lines(
            [
                Point(INTERFACE, lib | {"ifname": "ge0/0/1", "uplink": "1"}, {"in_bps": 8e6, "out_bps": 2e6}, ns(t))
                for t in minutes
            ]
            + [
                Point(INTERFACE, lib | {"ifname": "ge0/0/2", "uplink": "0"}, {"in_bps": 1e6, "out_bps": 1e6}, ns(t))
                for t in minutes
            ]
            + [Point(WIRELESS, ap | {"vendor": "x"}, {"clients": 5}, ns(t)) for t in minutes]
            + [Point(WIRELESS, ap | {"vendor": "x", "ssid": "lib"}, {"clients": 5}, ns(t)) for t in minutes]
            + [
                Point(
                    TERMINAL_SESSION, t1 | {"seat": "console"}, {"duration_s": 1200.0, "open": 0}, ns(at(DAY, "10:00"))
                ),
                *(
                    Point(
                        SECURITY_CHECK,
                        k1 | {"check": c, "source": "agent"},
                        {"passed": ok, "status": "x"},
                        ns(at(DAY, "12:00")),
                    )
                    for c, ok in (("password_policy", 1), ("antivirus", 1), ("audit_log", 0))
                ),
            ]
        )
    )


@pytest.fixture(scope="module")
def national_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfluxServer]:
    """A national InfluxDB of this module's own: the link-cut test stops it."""
    server = start_influxdb(tmp_path_factory.mktemp("national"))
    yield server
    server.stop()


def _db(url: str, rps: tuple[tuple[str, str, bool], ...] | None) -> InfluxDB:
    db = InfluxDB(url=url, database=f"t_{uuid.uuid4().hex[:12]}", retries=0, backoff_s=0.05)
    if rps:
        db.ensure_database(list(rps))
    return db


@pytest.fixture
def stores(influx_server: InfluxServer, national_server: InfluxServer) -> Iterator[tuple[InfluxDB, InfluxDB, InfluxDB]]:
    rps = ((RAW_RP, RAW_RP_DURATION, True), (ROLLUP_RP, ROLLUP_RP_DURATION, False))
    p51, p53 = _db(influx_server.url, rps), _db(influx_server.url, rps)
    national = _db(national_server.url, None)  # the writer creates it with its retention policies
    yield p51, p53, national
    if not national_server.ping():
        national_server.start_again()
    for db in (p51, p53, national):
        db.execute(f'DROP DATABASE "{db.database}"')
        db.close()


class Clock:
    def __init__(self, t: datetime) -> None:
        self.ms = ms(t)

    def __call__(self) -> int:
        return self.ms

    def at(self, t: datetime) -> None:
        self.ms = ms(t) + int(SETTLE_S * 1000)  # buckets up to ``t`` are complete


def _shipper(inv: Inventory, p51: InfluxDB, p53: InfluxDB, national: InfluxDB, spool: Path, clock: Clock) -> Shipper:
    stores = {"51": p51, "53": p53}
    return Shipper(
        inv, ["51", "53"], stores.__getitem__, national, spool, settle_s=SETTLE_S, clock=clock, batch_size=50
    )


def _period(a: datetime, b: datetime) -> Period:
    return Period(a, b)


def test_national_totals_equal_the_provinces_raw_figures(
    stores: tuple[InfluxDB, InfluxDB, InfluxDB], tmp_path: Path
) -> None:
    p51, p53, national = stores
    inv = build_inventory()
    write_history(p51, p53, inv)
    clock = Clock(T0)
    clock.at(at(DAY, "18:00"))
    shipper = _shipper(inv, p51, p53, national, tmp_path / "spool", clock)
    result = shipper.run_once(since_ms=ms(T0))
    assert result.delivered and result.error == "" and result.pending == 0
    assert result.through_ms == {"51": ms(at(DAY, "18:00")), "53": ms(at(DAY, "18:00"))}
    # The shipper creates the national store with the shared policies and their shard durations (7d/30d).
    created = {r[0]: r[2] for s in national.query("SHOW RETENTION POLICIES") for r in s.values}
    assert {rp: f"{int(shard[:-1]) * 24}h0m0s" for rp, _, _, shard in NATIONAL_RETENTION_POLICIES} == {
        rp: created.get(rp) for rp, *_ in NATIONAL_RETENTION_POLICIES
    }

    period = _period(at(DAY, "08:00"), at(DAY, "18:00"))
    by_province = national_totals(national, period, "province", now_ms=clock())
    nation = national_totals(national, period, "nation", now_ms=clock())[""]
    sums: dict[str, float] = {}
    for code, store in (("51", p51), ("53", p53)):
        raw = region_availability(store, inv, code, period, now=clock())
        got = by_province[code].seconds
        want = {
            "scheduled_s": raw.figures.scheduled_ms / 1000,
            "serving_s": raw.figures.up_ms / 1000,
            "unknown_s": raw.figures.unknown_ms / 1000,
            "device_scheduled_s": raw.device_figures.scheduled_ms / 1000,
            "device_up_s": raw.device_figures.up_ms / 1000,
            "device_unknown_s": raw.device_figures.unknown_ms / 1000,
        }
        assert got == want, code
        for k, v in want.items():
            sums[k] = sums.get(k, 0.0) + v
    assert nation.seconds == sums
    # hand-worked: 51 has 4 supervised facilities open 8 h; 53 one.  11:00–11:20 in 51: the 10:59 polls
    # hold to 11:02 (3 polls), the collector's 10:59 point keeps it alive to 11:03 (its minute + 3 polls),
    # so 11:02–11:03 is down and 11:03–11:20 no data, for each facility.  jt-wh: sw1 down 10:00–10:30;
    # the kiosk silent from 09:30, its 09:29 poll holding to 09:32, then down (collector alive) to 09:45.
    assert sums["scheduled_s"] == 5 * 8 * 3600
    assert by_province["51"].seconds["unknown_s"] == 4 * 17 * 60
    assert by_province["51"].seconds["serving_s"] == 4 * 8 * 3600 - 4 * 17 * 60 - 4 * 60 - 30 * 60 - 13 * 60
    assert by_province["53"].seconds["serving_s"] == 8 * 3600 - 10 * 60

    counties = {
        (s.tags["county"], t): dict(zip(s.columns[1:], v, strict=True))
        for s in national.query(f'SELECT * FROM "{SUMMARY_RP}"."{COUNTY_SUMMARY}" GROUP BY *')
        for t, *v in s.values
    }
    jt = "510121"
    # 10:15–10:20: jt-wh-sw1 down; 9 of 510121's devices (jt-zz-t1 never polled: outside any window)
    row = counties[(jt, ms(at(DAY, "10:15")))]
    assert (row["devices"], row["devices_up"], row["devices_down"], row["devices_unknown"]) == (8, 7, 1, 0)
    assert (row["facilities"], row["facilities_open"], row["facilities_serving"]) == (3, 3, 2)
    assert row["uplink_in_bps"] == 8e6 and row["uplink_out_bps"] == 2e6  # the uplink only
    assert row["clients"] == 5  # the AP's total, not its SSID's points again
    assert row["terminals_in_use"] == 1
    assert "checks" not in row or row["checks"] is None  # none yet
    # 11:05–11:10: everybody silent with the collector → unknown, never down
    row = counties[(jt, ms(at(DAY, "11:05")))]
    assert (row["devices_up"], row["devices_down"], row["devices_unknown"]) == (0, 0, 8)
    assert row["facilities_serving"] == 0
    row = counties[(jt, ms(at(DAY, "12:00")))]
    assert (row["checks"], row["checks_failed"]) == (3, 1)
    assert row["terminals_in_use"] == 0
    # before 10:00 no uplink reported: no figure, not 0 bps
    assert counties[(jt, ms(at(DAY, "09:00")))]["uplink_in_bps"] is None
    # the hourly tier: mean of levels, sum of seconds
    hourly = {
        (s.tags["province"], t): dict(zip(s.columns[1:], v, strict=True))
        for s in national.query(f'SELECT * FROM "{SUMMARY_LONG_RP}"."{PROVINCE_SUMMARY}" GROUP BY *')
        for t, *v in s.values
    }
    h10 = hourly[("51", ms(at(DAY, "10:00")))]
    assert h10["serving_s"] == 3 * 3600 + 1800  # four facilities, jt-wh half the hour
    assert h10["devices_down"] == round(6 / 12)  # down at the end of 6 of the 12 buckets
    assert len(hourly) == 2 * 18  # 00:00–18:00 Beijing, both provinces
    # levels: those of the latest bucket in the period (17:55), per county and summed for the nation
    by_county = national_totals(national, period, "county", now_ms=clock())
    assert by_county[jt].latest_ms == ms(at(DAY, "17:55"))
    row = counties[(jt, ms(at(DAY, "17:55")))]
    assert by_county[jt].levels == {k: v for k, v in row.items() if v is not None and not k.endswith("_s")}
    assert by_county[jt].levels["devices_up"] == 8 and by_county[jt].levels["facilities_open"] == 0
    assert nation.levels["devices"] == sum(t.levels["devices"] for t in by_county.values()) == 8 + 2 + 1
    assert nation.device_availability == sums["device_up_s"] / (sums["device_scheduled_s"] - sums["device_unknown_s"])
    # the roll-ups arrived unchanged, field types kept
    types = {
        (s.name, k): v for s in national.query(f'SHOW FIELD KEYS FROM "{ROLLUP_RP}"./facility_/') for k, v in s.values
    }
    assert types == {
        ("facility_daily", "scheduled_s"): "float",
        ("facility_daily", "outages"): "integer",
        ("facility_yearly", "scheduled_s"): "float",
        ("facility_yearly", "days"): "integer",
    }
    daily = national.query(f'SELECT * FROM "{ROLLUP_RP}"."{FACILITY_DAILY}"')
    assert [r["time"] for r in daily[0].rows()] == [ms(at(DAY))]
    assert daily[0].rows()[0]["facility"] == "fm-lib" and daily[0].rows()[0]["outages"] == 1
    shipper.close()


def _count(db: InfluxDB, rp: str, measurement: str) -> int:
    return sum(v[1] for s in db.query(f'SELECT count("devices") FROM "{rp}"."{measurement}"') for v in s.values)


def test_link_cut_for_a_day_loses_and_duplicates_nothing(
    stores: tuple[InfluxDB, InfluxDB, InfluxDB], national_server: InfluxServer, tmp_path: Path
) -> None:
    p51, p53, national = stores
    inv = build_inventory()
    write_history(p51, p53, inv)
    clock = Clock(T0)
    spool = tmp_path / "spool"
    shipper = _shipper(inv, p51, p53, national, spool, clock)
    clock.at(at(DAY, "06:00"))
    assert shipper.run_once(since_ms=ms(T0)).delivered
    cut = ms(at(DAY, "06:00"))
    national_server.stop()  # the province's link is cut for a day
    for hm in ("06:30", "12:00", "18:00"):
        clock.at(at(DAY, hm))
        res = shipper.run_once()
        assert not res.delivered and res.error and res.pending > 0
    clock.at(at(NEXT, "06:00"))
    assert not shipper.run_once().delivered
    shipper.close()  # and the shipper restarts while the link is down
    national_server.start_again()
    # before the next pass the nation still sees both provinces as of the cut: late since 06:00
    state = federation_status(national, now_ms=clock(), late_after_s=900)
    assert state.late == ["51", "53"]
    assert {r.province: ms(r.late_since) for r in state.provinces if r.late_since} == {"51": cut, "53": cut}

    shipper = _shipper(inv, p51, p53, national, spool, clock)
    clock.at(at(NEXT, "08:00"))
    res = shipper.run_once()
    assert res.delivered and res.pending == 0
    buckets = (ms(T1) - ms(T0)) // BUCKET_MS
    # every bucket of every county with supervised devices, once: 3 counties; provinces: 2
    assert _count(national, SUMMARY_RP, COUNTY_SUMMARY) == 3 * buckets
    assert _count(national, SUMMARY_RP, PROVINCE_SUMMARY) == 2 * buckets
    assert _count(national, SUMMARY_LONG_RP, COUNTY_SUMMARY) == 3 * (ms(T1) - ms(T0)) // HOUR_MS
    # nothing differs from the summaries computed at once, with no cut
    ref: dict[tuple[str, int], dict[str, float | int]] = {}
    for code, store in (("51", p51), ("53", p53)):
        for _, s in summarise(store, inv, code, ms(T0), ms(T1), clock()):
            ref.update(s.county)
    got = {
        (s.tags["county"], t): {k: x for k, x in zip(s.columns[1:], v, strict=True) if x is not None}
        for s in national.query(f'SELECT * FROM "{SUMMARY_RP}"."{COUNTY_SUMMARY}" GROUP BY *')
        for t, *v in s.values
    }
    assert got.keys() == ref.keys()
    differing = [k for k in ref if got[k] != ref[k]]
    assert differing == [], (got[differing[0]], ref[differing[0]])
    state = federation_status(national, now_ms=clock(), late_after_s=900)
    assert state.late == []
    assert state.provinces[0].through == at(NEXT, "08:00")


def test_pass_every_five_minutes_gives_the_same_hour(
    stores: tuple[InfluxDB, InfluxDB, InfluxDB], tmp_path: Path
) -> None:
    # a --loop: one pass a bucket; the hour's row, built from the buckets kept between passes, equals
    # the one computed at once
    p51, p53, national = stores
    inv = build_inventory()
    write_history(p51, p53, inv)
    clock = Clock(T0)
    shipper = _shipper(inv, p51, p53, national, tmp_path / "spool", clock)
    h10 = at(DAY, "10:00")
    clock.at(h10)
    assert shipper.run_once(since_ms=ms(h10) - BUCKET_MS).delivered
    for k in range(1, 13):
        clock.at(h10 + timedelta(minutes=5 * k))
        assert shipper.run_once().delivered
    shipper.close()
    want = {}
    for code, store in (("51", p51), ("53", p53)):
        for _, sums in summarise(store, inv, code, ms(h10), ms(h10) + HOUR_MS, clock()):
            want.update({("county_summary", c, t): f for (c, t), f in sums.hourly_county.items()})
            want.update({("province_summary", c, t): f for (c, t), f in sums.hourly_province.items()})
    got = {}
    for m, tag in (("county_summary", "county"), ("province_summary", "province")):
        # (the first pass, 09:55–10:00, ended the 09:00 hour: that row is there too)
        for s in national.query(f'SELECT * FROM "{SUMMARY_LONG_RP}"."{m}" WHERE time >= {ms(h10)}ms GROUP BY *'):
            for t, *v in s.values:
                got[(m, s.tags[tag], t)] = {k: x for k, x in zip(s.columns[1:], v, strict=True) if x is not None}
    assert got.keys() == want.keys()
    assert [k for k in want if got[k] != want[k]] == []
    assert _count(national, SUMMARY_RP, COUNTY_SUMMARY) == 3 * 24  # 09:00–11:00, each bucket once


def test_polls_arriving_late_produce_their_hour_again(
    stores: tuple[InfluxDB, InfluxDB, InfluxDB], tmp_path: Path
) -> None:
    # 51's quiet 11:00–11:20 was a collector whose link was down: its spool drains after 12:00
    p51, p53, national = stores
    inv = build_inventory()
    write_history(p51, p53, inv)
    clock = Clock(T0)
    shipper = _shipper(inv, p51, p53, national, tmp_path / "spool", clock)
    clock.at(at(DAY, "12:00"))
    assert shipper.run_once(since_ms=ms(at(DAY, "08:00"))).delivered
    q = (
        f'SELECT "devices_unknown" FROM "{SUMMARY_RP}"."{COUNTY_SUMMARY}" '
        f"WHERE \"county\" = '510121' AND time = {ms(at(DAY, '11:05'))}ms"
    )
    assert national.query(q)[0].values[0][1] == 8
    quiet = (at(DAY, "11:00"), at(DAY, "11:20"))
    for dev in (
        "jt-lib-sw1",
        "jt-lib-ap1",
        "jt-lib-ap2",
        "jt-lib-t1",
        "jt-lib-t2",
        "jt-zz-sw1",
        "jt-wh-sw1",
        "jt-wh-k1",
    ):
        write_polls(p51, inv, dev, *quiet)
    for dev in ("dy-lib-sw1", "dy-lib-ap1"):
        write_polls(p51, inv, dev, *quiet)
    t = quiet[0]
    while t < quiet[1]:
        p51.write_lines(to_lines([Point(COLLECTOR, {"collector": "c51", "regions": "51"}, {"cycle_s": 1.0}, ns(t))]))
        t += timedelta(minutes=1)
    clock.at(at(DAY, "13:00"))  # the next hour completes: the recheck finds the 11:00 hour's polls changed
    assert shipper.run_once().delivered
    shipper.close()
    assert national.query(q)[0].values[0][1] == 0
    want: dict[tuple[str, str, int], dict[str, float | int]] = {}
    got: dict[tuple[str, str, int], dict[str, float | int]] = {}
    for code, store in (("51", p51), ("53", p53)):
        for _, sums in summarise(store, inv, code, ms(at(DAY, "08:00")), ms(at(DAY, "13:00")), clock()):
            want.update({("5m", c, t): f for (c, t), f in sums.county.items()})
            want.update({("h", c, t): f for (c, t), f in sums.hourly_county.items()})
    for rp, key in ((SUMMARY_RP, "5m"), (SUMMARY_LONG_RP, "h")):
        for s in national.query(f'SELECT * FROM "{rp}"."{COUNTY_SUMMARY}" GROUP BY *'):
            for tm, *v in s.values:
                got[(key, s.tags["county"], tm)] = {
                    k: x for k, x in zip(s.columns[1:], v, strict=True) if x is not None
                }
    assert [k for k in want if got.get(k) != want[k]] == []
