"""Service effect (服务效能) of e-reading terminals and kiosks, per terminal, facility and local day.

The agent reports periods (``terminal_session``, one point per period at its
start, ``duration_s`` to its end or to the agent's last answer): user sessions
by seat, the power-on period (``seat=power``) and the kiosk application's run
(``seat=kiosk_app``).  From them, per local day of the facility:

* 服务人次 (service sessions, ``usage_sessions``): user sessions that began on
  the day and were in progress at some moment of the facility's opening
  hours.  A session crossing midnight counts on the day it began.
* 用户服务时长 (user service time, ``usage_service_s``): per terminal, the time
  within the day's opening hours when at least one user session was open —
  two sessions overlapping on one seat count once, a terminal left logged on
  overnight counts only its opening hours.
* 设备开机时长 (power-on time, ``usage_power_on_s``): per terminal, the time of
  the whole local day it was powered on.
* share of opening hours in use (终端使用率): ``usage_service_s ÷ usage_open_s``,
  where ``usage_open_s`` = the day's opening hours × the terminals that
  reported (a terminal whose agent sent nothing that day is not counted as idle:
  nothing is known about it).
* peak terminals in use (同时在用终端峰值, ``usage_peak_terminals``): the most
  terminals with a user session open at one moment of the opening hours.
* active service time (有效使用时长, ``usage_active_s``): 用户服务时长 minus the
  terminal's ``idle`` periods (user sessions open but every one idle or locked,
  as the OS says: Windows locks, Linux tty input and logind idle hints;
  agents/usage/idle.py) — a locked screen is not service.  Only terminals that
  report idle time count (every user-session piece of the day carries
  ``idle_s``); their service time is ``usage_active_service_s`` and their number
  ``usage_active_terminals``, so the figure comes with its coverage and a
  terminal that does not report idle is left out, never taken as fully active.

The three named figures are the statistics of terminal use that the Ministry
of Culture's 《公共电子阅览室管理信息系统功能规范》 (2013) asks a reading
room's management system to keep (服务人次、用户服务时长、设备开机时长); the
share and the peak are ours, derived from them.  ``ssh`` sessions are
maintenance (the platform's own audits log in so) and never count.  Sessions
or power-on periods that began more than ``LOOKBACK_MS`` before the day are
not read — the agent cuts every period at its local midnight, so no piece
lies further back (a ``continued`` piece is not a new session).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from inventory.models import SERVICE_URL, Device, DeviceKind, Facility, Inventory
from pdcs import intervals as iv
from pdcs.points import SERVICE_PROBE, TERMINAL_SESSION, Point, to_lines
from pdcs.settings import ROLLUP_RP
from pdcs.storage import InfluxDB
from supervision import wifi_usage
from supervision.index import devices_by_facility
from supervision.periods import Period, calendar_year, year_period
from supervision.rollup import DEVICE_DAILY, FACILITY_DAILY, FACILITY_YEARLY, facility_row_tags, local_day
from supervision.schedule import HolidayCalendar, service_intervals
from supervision.timeline import tag_where

TERMINAL_KINDS = frozenset({DeviceKind.E_READING_TERMINAL, DeviceKind.KIOSK})
SERVICE_SEATS = frozenset({"console", "graphical", "remote", "kiosk"})
POWER, KIOSK_APP = "power", "kiosk_app"
LOOKBACK_MS = 26 * 3_600_000  # the agent cuts periods at its local midnight: a point is at most a day long

# start ms, end ms, seat, continues a period begun on an earlier day, carries idle_s (its idle time is known)
Span = tuple[int, int, str, bool, bool]
IDLE = "idle"


def fetch_periods(influx: InfluxDB, tags: dict[str, str], start_ms: int, end_ms: int) -> dict[str, list[Span]]:
    """Period pieces per device that began in ``[start_ms − LOOKBACK_MS, end_ms + LOOKBACK_MS)`` matching ``tags``."""
    where, params = tag_where(tags)
    # a day after too: the later pieces of a session begun on the day tell whether it ran in opening hours
    cond = f"time >= {start_ms - LOOKBACK_MS}ms AND time < {end_ms + LOOKBACK_MS}ms" + (
        f" AND {where}" if where else ""
    )
    out: dict[str, list[Span]] = defaultdict(list)
    # device and seat as columns rather than GROUP BY: one merged row stream instead of a series each
    # (InfluxDB 1.x spends about half as much on the same rows; bench/usage.py)
    q = f'SELECT "duration_s", "continued", "idle_s", "device", "seat" FROM "{TERMINAL_SESSION}" WHERE {cond}'
    for s in influx.query(q, params=params, epoch="ms"):
        for t, d, c, i, dev, seat in s.values:
            if d is not None:
                out[dev or ""].append((int(t), int(t) + round(float(d) * 1000), seat or "", bool(c), i is not None))
    return out


@dataclass
class TerminalDay:
    """One terminal's figures for one local day."""

    sessions: int = 0
    service_ms: int = 0
    power_on_ms: int | None = None  # None: no power-on period reported
    kiosk_app_ms: int | None = None  # the kiosk application's run time in the day; None: not reported
    in_use: list[iv.Interval] = field(default_factory=list)  # user sessions ∩ opening hours, merged
    active_ms: int | None = None  # in use and not idle; None: the terminal does not report idle time


def terminal_day(spans: Iterable[Span], day: tuple[int, int], hours: list[iv.Interval]) -> TerminalDay:
    """``hours``: the facility's opening hours from the day's start to at least the end of the last span.

    One pass over the spans sorts them by kind; a session's end through its
    continuation pieces is looked up, not searched (this runs for every terminal).
    """
    d0, d1 = day
    users: list[iv.Interval] = []
    power: list[iv.Interval] = []
    app: list[iv.Interval] = []
    idle: list[iv.Interval] = []
    first_end: dict[tuple[str, int], int] = {}  # (seat, log-on) → end of the first piece
    cont_end: dict[tuple[str, int], int] = {}  # (seat, piece start) → end of a continuation piece
    began: list[tuple[str, int]] = []
    pieces: list[tuple[int, int, bool]] = []  # user-session pieces touching the day, carrying idle time or not
    for s, e, seat, cont, known in spans:
        if seat in SERVICE_SEATS:
            users.append((s, e))
            key = (seat, s)
            ends = cont_end if cont else first_end
            ends[key] = max(ends.get(key, e), e)
            if not cont and d0 <= s < d1 and key not in began:
                began.append(key)
            if s < d1 and e > d0:
                pieces.append((s, e, known))
        elif seat == POWER:
            power.append((s, e))
        elif seat == KIOSK_APP:
            app.append((s, e))
        elif seat == IDLE:
            idle.append((s, e))
    out = TerminalDay()
    # a session counts on the day it began, when some part of it (its later days' pieces too) ran in opening hours
    out.sessions = sum(1 for key in began if iv.overlaps(hours, key[1], _session_end(first_end, cont_end, key)))
    today = iv.intersect(hours, [(d0, d1)])
    out.in_use = iv.intersect(iv.merge(users), today)
    out.service_ms = iv.total(out.in_use)
    # idle time is known when every user-session piece of the day that ran in opening hours carries it
    if any(k for _, _, k in pieces) and all(k for s, e, k in pieces if iv.overlaps(today, s, e)):
        out.active_ms = iv.total(iv.subtract(out.in_use, iv.merge(idle)))
    if power:
        out.power_on_ms = iv.total(iv.intersect(iv.merge(power), [(d0, d1)]))
    if app:
        out.kiosk_app_ms = iv.total(iv.intersect(iv.merge(app), [(d0, d1)]))
    return out


def _session_end(
    first_end: dict[tuple[str, int], int], cont_end: dict[tuple[str, int], int], key: tuple[str, int]
) -> int:
    """The end of the session ``(seat, log-on)``: through its continuation pieces on the same seat."""
    seat, end = key[0], first_end[key]
    while (nxt := cont_end.get((seat, end))) is not None and nxt > end:
        end = nxt
    return end


def peak(in_use: Iterable[list[iv.Interval]]) -> int:
    """The most intervals lists covering one moment (each list merged: one terminal)."""
    edges = sorted((t, step) for spans in in_use for s, e in spans for t, step in ((s, 1), (e, -1)))
    best = cur = 0
    for _, step in edges:  # at equal times -1 sorts first: an end and a start at t do not overlap
        cur += step
        best = max(best, cur)
    return best


@dataclass
class FacilityUsage:
    facility: Facility
    terminals: int  # terminals and kiosks in the inventory
    days: dict[str, TerminalDay]  # reporting terminals only
    open_ms: int  # the day's opening hours

    def fields(self) -> dict[str, float | int]:
        """The facility_daily fields; empty when no terminal reported (no figure rather than zero)."""
        if not self.days:
            return {}
        power = [d.power_on_ms for d in self.days.values() if d.power_on_ms is not None]
        out: dict[str, float | int] = {
            "usage_terminals": self.terminals,
            "usage_terminals_reporting": len(self.days),
            "usage_sessions": sum(d.sessions for d in self.days.values()),
            "usage_service_s": sum(d.service_ms for d in self.days.values()) / 1000,
            "usage_open_s": self.open_ms * len(self.days) / 1000,
            "usage_peak_terminals": peak(d.in_use for d in self.days.values()),
        }
        if power:
            out["usage_power_on_s"] = sum(power) / 1000
        active = [d for d in self.days.values() if d.active_ms is not None]
        if active:
            out["usage_active_s"] = sum(d.active_ms or 0 for d in active) / 1000
            out["usage_active_service_s"] = sum(d.service_ms for d in active) / 1000
            out["usage_active_terminals"] = len(active)
        return out


def terminals_of(inventory: Inventory, facility: Facility) -> list[Device]:
    """Enabled e-reading terminals and kiosks of the facility, by id."""
    return [d for d in devices_by_facility(inventory).get(facility.id, []) if d.kind in TERMINAL_KINDS and d.enabled]


def facility_usage(
    facility: Facility,
    terminals: list[Device],
    periods: dict[str, list[Span]],
    day: Period,
    calendar: HolidayCalendar,
) -> FacilityUsage:
    d0, d1 = day.start_ns // 1_000_000, day.end_ns // 1_000_000
    mine = {t.id: periods[t.id] for t in terminals if periods.get(t.id)}
    last = max((e for spans in mine.values() for _, e, _, _, _ in spans), default=d1)
    hours = service_intervals(facility, d0, max(d1, last), calendar)
    days = {
        dev: terminal_day(spans, (d0, d1), hours)
        for dev, spans in mine.items()
        if any(s < d1 and e > d0 for s, e, _, _, _ in spans) or any(d0 <= s < d1 for s, _, _, _, _ in spans)
    }
    return FacilityUsage(facility, len(terminals), days, iv.total(iv.intersect(hours, [(d0, d1)])))


# -- roll-ups -------------------------------------------------------------------------------------------------

USAGE_SUMS = (
    "usage_terminals",
    "usage_terminals_reporting",
    "usage_sessions",
    "usage_service_s",
    "usage_open_s",
    "usage_power_on_s",
)


def county_day_points(
    influx: InfluxDB, inventory: Inventory, county: str, day: date, calendar: HolidayCalendar
) -> list[Point]:
    """``facility_daily`` and ``device_daily`` usage fields of a county's local day.

    Written as their own points on the rows' series and times: InfluxDB merges
    the fields of points with the same series and time, so the availability
    and traffic fields of the same rows stay as the roll-up wrote them.
    """
    points: list[Point] = []
    facs = [f for f in inventory.facilities_in(county) if f.county == county]
    by_tz: dict[str, list[Facility]] = defaultdict(list)
    for f in facs:
        by_tz[f.timezone].append(f)
    for tzname, group in by_tz.items():
        period = local_day(day, ZoneInfo(tzname))
        # the terminal periods and the probes are read while the Wi-Fi part runs (InfluxDB answers on the
        # other core while this thread parses and buckets; the InfluxDB client is per thread)
        with ThreadPoolExecutor(max_workers=2) as pool:
            periods_f = pool.submit(
                fetch_periods, influx, {"county": county}, period.start_ns // 1_000_000, period.end_ns // 1_000_000
            )
            probes_f = pool.submit(probe_points, influx, county, group, period, calendar)
            points += wifi_usage.county_day_points(influx, inventory, county, group, period, calendar)
            periods = periods_f.result()
            points += probes_f.result()
        for fac in group:
            u = facility_usage(fac, terminals_of(inventory, fac), periods, period, calendar)
            fields = u.fields()
            if not fields:
                continue
            points.append(Point(FACILITY_DAILY, facility_row_tags(fac), fields, period.start_ns))
            for dev, d in u.days.items():
                dfields: dict[str, float | int] = {"sessions": d.sessions, "service_s": d.service_ms / 1000}
                if d.power_on_ms is not None:
                    dfields["power_on_s"] = d.power_on_ms / 1000
                if d.kiosk_app_ms is not None:
                    dfields["kiosk_app_s"] = d.kiosk_app_ms / 1000
                if d.active_ms is not None:
                    dfields["active_s"] = d.active_ms / 1000
                points.append(
                    Point(DEVICE_DAILY, inventory.device_tags(inventory.devices[dev]), dfields, period.start_ns)
                )
    return points


def probe_points(
    influx: InfluxDB, county: str, facilities: list[Facility], period: Period, calendar: HolidayCalendar
) -> list[Point]:
    """``probe_open_n``/``probe_open_up``: probes of each facility's declared service URL in its opening hours.

    The probes are ``service_probe`` points whose ``url`` is the facility's ``service_url`` attribute:
    the collector's own probe of it (collectors/probes/declared.py) or an agent's ``services`` list.
    """
    urls = {f.id: str(f.attributes[SERVICE_URL]) for f in facilities if f.attributes.get(SERVICE_URL)}
    if not urls:
        return []
    where, params = tag_where({"county": county})
    start, end = period.start_ns // 1_000_000, period.end_ns // 1_000_000
    q = (
        f'SELECT "up" FROM "{SERVICE_PROBE}" WHERE {where} AND time >= {start}ms AND time < {end}ms '
        'GROUP BY "facility", "url"'
    )
    counts: dict[str, list[int]] = {}
    hours = {f.id: service_intervals(f, start, end, calendar) for f in facilities if f.id in urls}
    for s in influx.query(q, params=params):
        fid = s.tags.get("facility", "")
        if urls.get(fid) != s.tags.get("url"):
            continue
        c = counts.setdefault(fid, [0, 0])
        for t, up in s.values:
            if up is not None and iv.overlaps(hours[fid], int(t), int(t) + 1):
                c[0] += 1
                c[1] += int(up)
    by_id = {f.id: f for f in facilities}
    return [
        Point(FACILITY_DAILY, facility_row_tags(by_id[fid]), {"probe_open_n": n, "probe_open_up": up}, period.start_ns)
        for fid, (n, up) in counts.items()
    ]


def rollup_county_day(influx: InfluxDB, inventory: Inventory, county: str, day: date, calendar: HolidayCalendar) -> int:
    return influx.write_lines(
        to_lines(county_day_points(influx, inventory, county, day, calendar)), retention_policy=ROLLUP_RP
    )


ACTIVE_SUMS = ("usage_active_s", "usage_active_service_s", "usage_active_terminals")
WIFI_SUMS = ("wifi_client_hours", "wifi_distinct_clients", "wifi_ap_up_s", "wifi_open_s")
PROBE_SUMS = ("probe_open_n", "probe_open_up")
# the year's highest: terminals in use at once, terminals reporting on a day, Wi-Fi clients at once, uplink capacity
PEAKS = ("usage_peak_terminals", "usage_terminals_seen", "wifi_peak_clients", "capacity_bps_max")
_DAILY_PEAK = {"usage_peak_terminals": "usage_peak_terminals", "usage_terminals_seen": "usage_terminals_reporting"}


@dataclass
class UsageSums:
    """Usage figures of a facility summed over days (or read from its year row)."""

    facility: str
    days: int = 0  # days with terminal figures
    wifi_days: int = 0  # days with Wi-Fi figures
    probe_days: int = 0  # days with probes of the declared service URL
    active_days: int = 0  # days with active service time (some terminal reported idle time)
    sums: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys((*USAGE_SUMS, *ACTIVE_SUMS, *WIFI_SUMS, *PROBE_SUMS), 0.0)
    )
    peaks: dict[str, float] = field(default_factory=lambda: dict.fromkeys(PEAKS, 0.0))

    @property
    def share_in_use(self) -> float | None:
        return self.sums["usage_service_s"] / self.sums["usage_open_s"] if self.sums["usage_open_s"] else None

    @property
    def wifi_coverage(self) -> float | None:
        """Share of opening hours with at least one AP up."""
        return self.sums["wifi_ap_up_s"] / self.sums["wifi_open_s"] if self.sums["wifi_open_s"] else None

    def add_row(self, row: dict[str, Any]) -> None:
        """Add one facility_daily row (only the parts it has figures for)."""
        if row.get("usage_sessions") is not None:
            self.days += 1
            for c in USAGE_SUMS:
                self.sums[c] += row.get(c) or 0.0
            self.peaks["usage_peak_terminals"] = max(
                self.peaks["usage_peak_terminals"], int(row.get("usage_peak_terminals") or 0)
            )
        if row.get("usage_active_s") is not None:
            self.active_days += 1
            for c in ACTIVE_SUMS:
                self.sums[c] += row.get(c) or 0.0
        if row.get("wifi_open_s") is not None:
            self.wifi_days += 1
            for c in WIFI_SUMS:
                self.sums[c] += row.get(c) or 0.0
            self.peaks["wifi_peak_clients"] = max(
                self.peaks["wifi_peak_clients"], int(row.get("wifi_peak_clients") or 0)
            )
        if row.get("probe_open_n") is not None:  # the declared service URL was probed that day
            self.probe_days += 1
            for c in PROBE_SUMS:
                self.sums[c] += row.get(c) or 0.0

    def year_fields(self) -> dict[str, float | int]:
        out: dict[str, float | int] = {
            "usage_days": self.days,
            "wifi_days": self.wifi_days,
            "probe_days": self.probe_days,
            "usage_active_days": self.active_days,
        }
        for n, names in (
            (self.days, USAGE_SUMS),
            (self.active_days, ACTIVE_SUMS),
            (self.wifi_days, WIFI_SUMS),
            (self.probe_days, PROBE_SUMS),
        ):
            if n:
                out.update({c: self.sums[c] for c in names})
        out.update({c: v for c, v in self.peaks.items() if v})
        return out

    @classmethod
    def from_year_row(cls, row: dict[str, Any]) -> UsageSums:
        r = cls(
            row["facility"],
            int(row.get("usage_days") or 0),
            int(row.get("wifi_days") or 0),
            int(row.get("probe_days") or 0),
            int(row.get("usage_active_days") or 0),
        )
        for c in r.sums:
            r.sums[c] = float(row.get(c) or 0.0)
        for c in PEAKS:
            r.peaks[c] = float(row.get(c) or 0)
        return r

    def as_dict(self) -> dict[str, Any]:
        """The figures for answers and reports (None where there is no data)."""
        s = self.sums
        terminals = self.days > 0
        wifi = self.wifi_days > 0
        active = self.active_days > 0
        return {
            "facility": self.facility,
            "days": self.days,
            "sessions": int(s["usage_sessions"]) if terminals else None,
            "service_hours": s["usage_service_s"] / 3600 if terminals else None,
            "power_on_hours": s["usage_power_on_s"] / 3600 if terminals else None,
            "terminals": round(s["usage_terminals"] / self.days) if terminals else None,
            "share_in_use": self.share_in_use if terminals else None,
            "peak_terminals": int(self.peaks["usage_peak_terminals"]) if terminals else None,
            "active_hours": s["usage_active_s"] / 3600 if active else None,
            "active_share": (
                s["usage_active_s"] / s["usage_active_service_s"] if active and s["usage_active_service_s"] else None
            ),
            "active_service_hours": s["usage_active_service_s"] / 3600 if active else None,
            "active_terminal_days": int(s["usage_active_terminals"]) if terminals else None,
            "terminal_days": int(s["usage_terminals_reporting"]) if terminals else None,
            "wifi_days": self.wifi_days,
            "wifi_peak_clients": int(self.peaks["wifi_peak_clients"]) if wifi else None,
            "wifi_client_hours": s["wifi_client_hours"] if wifi else None,
            "wifi_distinct_clients": int(s["wifi_distinct_clients"]) if wifi else None,
            "wifi_coverage": self.wifi_coverage if wifi else None,
        }


def _has_any(r: UsageSums) -> bool:
    return r.days > 0 or r.wifi_days > 0 or r.probe_days > 0


def read_usage_days(influx: InfluxDB, tags: dict[str, str], period: Period) -> dict[str, UsageSums]:
    """Usage fields of the ``facility_daily`` rows whose day starts within ``period``, summed per facility."""
    where, params = tag_where(tags)
    cond = f"time >= {period.start_ns // 1_000_000}ms AND time < {period.end_ns // 1_000_000}ms"
    cond += f" AND {where}" if where else ""
    cols = ", ".join(
        f'"{c}"'
        for c in (
            *USAGE_SUMS,
            *ACTIVE_SUMS,
            *WIFI_SUMS,
            *PROBE_SUMS,
            "usage_peak_terminals",
            "wifi_peak_clients",
            "capacity_bps",
        )
    )
    q = f'SELECT {cols}, "facility" FROM "{ROLLUP_RP}"."{FACILITY_DAILY}" WHERE {cond}'
    out: dict[str, UsageSums] = {}
    for s in influx.query(q, params=params):
        for row in s.rows():
            fid = row["facility"]
            r = out.get(fid) or UsageSums(fid)
            r.add_row(row)
            if _has_any(r):
                out[fid] = r
    return out


def rebuild_year(influx: InfluxDB, inventory: Inventory, county: str, year: int) -> int:
    """Write the usage fields of the county's ``facility_yearly`` rows (merged into the rows' other fields)."""
    points = []
    for fid, r in read_usage_days(influx, {"county": county}, year_period(year)).items():
        fac = inventory.facilities.get(fid)
        if fac is not None:
            points.append(Point(FACILITY_YEARLY, facility_row_tags(fac), r.year_fields(), year_period(year).start_ns))
    return influx.write_lines(to_lines(points), retention_policy=ROLLUP_RP)


def read_usage_year(influx: InfluxDB, tags: dict[str, str], year: int) -> dict[str, UsageSums]:
    where, params = tag_where(tags)
    cond = f"time = {year_period(year).start_ns // 1_000_000}ms" + (f" AND {where}" if where else "")
    cols = ", ".join(
        f'"{c}"'
        for c in (
            *USAGE_SUMS,
            *ACTIVE_SUMS,
            *WIFI_SUMS,
            *PROBE_SUMS,
            *PEAKS,
            "usage_days",
            "wifi_days",
            "probe_days",
            "usage_active_days",
        )
    )
    q = f'SELECT {cols}, "facility" FROM "{ROLLUP_RP}"."{FACILITY_YEARLY}" WHERE {cond}'
    out: dict[str, UsageSums] = {}
    for s in influx.query(q, params=params):
        for row in s.rows():
            r = UsageSums.from_year_row(row)
            if _has_any(r):
                out[r.facility] = r
    return out


def read_usage(influx: InfluxDB, tags: dict[str, str], period: Period) -> dict[str, UsageSums]:
    """Per-facility usage over ``period``: the year rows for a calendar year, else the daily rows."""
    year = calendar_year(period)
    return read_usage_year(influx, tags, year) if year is not None else read_usage_days(influx, tags, period)


# -- answers ----------------------------------------------------------------------------------------------------

USAGE_METHOD = {
    "zh": (
        "来自日汇总（每个设施本地日一行）：服务人次 = 当日开始且在开放时间内进行的用户会话数；用户服务时长 "
        "= 各终端开放时间内有用户会话的时长之和（同一终端重叠的会话只计一次，隔夜登录只计开放时间）；设备开机时长 "
        "= 各终端当日开机时长之和；终端使用率 = 用户服务时长 ÷（开放时长 × 有上报的终端数）；同时在用终端峰值 "
        "= 开放时间内同一时刻在用终端数的最大值；有效使用时长 = 用户服务时长中扣除终端空闲或锁屏的时间"
        "（会话全部空闲或锁屏，"
        "以操作系统报告为准：Windows 锁屏事件、Linux 终端输入时间与 logind 空闲提示），"
        "只计上报空闲时间的终端，并给出其覆盖（终端·日数与所占服务时长），未上报的终端不按全部有效计；无线：同时接入终端峰值、"
        "接入时长（终端·小时）、当日去重终端数（MAC 以每日更换的盐值散列后计数，不存储 MAC）。未上报的终端和设施不计为 "
        "0，而是列为无数据。"
    ),
    "en": (
        "From the daily roll-ups (one row per facility and local day): service sessions = user sessions that "
        "began on the day and ran during opening hours; user service time = per terminal, opening-hours time "
        "with a user session open (overlapping sessions on one seat once; a terminal left logged on overnight "
        "counts only opening hours); power-on time = per terminal, time powered on in the day; share in use = "
        "service time ÷ (opening hours × reporting terminals); peak terminals in use = the most terminals in "
        "use at one moment of opening hours; active service time = user service time minus the terminal's idle "
        "or locked time (every session idle or locked, as the OS says: Windows lock events, Linux tty input and "
        "logind idle hints), from the terminals that report idle time only, with their coverage (terminal-days "
        "and the service time they hold) — a terminal that does not report it is left out, never taken as fully "
        "active; Wi-Fi: peak concurrent clients, client-hours, daily distinct clients (MACs hashed with a salt "
        "replaced every day, never stored). Terminals and facilities that reported nothing are listed as without "
        "data, never counted as 0."
    ),
}


def region_usage(influx: InfluxDB, inventory: Inventory, code: str, period: Period) -> dict[str, Any]:
    """The service-effect figures of a region's facilities over ``period`` (daily roll-ups; year rows for a year)."""
    from supervision.regions import level_tags

    facilities = {f.id: f for f in inventory.facilities_in(code)}
    rows = {fid: r for fid, r in read_usage(influx, level_tags(code), period).items() if fid in facilities}
    data = [{"name": facilities[fid].name, **rows[fid].as_dict()} for fid in sorted(rows)]
    total = UsageSums("")
    for r in rows.values():
        total.days += r.days
        total.wifi_days += r.wifi_days
        total.active_days += r.active_days
        for k, v in r.sums.items():
            total.sums[k] += v
        for k, p in r.peaks.items():
            total.peaks[k] = max(total.peaks[k], p)
    with_terminals = [f for f in facilities.values() if terminals_of(inventory, f)]
    summary = total.as_dict()
    summary.pop("facility")
    summary.pop("terminals")
    return {
        "period": period.as_dict(),
        "source": "rollup",
        "method": USAGE_METHOD,
        "facilities": len(facilities),
        "facilities_with_terminals": len(with_terminals),
        "facilities_with_terminal_data": sum(1 for r in rows.values() if r.days),
        "facilities_with_wifi_data": sum(1 for r in rows.values() if r.wifi_days),
        "totals": summary,
        "data": data,
        "count": len(data),
    }
