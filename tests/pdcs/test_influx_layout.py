"""The InfluxDB layout's version stamp and migrations, against a real InfluxDB.

Points written in layout 1 (pdcs 0.1: no ``terminal_session``, no usage fields on the roll-ups)
are still read by this code — usage shows as "no data", never 0 — and ``pdcs influx migrate``
takes the database to layout 2 without touching a point.  The migration engine rewrites a
measurement day by day, resumes from its checkpoint after an interruption, and keeps field types.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from pdcs.cli import app
from pdcs.points import Point, to_lines
from pdcs.settings import RAW_RP, ROLLUP_RP
from pdcs.storage import InfluxDB, layout
from supervision.periods import Period, year_period
from supervision.rollup import read_facility_days, read_facility_year
from supervision.usage import read_usage

CN = ZoneInfo("Asia/Shanghai")
runner = CliRunner()
TAGS = "city=5101,county=510121,facility=jt-zz,facility_kind=township_centre,province=51"

# facility_daily and facility_yearly rows exactly as pdcs 0.1 wrote them (layout 1): no usage_* fields.
V1_DAILY = (
    "facility_daily,{tags} scheduled_s=28800,serving_s=27000,unknown_s=0,outages=1i,supervised=1i,devices=3i,"
    "device_scheduled_s=86400,device_up_s=81000,device_unknown_s=0,polls=4320i,in_bytes=1.2e9,out_bytes=3.4e8,"
    "in_p95_bps=2.5e6,out_p95_bps=8e5,capacity_bps=1e8,util_p95=0.025,checks=10i,checks_passed=9i {t}"
)
V1_YEARLY = (
    "facility_yearly,{tags} scheduled_s=3000000,serving_s=2900000,unknown_s=0,outages=7i,supervised=1i,devices=3i,"
    "days=300i,supervised_days=290i,util_mean=0.03,util_max=0.2,in_p95=2.5e6,out_p95=8e5 {t}"
)
V1_RAW = "device_up,{tags},device=jt-zz-sw01,kind=switch,source=snmp up=1i,uptime_s=86400,rtt_ms=1.5 {t}"


def _midnight(days_ago: int) -> datetime:
    today = datetime.now(CN).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=days_ago)


def _ns(d: datetime) -> int:
    return int(d.timestamp()) * 10**9


def _write_v1(influx: InfluxDB) -> None:
    days = [_midnight(n) for n in (4, 3)]
    influx.write_lines([V1_DAILY.format(tags=TAGS, t=_ns(d)) for d in days], retention_policy=ROLLUP_RP)
    year = datetime.now(CN).year
    influx.write_lines([V1_YEARLY.format(tags=TAGS, t=year_period(year).start_ns)], retention_policy=ROLLUP_RP)
    influx.write_lines([V1_RAW.format(tags=TAGS, t=_ns(_midnight(1)) + i * 60 * 10**9) for i in range(3)])


def _dump(influx: InfluxDB) -> dict[str, list[list[object]]]:
    out = {}
    for rp, m in ((ROLLUP_RP, "facility_daily"), (ROLLUP_RP, "facility_yearly"), (RAW_RP, "device_up")):
        out[m] = [v for s in influx.query(f'SELECT * FROM "{rp}"."{m}" GROUP BY *', epoch="ns") for v in s.values]
    return out


def _cli(influx: InfluxDB, *args: str) -> tuple[int, str]:
    r = runner.invoke(app, ["influx", *args, "--influx-url", influx.url, "--influx-db", influx.database])
    return r.exit_code, r.output


def test_layout_1_points_are_read_then_migrated_untouched(influx: InfluxDB) -> None:
    _write_v1(influx)
    period = Period(_midnight(5), _midnight(0))
    assert layout.current_version(influx) == 1  # data, no stamp: written before stamps

    # read as they are by this code
    days = read_facility_days(influx, {"county": "510121"}, period)["jt-zz"]
    assert days.days == 2 and days.sums["serving_s"] == 54000 and days.supervised_days == 2
    year = read_facility_year(influx, {"county": "510121"}, datetime.now(CN).year)["jt-zz"]
    assert year.days == 300 and year.sums["outages"] == 7
    assert read_usage(influx, {"county": "510121"}, period) == {}  # no usage figures: absent, not 0
    code, out = _cli(influx, "status", "--lang", "en")
    assert code == 0 and "layout 1" in out and "→ 2" in out

    before = _dump(influx)
    code, out = _cli(influx, "migrate", "--lang", "en")
    assert code == 0, out
    assert "layout 1 → 2" in out and "0 point(s) rewritten" in out
    assert layout.current_version(influx) == layout.SCHEMA_VERSION == 2
    assert _dump(influx) == before  # an additive change moves nothing

    # layout 2 rows (usage fields) now sit beside the layout-1 rows and both are read
    usage = "usage_terminals=4i,usage_terminals_reporting=3i,usage_sessions=12i,usage_service_s=9000,"
    usage += "usage_power_on_s=30000,usage_open_s=86400,usage_peak_terminals=3i"
    v2 = V1_DAILY.format(tags=TAGS, t=_ns(_midnight(2))).replace("checks_passed=9i", f"checks_passed=9i,{usage}")
    influx.write_lines([v2], retention_policy=ROLLUP_RP)
    assert read_facility_days(influx, {"county": "510121"}, period)["jt-zz"].days == 3
    used = read_usage(influx, {"county": "510121"}, period)["jt-zz"]
    assert used.days == 1 and used.sums["usage_sessions"] == 12  # the layout-1 days add no usage, not zeros
    assert _cli(influx, "migrate")[0] == 0  # nothing left to do


def test_a_new_database_is_stamped_and_a_newer_one_is_refused(influx: InfluxDB) -> None:
    assert layout.current_version(influx) is None
    assert layout.stamp_if_new(influx) == layout.SCHEMA_VERSION
    assert layout.stamped_version(influx) == layout.SCHEMA_VERSION
    layout.stamp(influx, layout.SCHEMA_VERSION + 1)
    code, out = _cli(influx, "status", "--lang", "en")
    assert code == 1 and "newer than this code" in out
    with pytest.raises(layout.LayoutTooNew):
        layout.migrate(influx)


def _to_seconds(p: Point) -> Point:
    fields = {k: v for k, v in p.fields.items() if k != "rtt_ms"}
    if "rtt_ms" in p.fields:
        fields["rtt_s"] = float(p.fields["rtt_ms"]) / 1000
    return Point("device_rtt", p.tags, fields, p.time_ns)


def test_a_rewrite_resumes_from_its_checkpoint_and_keeps_types(influx: InfluxDB) -> None:
    start = _midnight(6)
    lines = [
        V1_RAW.format(tags=TAGS, t=_ns(start + timedelta(days=d, hours=h)))
        for d in range(5)
        for h in (1, 13)  # two points a day over five days
    ]
    influx.write_lines(lines)
    layout.stamp(influx, layout.SCHEMA_VERSION)
    change = layout.LayoutChange(
        layout.SCHEMA_VERSION + 1,
        "device_up rtt_ms → device_rtt rtt_s",
        "测试",
        (layout.Rewrite("rtt-seconds", RAW_RP, "device_up", _to_seconds),),
    )
    seen: list[tuple[str, int, int]] = []

    first = layout.migrate(influx, changes=[change], max_days=2, progress=lambda *a: seen.append(a))
    assert not first.finished and first.days == 2 and 0 < first.points < 10  # UTC days: 1 + 2 points
    assert layout.stamped_version(influx) == layout.SCHEMA_VERSION  # not reached yet
    assert layout.checkpoint(influx, "rtt-seconds") is not None

    second = layout.migrate(influx, changes=[change], progress=lambda *a: seen.append(a))
    assert second.finished and second.days + first.days >= 5 and second.after == layout.SCHEMA_VERSION + 1
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)  # the bar only moves forward
    assert seen[-1][1] == seen[-1][2]  # and ends full

    rows = [r for s in influx.query('SELECT * FROM "raw"."device_rtt" GROUP BY *', epoch="ns") for r in s.rows()]
    assert len(rows) == 10 and {r["rtt_s"] for r in rows} == {0.0015}  # every point once (rewrites overwrite)
    types = {
        r["fieldKey"]: r["fieldType"] for s in influx.query('SHOW FIELD KEYS FROM "raw"."device_rtt"') for r in s.rows()
    }
    assert types == {"up": "integer", "uptime_s": "float", "rtt_s": "float"}


# service_probe as pdcs 0.1's agent scrape wrote it (exposition_map._probes): tags service, url; up int.
V1_PROBE = (
    "service_probe,{tags},device=jt-zz-ert01,kind=e_reading_terminal,service=opac,url=http://opac.jt.cn "
    "up=1i,latency_ms=12.5 {t}"
)


def test_this_rounds_writers_fit_beside_layout_1_points(influx: InfluxDB) -> None:
    """Points written by this release land in the same shards as layout-1 points of the same measurement:
    a field whose type changed would be refused by InfluxDB (and the points lost); none is."""
    from collectors.probes.checks import ProbeResult
    from collectors.probes.collector import probe_points
    from collectors.probes.spec import ProbeSpec

    t = _ns(_midnight(1)) + 9 * 3600 * 10**9  # 09:00 yesterday, Beijing
    influx.write_lines([V1_PROBE.format(tags=TAGS, t=t), V1_RAW.format(tags=TAGS, t=t)])
    spec = ProbeSpec.model_validate(
        {"name": "opac", "device": "jt-zz-ert01", "kind": "http", "url": "http://opac.jt.cn", "device_up": True}
    )
    tags = dict(p.split("=") for p in TAGS.split(",")) | {"device": "jt-zz-ert01", "kind": "e_reading_terminal"}
    new = probe_points(spec, ProbeResult(False, None, 503, None, "HTTP 503"), tags, t + 60 * 10**9)
    assert influx.write_lines(to_lines(new)) == 2  # service_probe and device_up (source=http)

    rows = [
        r for s in influx.query('SELECT "up", "url" FROM "service_probe" ORDER BY time', epoch="ns") for r in s.rows()
    ]
    assert [(r["url"], r["up"]) for r in rows] == [("http://opac.jt.cn", 1), ("http://opac.jt.cn", 0)]
    ups = influx.query("SELECT \"up\" FROM \"device_up\" WHERE device = 'jt-zz-ert01' OR device = 'jt-zz-sw01'")
    assert sorted(v[1] for s in ups for v in s.values) == [0, 1]
