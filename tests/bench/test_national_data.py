"""bench/national.py's synthetic history at a tiny scale: the counts it writes, and its harnesses run (no timings)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import national_boards as nb
from bench import national_data as nd
from bench import national_replication as nr
from bench.national import load_national
from bench.supervision import YEAR
from dashboards.templating import TimeRange
from devstack.history import write_week
from devstack.influxdb import InfluxServer
from pdcs.storage import InfluxDB


@pytest.fixture
def national(influx_server: InfluxServer) -> Iterator[InfluxDB]:
    """A national database of its own (the bench and the writer create its retention policies)."""
    db = InfluxDB(influx_server.url, f"natbench_{uuid.uuid4().hex[:8]}", timeout_s=60)
    yield db
    db.execute(f'DROP DATABASE "{db.database}"')
    db.close()


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


def test_national_history_counts(national: InfluxDB) -> None:
    c = nd.country(2_000)
    db = national
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
    # The boards' queries run on it without an error and find every panel's figures.
    for uid in (nb.NATIONAL, nb.PROVINCE):
        for span in ("now-24h", "now-30d"):
            opened = nb.open_board(nb.board(uid), db, TimeRange(span, "now", now_s * 1000))
            assert opened.errors == []
            assert opened.rows > 0


def _field(measurement: str) -> str:
    return {"federation_status": "through_ms", "facility_yearly": "scheduled_s"}.get(measurement, "devices")


def _cut_day(national: InfluxDB, server: InfluxServer, tmp_path: Path, max_points: int) -> nr.Replication:
    c = nd.country(2_000)
    counties = c.counties_of(c.provinces[0])
    day = int(time.time()) // 86400 * 86400 - 3 * 86400
    return nr.measure(national, server.http_port, counties, day, tmp_path, buckets=32, max_points=max_points)


def test_link_cut_harness_counts(national: InfluxDB, influx_server: InfluxServer, tmp_path: Path) -> None:
    rep = _cut_day(national, influx_server, tmp_path, 2_000_000)
    # every bucket: the province's one county, the province's sum, its federation status
    assert rep.expected == 32 * 3
    assert (rep.found, rep.lost, rep.duplicated) == (rep.expected, 0, 0)
    assert rep.answers_lost == 1  # the cut dropped an acknowledgement: that batch went twice
    assert rep.writer_failures >= 1


def test_link_cut_harness_sees_loss(national: InfluxDB, influx_server: InfluxServer, tmp_path: Path) -> None:
    """The measurement is not blind: a spool too small for the day drops its oldest points, counted as lost."""
    rep = _cut_day(national, influx_server, tmp_path, 20)
    assert rep.spool_dropped > 0
    # Dropped rows are lost unless they were the batch InfluxDB stored while its answer was lost.
    assert 0 < rep.lost <= rep.spool_dropped
    assert rep.found == rep.expected - rep.lost
    assert rep.duplicated == 0


def test_link_cut_through_the_federation_shipper(
    national: InfluxDB, influx: InfluxDB, influx_server: InfluxServer, tmp_path: Path
) -> None:
    """The end-to-end harness: federation's Shipper over a cut link against one pass with no cut."""
    c = nd.country(2_000)
    county = nd.County(0, c.counties[0].code, 4)  # four facilities of the first county
    inv = nd.inventory(c, [county])
    now_s = int(time.time())
    write_week(influx, inv, now_s, days=0.5)  # raw points for the last 12 hours, in the province's store
    start_ms = (now_s - 6 * 3600) // 3600 * 3600 * 1000 + 3_600_000
    rep = nr.measure_shipper(national, influx_server.http_port, influx, inv, county.province, start_ms, 4, tmp_path)
    # 4 hours of 5-minute rows (county + province) and 4 hourly rows of each
    assert rep.expected == 2 * 48 + 2 * 4
    assert (rep.found, rep.lost, rep.duplicated) == (rep.expected, 0, 0)
    assert rep.answers_lost == 1
