"""bench/national.py's synthetic history at a tiny scale: the counts it writes, and its harnesses run (no timings)."""

from __future__ import annotations

import time
from pathlib import Path

from bench import national_boards as nb
from bench import national_data as nd
from bench import national_replication as nr
from bench.national import load_national
from bench.supervision import YEAR
from dashboards.templating import TimeRange
from devstack.influxdb import InfluxServer
from pdcs.storage import InfluxDB


def _count(db: InfluxDB, q: str) -> int:
    return sum(int(r["count"]) for s in db.query(q) for r in s.rows())


def test_country_layout() -> None:
    c = nd.country(1_000_000)
    assert c.devices == 1_000_000
    assert c.facilities == 200_000
    assert len(c.counties) == 2857  # China has 2,844 county-level divisions
    assert len(c.provinces) == 31
    assert len({x.code for x in c.counties}) == len(c.counties)
    small = nd.country(2_000)
    assert (small.devices, small.facilities, len(small.counties), len(small.provinces)) == (2_000, 400, 6, 6)
    inv = nd.inventory(small, small.counties[:2])
    assert len(inv.devices) == sum(x.devices for x in small.counties[:2])
    assert {f.county for f in inv.facilities.values()} == {x.code for x in small.counties[:2]}


def test_national_history_counts(influx_server: InfluxServer) -> None:
    c = nd.country(2_000)
    db = InfluxDB(influx_server.url, "natbench_counts", timeout_s=60)
    try:
        now_s = int(time.time())
        lines, _ = load_national(db, c, now_s, 0.25, nd.year_scheduled())
        buckets_5m = 0.25 * 86400 // nd.BUCKET_S
        hours = 31 * 24
        provinces, counties = len(c.provinces), len(c.counties)
        counts = {
            "summary.county_summary": counties * buckets_5m,
            "summary.province_summary": provinces * buckets_5m,
            "summary_long.county_summary": counties * hours,
            "summary_long.province_summary": provinces * hours,
            "summary.federation_status": provinces,
            "rollup.facility_yearly": c.facilities,
        }
        for m, want in counts.items():
            rp, meas = m.split(".")
            assert _count(db, f'SELECT count("{_field(meas)}") FROM "{rp}"."{meas}"') == want, m
        daily = _count(db, 'SELECT count("scheduled_s") FROM "rollup"."facility_daily"')
        assert daily in (0, c.facilities, 2 * c.facilities)  # the last two days of YEAR, none after it
        assert lines == sum(counts.values()) + daily
        # A province's row is the sum of its counties' rows, bucket by bucket.
        by_prov = db.query('SELECT sum("devices_up") FROM "summary"."county_summary" GROUP BY time(5m), "province"')
        prov = db.query('SELECT sum("devices_up") FROM "summary"."province_summary" GROUP BY time(5m), "province"')
        assert [(s.tags, s.values) for s in by_prov] == [(s.tags, s.values) for s in prov]
        # The year rows cover the whole year without a gap (the report reads them, not the daily rows).
        row = db.query('SELECT * FROM "rollup"."facility_yearly" LIMIT 1')[0].rows()[0]
        assert row["days"] == row["supervised_days"] == (366 if YEAR % 4 == 0 else 365)
        # The interim boards' queries run on it without an error.
        for uid in (nb.NATIONAL, nb.PROVINCE):
            for rp, span in ((nd.SUMMARY_RP, "now-24h"), (nd.SUMMARY_LONG_RP, "now-30d")):
                opened = nb.open_board(nb.interim(uid, rp), db, TimeRange(span, "now", now_s * 1000))
                assert opened.errors == []
                assert opened.rows > 0
    finally:
        db.execute('DROP DATABASE "natbench_counts"')
        db.close()


def _field(measurement: str) -> str:
    return {"federation_status": "through_ms", "facility_yearly": "scheduled_s"}.get(measurement, "devices")


def test_link_cut_harness_counts(influx_server: InfluxServer, tmp_path: Path) -> None:
    c = nd.country(2_000)
    db = InfluxDB(influx_server.url, "natbench_link", timeout_s=60)
    try:
        counties = c.counties_of(c.provinces[0])
        day = int(time.time()) // 86400 * 86400 - 3 * 86400
        rep = nr.measure(db, influx_server.http_port, counties, day, tmp_path, buckets=32)
        # every bucket: the province's counties, the province's sum, its federation status
        assert rep.expected == 32 * (len(counties) + 2)
        assert (rep.found, rep.lost, rep.duplicated) == (rep.expected, 0, 0)
        assert rep.answers_lost == 1  # the cut dropped an acknowledgement: that batch went twice
        assert rep.writer_failures >= 1
    finally:
        db.execute('DROP DATABASE "natbench_link"')
        db.close()


def test_link_cut_harness_sees_loss(influx_server: InfluxServer, tmp_path: Path) -> None:
    """The measurement is not blind: a spool too small for the day drops its oldest points, counted as lost."""
    c = nd.country(2_000)
    db = InfluxDB(influx_server.url, "natbench_loss", timeout_s=60)
    try:
        counties = c.counties_of(c.provinces[0])
        day = int(time.time()) // 86400 * 86400 - 3 * 86400
        rep = nr.measure(db, influx_server.http_port, counties, day, tmp_path, buckets=32, max_points=20)
        assert rep.spool_dropped > 0
        assert rep.lost == rep.spool_dropped
        assert rep.found == rep.expected - rep.lost
        assert rep.duplicated == 0
    finally:
        db.execute('DROP DATABASE "natbench_loss"')
        db.close()
