"""Service effect on a real InfluxDB: agent exposition → terminal_session points → daily and yearly roll-ups.

Facility 云顶 (open every day 09:00–21:00, Beijing), three days around Monday
30 Nov 2026 (D).  Every figure below is computed by hand in the comments.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from prometheus_client.exposition import generate_latest

from agents.exposition import build_registry
from agents.usage.sessions import Session, UsageCollector
from collectors.exposition_map import CpuState, map_samples, parse_samples
from inventory.models import Device, Facility, Inventory, Region
from pdcs.points import to_lines
from pdcs.settings import ROLLUP_RP
from pdcs.storage import InfluxDB
from supervision import rollup, usage
from supervision.periods import Period, year_period

SH = ZoneInfo("Asia/Shanghai")
H = 3600.0
EVERY_DAY = {d: "09:00-21:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def t(day: int, hm: str) -> float:
    """Epoch seconds of ``hm`` on D + ``day`` (D = 2026-11-30)."""
    base = datetime(2026, 11, 30, tzinfo=SH) + timedelta(days=day)
    h, m = map(int, hm.split(":"))
    return (base + timedelta(hours=h, minutes=m)).timestamp()


def build() -> Inventory:
    fac = Facility.model_validate(
        {
            "id": "yd",
            "name": "云顶综合文化服务中心",
            "kind": "township_centre",
            "county": "510121",
            "opening_hours": EVERY_DAY,
            # 投运日期: without it (and without device_up polls) the facility would not be supervised yet
            # and its availability roll-up would schedule nothing (supervised time, issue 14).
            "commissioned": "2026-11-01",
        }
    )
    devs = [
        Device.model_validate({"id": i, "kind": k, "facility": "yd"})
        for i, k in (("yd-t1", "e_reading_terminal"), ("yd-t2", "e_reading_terminal"), ("yd-t3", "e_reading_terminal"))
    ] + [Device.model_validate({"id": "yd-k1", "kind": "kiosk", "facility": "yd"})]
    regions = [
        Region(code="51", name="四川省"),
        Region(code="5101", name="成都市"),
        Region(code="510121", name="金堂县"),
    ]
    return Inventory(regions={r.code: r for r in regions}, facilities={"yd": fac}, devices={d.id: d for d in devs})


# What each agent reported, and when the collector last heard from it (an open period lasts until then).
TERMINALS: dict[str, tuple[float, list[Session]]] = {
    "yd-t1": (
        t(1, "01:00"),
        [
            Session("power", t(-1, "08:00"), None),  # on since D−1 08:00, last heard D+1 01:00
            # idle 10:05–10:50 (what the agent saw), but the graphical session is in use from 10:30
            Session("console", t(0, "10:00"), t(0, "11:00"), ((t(0, "10:05"), t(0, "10:50")),)),
            # overlaps the console session on the same seat; never idle (known: an empty list of stretches)
            Session("graphical", t(0, "10:30"), t(0, "11:30"), ()),
            # crosses closing time and midnight; locked from 20:40 to its end
            Session("console", t(0, "20:30"), t(1, "00:30"), ((t(0, "20:40"), t(1, "00:30")),)),
            Session("ssh", t(0, "12:00"), t(0, "13:00")),  # maintenance: never service
        ],
    ),
    "yd-t2": (
        t(0, "22:30"),
        [
            Session("power", t(0, "07:30"), t(0, "22:30")),
            # left logged on overnight; t2 does not report idle time (Windows without lock auditing, say)
            Session("graphical", t(-1, "20:00"), t(0, "12:00")),
            Session("graphical", t(0, "22:00"), t(0, "23:00")),  # after closing: no service
        ],
    ),
    "yd-k1": (
        t(0, "21:30"),
        [
            Session("kiosk", t(0, "09:00"), t(0, "09:10")),
            Session("kiosk", t(0, "09:10"), t(0, "09:25")),
            Session("kiosk", t(0, "10:50"), t(0, "11:05")),
            Session("kiosk_app", t(0, "08:00"), None),  # the application's run is not service time
        ],
    ),
    # yd-t3 sent nothing: not counted, neither as idle nor as in use
}


def write_agents(influx: InfluxDB, inventory: Inventory) -> None:
    lines = []
    for dev, (last_seen, sessions) in TERMINALS.items():

        def source(_now: float, found: list[Session] = sessions) -> list[Session]:
            return found

        def clock(seen: float = last_seen) -> float:
            return seen

        collector = UsageCollector([source], keep_s=10 * 86400, clock=clock)
        samples = parse_samples(generate_latest(build_registry(collector)).decode())
        tags = inventory.device_tags(inventory.devices[dev])
        lines += to_lines(map_samples(samples, tags, int(last_seen * 1e9), source="agent", cpu=CpuState()))
    influx.write_lines(lines)


@pytest.fixture
def inventory() -> Inventory:
    """This module's inventory (the API client of tests/support/figures.py serves it)."""
    return build()


@pytest.fixture
def rolled_usage(influx: InfluxDB, inventory: Inventory) -> tuple[InfluxDB, Inventory]:
    inv = inventory
    write_agents(influx, inv)
    rollup.rollup_days(influx, inv, [date(2026, 11, 29), date(2026, 11, 30), date(2026, 12, 1)])
    return influx, inv


def daily(influx: InfluxDB, measurement: str, day: int) -> dict[str, dict]:
    when = int(t(day, "00:00"))
    out = {}
    for s in influx.query(f'SELECT * FROM "{ROLLUP_RP}"."{measurement}" WHERE time = {when}s GROUP BY *'):
        out[s.tags.get("device") or s.tags["facility"]] = s.rows()[0]
    return out


def test_day_figures_by_hand(rolled_usage: tuple[InfluxDB, Inventory]) -> None:
    influx, _ = rolled_usage
    yd = daily(influx, "facility_daily", 0)["yd"]
    # t1: 10:00–11:30 (two overlapping sessions, once) + 20:30–21:00 (to closing) = 2 h; 3 sessions (ssh not)
    # t2: 09:00–12:00 of the overnight session = 3 h; 0 sessions (it began on D−1; 22:00 is after closing)
    # k1: 09:00–09:25 + 10:50–11:05 = 40 min; 3 sessions
    assert yd["usage_sessions"] == 6
    assert yd["usage_service_s"] == 2 * H + 3 * H + 40 * 60
    assert yd["usage_terminals"] == 4 and yd["usage_terminals_reporting"] == 3
    assert yd["usage_open_s"] == 3 * 12 * H  # 12 opening hours × 3 reporting terminals
    assert yd["usage_power_on_s"] == 24 * H + 15 * H  # t1 all day, t2 07:30–22:30; k1 reports no power-on
    assert yd["usage_peak_terminals"] == 3  # 10:50–11:05: t1, t2 and k1
    devices = daily(influx, "device_daily", 0)
    assert (devices["yd-t1"]["sessions"], devices["yd-t1"]["service_s"], devices["yd-t1"]["power_on_s"]) == (
        3,
        2 * H,
        24 * H,
    )
    assert devices["yd-k1"]["power_on_s"] is None and devices["yd-k1"]["service_s"] == 40 * 60
    assert devices["yd-k1"]["kiosk_app_s"] == 13.5 * H  # its application ran 08:00 → last heard 21:30
    assert devices["yd-t3"].get("sessions") is None  # its availability row, without usage fields


def test_active_service_time_by_hand(rolled_usage: tuple[InfluxDB, Inventory]) -> None:
    """有效使用时长: service time minus the terminal's idle time, from the terminals that report idle time only."""
    influx, _ = rolled_usage
    yd = daily(influx, "facility_daily", 0)["yd"]
    # t1 in use 10:00–11:30 and 20:30–21:00 (2 h); idle while every session was: 10:05–10:30 (the graphical
    # session began 10:30) and 20:40–21:00 (closing; the lock to 00:30 is outside opening hours) = 45 min
    assert yd["usage_active_s"] == 2 * H - 45 * 60
    assert yd["usage_active_service_s"] == 2 * H  # t1's service time: the figure's coverage
    assert yd["usage_active_terminals"] == 1  # t2 and k1 do not report idle time: left out, not taken as active
    devices = daily(influx, "device_daily", 0)
    assert devices["yd-t1"]["active_s"] == 2 * H - 45 * 60
    assert devices["yd-t2"].get("active_s") is None and devices["yd-k1"].get("active_s") is None
    # D+1: t1's locked session piece 00:00–00:30 is outside opening hours: known, and 0 active
    after = daily(influx, "facility_daily", 1)["yd"]
    assert (after["usage_active_s"], after["usage_active_service_s"], after["usage_active_terminals"]) == (0, 0, 1)
    # D−1: only t2's session (idle not reported) and t1's power-on: no figure, not 0
    assert daily(influx, "facility_daily", -1)["yd"].get("usage_active_s") is None
    year = usage.read_usage(influx, {"county": "510121"}, year_period(2026))["yd"]
    assert year.active_days == 2 and year.sums["usage_active_s"] == 2 * H - 45 * 60
    assert year.as_dict()["active_share"] == pytest.approx(0.625)
    assert (year.as_dict()["active_terminal_days"], year.as_dict()["terminal_days"]) == (2, 6)


def test_midnight_and_the_day_before(rolled_usage: tuple[InfluxDB, Inventory]) -> None:
    influx, _ = rolled_usage
    before = daily(influx, "facility_daily", -1)["yd"]
    # D−1: t1 on 08:00–24:00; t2's overnight session began 20:00 and counts there, 20:00–21:00 in opening hours
    assert (before["usage_sessions"], before["usage_service_s"], before["usage_power_on_s"]) == (1, 1 * H, 16 * H)
    assert before["usage_terminals_reporting"] == 2 and before["usage_peak_terminals"] == 1
    after = daily(influx, "facility_daily", 1)["yd"]
    # D+1: t1's session runs to 00:30 (closed: no service, not a new session); on until 01:00
    assert (after["usage_sessions"], after["usage_service_s"], after["usage_power_on_s"]) == (0, 0.0, 1 * H)
    assert after["usage_terminals_reporting"] == 1 and after["usage_peak_terminals"] == 0


def test_rows_keep_the_availability_fields_and_the_year_sums(rolled_usage: tuple[InfluxDB, Inventory]) -> None:
    influx, _ = rolled_usage
    yd = daily(influx, "facility_daily", 0)["yd"]
    assert yd["scheduled_s"] == 12 * H  # written by the availability roll-up, kept beside the usage fields
    year = usage.read_usage(influx, {"county": "510121"}, year_period(2026))["yd"]
    days = usage.read_usage(
        influx, {"county": "510121"}, Period(datetime(2026, 11, 29, tzinfo=SH), datetime(2026, 12, 2, tzinfo=SH))
    )["yd"]
    assert year == days
    assert year.days == 3 and year.sums["usage_sessions"] == 7 and year.peaks["usage_peak_terminals"] == 3
    assert year.sums["usage_service_s"] == 1 * H + 20400 + 0
    assert year.share_in_use == pytest.approx((H + 20400) / ((2 + 3 + 1) * 12 * H))


def test_a_facility_without_reports_has_no_usage_figures(influx: InfluxDB) -> None:
    inv = build()
    rollup.rollup_days(influx, inv, [date(2026, 11, 30)])
    yd = daily(influx, "facility_daily", 0)["yd"]
    assert yd.get("usage_sessions") is None and yd.get("usage_service_s") is None  # unknown, not zero
    assert usage.read_usage(influx, {"county": "510121"}, year_period(2026)) == {}


def test_usage_in_the_api(client: TestClient, rolled_usage: tuple[InfluxDB, Inventory]) -> None:
    period = {"start": "2026-11-29T00:00:00+08:00", "end": "2026-12-02T00:00:00+08:00"}
    body = client.get("/regions/510121/usage", params=period).json()
    assert body["source"] == "rollup" and body["count"] == 1
    assert body["facilities_with_terminals"] == 1 and body["facilities_with_terminal_data"] == 1
    yd = body["data"][0]
    assert (yd["facility"], yd["days"], yd["sessions"], yd["peak_terminals"]) == ("yd", 3, 7, 3)
    assert yd["service_hours"] == pytest.approx((3600 + 20400) / 3600)
    assert yd["power_on_hours"] == pytest.approx(16 + 39 + 1)
    assert yd["share_in_use"] == pytest.approx((3600 + 20400) / ((2 + 3 + 1) * 12 * 3600))
    assert yd["wifi_days"] == 0 and yd["wifi_peak_clients"] is None  # no Wi-Fi data: none, not 0
    assert yd["active_hours"] == pytest.approx(1.25) and yd["active_share"] == pytest.approx(0.625)
    assert (yd["active_service_hours"], yd["active_terminal_days"], yd["terminal_days"]) == (2.0, 2, 6)
    assert body["totals"]["sessions"] == 7
    one = client.get("/facilities/yd/usage", params=period).json()
    assert one["data"] == body["data"] and one["name"] == "云顶综合文化服务中心"
    assert "服务人次" in body["method"]["zh"]


def test_usage_section_of_the_report(rolled_usage: tuple[InfluxDB, Inventory]) -> None:
    from reports.gather import build_report

    influx, inv = rolled_usage
    period = Period(datetime(2026, 11, 29, tzinfo=SH), datetime(2026, 12, 2, tzinfo=SH))
    sec = next(s for s in build_report(influx, inv, "510121", period).sections if s.key == "usage")
    assert sec.title == "六、服务效能" and sec.available
    head = {h.label: h.value for h in sec.headline}
    assert head["服务人次"] == 7 and head["用户服务时长（小时）"] == pytest.approx(24000 / 3600, abs=0.01)
    assert head["设备开机时长（小时）"] == 56.0
    row = sec.tables[0].rows[0]
    assert row[0] == "云顶综合文化服务中心" and row[2] == 7 and row[6] == 3
    assert row[7] == 1.25 and row[8] == 62.5 and row[9] == 2  # 有效使用时长, its share, terminal-days reporting
    assert row[10] is None  # no Wi-Fi data: empty, not 0
    assert head["有效使用时长（小时）"] == 1.25
    assert any("2 / 6 个终端·日" in n and "30.0 %" in n for n in sec.notes)  # coverage: 2 h of 24000 s


def test_periods_longer_than_the_lookback_are_cut_by_the_agent_at_midnight(influx: InfluxDB) -> None:
    """A kiosk on for 30 days and logged on for 10: the day still sees it (the agent cuts at midnight)."""
    inv = build()
    now = t(1, "06:00")
    long = [Session("power", t(-30, "07:00"), None), Session("console", t(-10, "09:30"), None)]

    def source(_now: float) -> list[Session]:
        return long

    collector = UsageCollector([source], keep_s=3 * 86400, clock=lambda: now, tz=SH)
    samples = parse_samples(generate_latest(build_registry(collector)).decode())
    tags = inv.device_tags(inv.devices["yd-t3"])
    points = map_samples(samples, tags, int(now * 1e9), source="agent", cpu=CpuState())
    pieces = [p for p in points if p.measurement == "terminal_session"]
    assert len(pieces) == 8  # D−2, D−1, D and D+1 pieces of each (older ones are past keep)
    assert all(p.fields.get("continued") == 1 for p in pieces)  # each began before its day
    influx.write_lines(to_lines(points))
    rollup.rollup_days(influx, inv, [date(2026, 11, 30)])
    yd = daily(influx, "facility_daily", 0)["yd"]
    assert (yd["usage_sessions"], yd["usage_service_s"], yd["usage_power_on_s"]) == (0, 12 * H, 24 * H)
    assert yd["usage_peak_terminals"] == 1


def test_inspectors_page_shows_sessions_and_share_in_use(
    client: TestClient, rolled_usage: tuple[InfluxDB, Inventory]
) -> None:
    token = client.headers["Authorization"].removeprefix("Bearer ")
    client.post("/web/login", data={"token": token}, follow_redirects=False)
    period = {"start": "2026-11-29", "end": "2026-12-01"}
    page = client.get("/web/region/510121", params=period)
    assert page.status_code == 200, page.text[:500]
    assert "服务人次" in page.text and 'id="head-sessions">7<' in page.text
    assert 'id="head-share-in-use">' in page.text
    # 有效使用占比 from t1's one reporting day (2 h − 45 min of 2 h), with its coverage beside it
    assert 'id="head-active-share">62.5' in page.text
    assert 'id="head-active-coverage">2 / 6 个终端·日上报空闲时间<' in page.text
