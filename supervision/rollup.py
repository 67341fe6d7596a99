"""Daily roll-ups into the ``rollup`` retention policy, and reading them back.

One row per device and per facility per LOCAL day of the facility (the row's
time is local midnight), so that a year reads 365 rows per facility instead of
half a million polls:

* ``device_daily`` (region tags, facility, device, kind): ``scheduled_s``,
  ``up_s``, ``unknown_s``, ``outages``, ``polls``, ``answered``.
* ``facility_daily`` (region tags, facility, facility_kind): ``scheduled_s``,
  ``serving_s``, ``unknown_s``, ``outages``, ``supervised`` (0/1),
  ``device_scheduled_s``, ``device_up_s``, ``device_unknown_s``, ``polls``, traffic of the uplinks
  (``in_bytes``, ``out_bytes``, ``in_p95_bps``, ``out_p95_bps``,
  ``capacity_bps``, ``util_p95``), and ``checks``/``checks_passed`` from
  ``security_check``.

The figures are the raw computations (``availability``, ``bandwidth``) run on
one local day, so raw and roll-up answers agree to the second for whole days.
Outages are kept only by number: an outage crossing midnight counts once per day.
Writing the same day again overwrites it (same series, same time).

``facility_yearly`` holds, per facility and calendar year (Beijing time; the
row's time is 1 January 00:00), the sums of that year's daily rows so far.  It
is rebuilt for a county from its daily rows whenever days of the county are
rolled up, so an annual national report reads one row per facility: InfluxDB
1.x aggregates many series slowly (summing 365 rows for each of 1,000
facilities took 12 s here), and a national report over 10,000 facilities must
not do that at request time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from inventory.models import Facility, Inventory, region_chain
from pdcs.points import SECURITY_CHECK, Point, to_lines
from pdcs.settings import ROLLUP_RP
from pdcs.storage import InfluxDB
from supervision import availability as av
from supervision import bandwidth as bw
from supervision.periods import Period, calendar_year, year_period
from supervision.regions import level_tags
from supervision.schedule import HolidayCalendar, official_calendar
from supervision.serving import ServingRules, default_rules
from supervision.timeline import tag_where

DEVICE_DAILY = "device_daily"
FACILITY_DAILY = "facility_daily"
FACILITY_YEARLY = "facility_yearly"


def local_day(day: date, tz: ZoneInfo) -> Period:
    return Period(
        datetime.combine(day, time(0), tzinfo=tz), datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    )


def facility_row_tags(facility: Facility) -> dict[str, str]:
    """The tags of a facility's ``facility_daily`` and ``facility_yearly`` rows."""
    province, city, county = region_chain(facility.county)
    return {
        "province": province,
        "city": city,
        "county": county,
        "facility": facility.id,
        "facility_kind": facility.kind.value,
    }


def counties(inventory: Inventory) -> list[str]:
    return sorted({f.county for f in inventory.facilities.values()})


def _checks(influx: InfluxDB, county: str, period: Period) -> dict[str, tuple[int, int]]:
    where, params = tag_where({"county": county})
    start, end = period.start_ns // 1_000_000, period.end_ns // 1_000_000
    q = (
        f"SELECT count(passed) AS n, sum(passed) AS ok FROM {SECURITY_CHECK} "
        f"WHERE {where} AND time >= {start}ms AND time < {end}ms GROUP BY facility"
    )
    out = {}
    for s in influx.query(q, params=params):
        for row in s.rows():
            out[s.tags.get("facility", "")] = (int(row["n"] or 0), int(row["ok"] or 0))
    return out


def _tz_groups(facilities: Iterable[Facility]) -> dict[str, list[Facility]]:
    groups: dict[str, list[Facility]] = defaultdict(list)
    for f in facilities:
        groups[f.timezone].append(f)
    return groups


def county_day_points(
    influx: InfluxDB,
    inventory: Inventory,
    county: str,
    day: date,
    rules: ServingRules,
    calendar: HolidayCalendar,
) -> list[Point]:
    points: list[Point] = []
    for tzname, facs in _tz_groups(inventory.facilities_in(county)).items():
        period = local_day(day, ZoneInfo(tzname))
        t_ns = period.start_ns
        results = av.facilities_results(influx, inventory, facs, {"county": county}, period, rules, calendar)
        links = bw.fetch_links(influx, {"county": county}, period)
        checks = _checks(influx, county, period)
        by_fac: dict[str, list[tuple[bw.LinkKey, bw.Series]]] = defaultdict(list)
        for link, series in links.values():
            by_fac[link.facility].append((link, series))
        for r in results:
            fac = r.facility
            ftags = facility_row_tags(fac)
            for dev, f in r.device_figures.items():
                n, ok = r.poll_counts.get(dev, (0, 0))
                points.append(
                    Point(
                        DEVICE_DAILY,
                        inventory.device_tags(inventory.devices[dev]),
                        {
                            "scheduled_s": f.scheduled_ms / 1000,
                            "up_s": f.up_ms / 1000,
                            "unknown_s": f.unknown_ms / 1000,
                            "outages": len(f.outages),
                            "polls": n,
                            "answered": ok,
                        },
                        t_ns,
                    )
                )
            dev_tot = r.device_totals()
            fields: dict[str, float | int] = {
                "scheduled_s": r.figures.scheduled_ms / 1000,
                "serving_s": r.figures.up_ms / 1000,
                "unknown_s": r.figures.unknown_ms / 1000,
                "outages": len(r.figures.outages),
                "supervised": int(r.plan.supervised),
                "devices": len(r.plan.devices),
                "device_scheduled_s": dev_tot.scheduled_ms / 1000,
                "device_up_s": dev_tot.up_ms / 1000,
                "device_unknown_s": dev_tot.unknown_ms / 1000,
                "polls": sum(n for n, _ in r.poll_counts.values()),
            }
            uplinks = [s for k, s in by_fac[fac.id] if k.uplink]
            if uplinks:
                total = bw.Series()
                for s in uplinks:
                    total.add(s)
                cap = bw.facility_capacity(fac, uplinks)
                fig = bw.figures(total, cap, fac.tz)
                fields["in_bytes"] = sum(i for i, _ in total.buckets.values()) * bw.BUCKET_MS / 1000 / 8
                fields["out_bytes"] = sum(o for _, o in total.buckets.values()) * bw.BUCKET_MS / 1000 / 8
                fields["in_p95_bps"] = float(fig["in_p95_bps"])
                fields["out_p95_bps"] = float(fig["out_p95_bps"])
                if cap:
                    fields["capacity_bps"] = float(cap)
                    fields["util_p95"] = float(fig["utilisation_p95"])
            if fac.id in checks:
                fields["checks"], fields["checks_passed"] = checks[fac.id]
            points.append(Point(FACILITY_DAILY, ftags, fields, t_ns))
    return points


def rollup_days(
    influx: InfluxDB,
    inventory: Inventory,
    days: Iterable[date],
    *,
    only: Iterable[str] | None = None,
    rules: ServingRules | None = None,
    calendar: HolidayCalendar | None = None,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Roll up local days for every county (or those in ``only``), then rebuild their year rows.

    Returns the rows written.  ``progress`` is called once per county and day.
    """
    rules = rules or default_rules()
    calendar = calendar or official_calendar()
    chosen = list(only) if only is not None else counties(inventory)
    written = 0
    years: set[int] = set()
    from supervision import usage  # usage imports this module's row names

    for day in days:
        years.add(day.year)
        for county in chosen:
            points = county_day_points(influx, inventory, county, day, rules, calendar)
            written += influx.write_lines(to_lines(points), retention_policy=ROLLUP_RP)
            written += usage.rollup_county_day(influx, inventory, county, day, calendar)
            if progress:
                progress(county)
    for year in sorted(years):
        for county in chosen:
            written += rebuild_year(influx, inventory, county, year)
            written += usage.rebuild_year(influx, inventory, county, year)
    return written


def rollup_day(influx: InfluxDB, inventory: Inventory, day: date, **kw: Any) -> int:
    """Roll up one local day (see :func:`rollup_days`)."""
    return rollup_days(influx, inventory, [day], **kw)


def rebuild_year(influx: InfluxDB, inventory: Inventory, county: str, year: int) -> int:
    """Rewrite the ``facility_yearly`` rows of a county's facilities from their daily rows."""
    rows = read_facility_days(influx, {"county": county}, year_period(year))
    t_ns = year_period(year).start_ns
    points = []
    for fid, r in rows.items():
        fac = inventory.facilities.get(fid)
        if fac is None:
            continue
        tags = facility_row_tags(fac)
        fields: dict[str, float | int] = {k: v for k, v in r.sums.items()}
        fields["days"] = r.days
        fields["supervised_days"] = r.supervised_days
        if r.first_day_ms is not None and r.last_day_ms is not None:
            fields["first_day_ms"], fields["last_day_ms"] = r.first_day_ms, r.last_day_ms
        for key, value in (
            ("util_mean", r.util_p95_mean),
            ("util_max", r.util_p95_max),
            ("in_p95", r.in_p95_max),
            ("out_p95", r.out_p95_max),
        ):
            if value is not None:
                fields[key] = float(value)
        points.append(Point(FACILITY_YEARLY, tags, fields, t_ns))
    return influx.write_lines(to_lines(points), retention_policy=ROLLUP_RP)


# -- reading ------------------------------------------------------------------

FACILITY_SUMS = (
    "scheduled_s",
    "serving_s",
    "unknown_s",
    "outages",
    "device_scheduled_s",
    "device_up_s",
    "device_unknown_s",
    "polls",
    "in_bytes",
    "out_bytes",
    "checks",
    "checks_passed",
)


@dataclass
class FacilityDays:
    facility: str
    days: int
    sums: dict[str, float]
    supervised_days: int
    util_p95_mean: float | None
    util_p95_max: float | None
    in_p95_max: float | None
    out_p95_max: float | None
    first_day_ms: int | None = None  # the first and last daily rows summed (local midnights)
    last_day_ms: int | None = None


def read_facility_days(influx: InfluxDB, tags: dict[str, str], period: Period) -> dict[str, FacilityDays]:
    """Sums of ``facility_daily`` rows whose day starts within ``period``, per facility.

    The rows are read as they are and summed here: InfluxDB 1.x runs one
    iterator per field and series for ``sum() … GROUP BY facility``, which is
    far slower than returning the rows.
    """
    where, params = tag_where(tags)
    cond = f"time >= {period.start_ns // 1_000_000}ms AND time < {period.end_ns // 1_000_000}ms"
    if where:
        cond += f" AND {where}"
    extra = ("supervised", "util_p95", "in_p95_bps", "out_p95_bps")
    cols = ", ".join(f'"{f}"' for f in (*FACILITY_SUMS, *extra))
    q = f'SELECT {cols}, "facility" FROM "{ROLLUP_RP}"."{FACILITY_DAILY}" WHERE {cond}'
    acc: dict[str, FacilityDays] = {}
    utils: dict[str, list[float]] = defaultdict(list)
    for s in influx.query(q, params=params):
        idx = {c: i for i, c in enumerate(s.columns)}
        sum_idx = [(f, idx[f]) for f in FACILITY_SUMS]
        for v in s.values:
            fid = v[idx["facility"]]
            r = acc.get(fid)
            if r is None:
                r = acc[fid] = FacilityDays(fid, 0, dict.fromkeys(FACILITY_SUMS, 0.0), 0, None, None, None, None)
            r.days += 1
            t = int(v[idx["time"]])
            r.first_day_ms = t if r.first_day_ms is None else min(r.first_day_ms, t)
            r.last_day_ms = t if r.last_day_ms is None else max(r.last_day_ms, t)
            for f, i in sum_idx:
                if v[i] is not None:
                    r.sums[f] += v[i]
            r.supervised_days += int(v[idx["supervised"]] or 0)
            util = v[idx["util_p95"]]
            if util is not None:
                utils[fid].append(util)
                r.util_p95_max = max(r.util_p95_max or 0.0, util)
            for attr, col in (("in_p95_max", "in_p95_bps"), ("out_p95_max", "out_p95_bps")):
                x = v[idx[col]]
                if x is not None:
                    setattr(r, attr, max(getattr(r, attr) or 0.0, x))
    for fid, us in utils.items():
        acc[fid].util_p95_mean = sum(us) / len(us)
    return acc


def read_facility_year(influx: InfluxDB, tags: dict[str, str], year: int) -> dict[str, FacilityDays]:
    """The ``facility_yearly`` rows of ``year`` (one per facility, no aggregation at query time)."""
    where, params = tag_where(tags)
    cond = f"time = {year_period(year).start_ns // 1_000_000}ms" + (f" AND {where}" if where else "")
    out: dict[str, FacilityDays] = {}
    for s in influx.query(f'SELECT * FROM "{ROLLUP_RP}"."{FACILITY_YEARLY}" WHERE {cond}', params=params):
        for row in s.rows():
            fid = row["facility"]
            out[fid] = FacilityDays(
                fid,
                int(row.get("days") or 0),
                {f: float(row.get(f) or 0.0) for f in FACILITY_SUMS},
                int(row.get("supervised_days") or 0),
                row.get("util_mean"),
                row.get("util_max"),
                row.get("in_p95"),
                row.get("out_p95"),
                int(row["first_day_ms"]) if row.get("first_day_ms") is not None else None,
                int(row["last_day_ms"]) if row.get("last_day_ms") is not None else None,
            )
    return out


def read_rollups(influx: InfluxDB, tags: dict[str, str], period: Period) -> dict[str, FacilityDays]:
    """Per-facility sums over ``period``: year rows for a calendar year, else daily rows."""
    year = calendar_year(period)
    if year is not None:
        return read_facility_year(influx, tags, year)
    return read_facility_days(influx, tags, period)


def region_availability_rollup(influx: InfluxDB, inventory: Inventory, code: str, period: Period) -> av.RegionResult:
    """Region availability from roll-ups (no outage list, outages by number)."""
    rows = read_rollups(influx, level_tags(code), period)
    total, devices = av.Figures(), av.Figures()
    children: dict[str, av.Figures] = defaultdict(av.Figures)
    facilities = inventory.facilities_in(code)
    unsupervised = []
    for fac in sorted(facilities, key=lambda f: f.id):
        r = rows.get(fac.id)
        if r is None or r.supervised_days == 0:
            unsupervised.append(fac.id)
            continue
        figs = av.Figures(
            scheduled_ms=round(r.sums["scheduled_s"] * 1000),
            up_ms=round(r.sums["serving_s"] * 1000),
            unknown_ms=round(r.sums["unknown_s"] * 1000),
            counted_outages=int(r.sums["outages"]),
        )
        total.add(figs)
        devices.add(
            av.Figures(
                round(r.sums["device_scheduled_s"] * 1000),
                round(r.sums["device_up_s"] * 1000),
                round(r.sums["device_unknown_s"] * 1000),
            )
        )
        children[av.child_of(code, fac)].add(figs)
    return av.RegionResult(code, total, devices, dict(children), len(facilities), unsupervised, source="rollup")


def rollup_summary(rows: dict[str, FacilityDays]) -> dict[str, Any]:
    """Traffic and check figures of many facilities' roll-ups."""
    tot: defaultdict[str, float] = defaultdict(float)
    for r in rows.values():
        for k, v in r.sums.items():
            tot[k] += v
    utils = [r.util_p95_mean for r in rows.values() if r.util_p95_mean is not None]
    return {
        "in_bytes": tot["in_bytes"],
        "out_bytes": tot["out_bytes"],
        "util_p95_mean": sum(utils) / len(utils) if utils else None,
        "checks": int(tot["checks"]),
        "checks_passed": int(tot["checks_passed"]),
        "check_pass_rate": tot["checks_passed"] / tot["checks"] if tot["checks"] else None,
    }


def bandwidth_rollup(influx: InfluxDB, inventory: Inventory, code: str, period: Period) -> dict[str, Any]:
    """Uplink traffic of a region's facilities from roll-ups: bytes, and daily p95 figures."""
    rows = read_rollups(influx, level_tags(code), period)
    data = []
    for fid in sorted(rows):
        r = rows[fid]
        fac = inventory.facilities.get(fid)
        if fac is None or (r.sums["in_bytes"] == 0 and r.sums["out_bytes"] == 0):
            continue
        data.append(
            {
                "facility": fid,
                "name": fac.name,
                "in_bytes": r.sums["in_bytes"],
                "out_bytes": r.sums["out_bytes"],
                "in_mean_bps": r.sums["in_bytes"] * 8 / period.seconds,
                "out_mean_bps": r.sums["out_bytes"] * 8 / period.seconds,
                "in_p95_max_daily_bps": r.in_p95_max,
                "out_p95_max_daily_bps": r.out_p95_max,
                "utilisation_p95_mean_daily": r.util_p95_mean,
                "utilisation_p95_max_daily": r.util_p95_max,
            }
        )
    return {
        "period": period.as_dict(),
        "facilities": len(inventory.facilities_in(code)),
        "facilities_with_data": len(data),
        **rollup_summary(rows),
        "data": data,
        "count": len(data),
    }
