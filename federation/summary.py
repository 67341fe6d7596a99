"""County and province summaries per 5-minute bucket (and per hour) from a province's own store.

Every figure comes from the code that answers the same question on raw points:

* devices up / down / unknown — each device's timeline (``supervision.timeline`` with the
  collectors' liveness, ``supervision.liveness``: a device whose covering collector was silent
  is *unknown*, never down), through ``supervision.availability.facility_result``; counted
  at the bucket's end (the last millisecond), among devices in their supervised window;
* facilities serving — the serving rules (``supervision/serving.py``) on the same timelines,
  at the bucket's end; ``facilities_open``: in scheduled opening hours then
  (``supervision.schedule.service_intervals``);
* seconds in scheduled time (``scheduled_s``, ``serving_s``, ``unknown_s``,
  ``device_scheduled_s``, ``device_up_s``, ``device_unknown_s``) — ``facility_result``'s
  figures for the bucket, so over any run of buckets they add up exactly to
  ``supervision.availability.region_availability`` over the same time;
* uplink bps — ``supervision.bandwidth.fetch_links``: each uplink's mean over the bucket,
  summed over the county (absent when no uplink reported: no data is not 0 bps);
* clients — each Wi-Fi device's total (no ``ap``/``radio``/``ssid`` tag, as
  ``supervision/wifi_usage.py`` reads it) averaged over the bucket, summed, rounded;
* terminals in use — terminals and kiosks with a user session (``supervision.usage``'s seats)
  open at some moment of the bucket; absent when none of the county's terminals reported;
* checks / checks_failed — each (device, check)'s latest ``security_check`` result as of the
  bucket's end, no older than ``CHECK_MAX_AGE_MS``; ``unknown`` results carry no ``passed`` and
  are not counted.

A bucket's seconds-figures are those of ``[start, start + 5 min)`` (``segment_figures`` of the
hour piece's timelines cut to the bucket, the same as ``facility_result`` of the bucket alone);
buckets partition time, so their sums equal the figures of the whole period (tests/federation).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from federation.schema import (
    BUCKET_MS,
    COUNTY_SUMMARY,
    FLOAT_LEVELS,
    HOUR_MS,
    INT_LEVELS,
    PROVINCE_SUMMARY,
    SECONDS,
)
from inventory.models import Inventory, region_chain
from pdcs import intervals as iv
from pdcs.points import SECURITY_CHECK, WIRELESS, Point
from pdcs.storage import InfluxDB
from supervision.availability import (
    Context,
    clip,
    context,
    facility_result,
    segment_figures,
    window_scheduled,
    with_period,
)
from supervision.bandwidth import fetch_links
from supervision.index import devices_by_facility
from supervision.periods import Period
from supervision.recent_polls import direct
from supervision.schedule import HolidayCalendar, service_intervals
from supervision.serving import FacilityPlan, ServingRules, plan
from supervision.supervised import Windows
from supervision.timeline import DOWN, UP, PollSeries, Segment, tag_where
from supervision.usage import SERVICE_SEATS, TERMINAL_KINDS, fetch_periods

CHECK_MAX_AGE_MS = 7 * 86_400_000  # a check result older than a week no longer says how a device stands

Fields = dict[str, int | float]


def ms_period(start_ms: int, end_ms: int) -> Period:
    return Period(datetime.fromtimestamp(start_ms / 1000, UTC), datetime.fromtimestamp(end_ms / 1000, UTC))


def state_at(segments: list[Segment], t: int) -> int | None:
    """The state holding at ``t`` (None: outside every segment, i.e. outside the supervised window)."""
    for s in reversed(segments):
        if s.start <= t < s.end:
            return s.state
    return None


@dataclass
class Summaries:
    """One run's points: per (county, bucket) and per (province, bucket), 5-minute and hourly."""

    county: dict[tuple[str, int], Fields] = field(default_factory=dict)
    hourly_county: dict[tuple[str, int], Fields] = field(default_factory=dict)
    hourly_province: dict[tuple[str, int], Fields] = field(default_factory=dict)

    def province(self) -> dict[tuple[str, int], Fields]:
        """Per province and bucket: the sum of its counties."""
        return _sum_by_province(self.county)

    def points(self) -> tuple[list[Point], list[Point]]:
        """(5-minute points, hourly points): county and province summaries."""
        return (
            _points(COUNTY_SUMMARY, self.county) + _points(PROVINCE_SUMMARY, self.province()),
            _points(COUNTY_SUMMARY, self.hourly_county) + _points(PROVINCE_SUMMARY, self.hourly_province),
        )


def _sum_by_province(rows: dict[tuple[str, int], Fields]) -> dict[tuple[str, int], Fields]:
    out: dict[tuple[str, int], Fields] = {}
    for (county, t), fields in rows.items():
        acc = out.setdefault((county[:2], t), {})
        for k, v in fields.items():
            acc[k] = acc.get(k, 0) + v
    return out


def _points(measurement: str, rows: dict[tuple[str, int], Fields]) -> list[Point]:
    out = []
    for (code, t), fields in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if len(code) == 6:
            province, city, county = region_chain(code)
            tags = {"province": province, "city": city, "county": county}
        else:
            tags = {"province": code}
        out.append(Point(measurement, tags, dict(fields), t * 1_000_000))
    return out


def hourly(buckets: Iterable[tuple[int, Fields]]) -> Fields:
    """One hour's figures from its 5-minute buckets: mean of the levels (over the buckets that have
    them; counts rounded), sum of the seconds."""
    rows = list(buckets)
    out: Fields = {}
    for name in INT_LEVELS + FLOAT_LEVELS:
        values = [f[name] for _, f in rows if name in f]
        if values:
            mean = sum(values) / len(values)
            out[name] = round(mean) if name in INT_LEVELS else float(mean)
    for name in SECONDS:
        values = [f[name] for _, f in rows if name in f]
        if values:
            out[name] = float(sum(values))
    return out


@dataclass
class _Province:
    """What every bucket of one run shares: the plans, the context, the facilities by county."""

    influx: InfluxDB
    inventory: Inventory
    code: str
    plans: list[FacilityPlan]
    ctx: Context
    terminals: dict[str, str]  # terminal device → county

    @property
    def tags(self) -> dict[str, str]:
        return {"province": self.code}


def _setup(
    influx: InfluxDB,
    inventory: Inventory,
    province: str,
    now_ms: int,
    rules: ServingRules | None,
    calendar: HolidayCalendar | None,
) -> _Province:
    facilities = sorted(inventory.facilities_in(province), key=lambda f: f.id)
    ctx = context(influx, {"province": province}, rules, calendar, now_ms)
    by_fac = devices_by_facility(inventory)
    plans = [plan(f, by_fac.get(f.id, []), ctx.rules) for f in facilities]
    terminals = {
        d.id: inventory.facilities[d.facility].county
        for d in inventory.devices_in([province])
        if d.kind in TERMINAL_KINDS
    }
    return _Province(influx, inventory, province, plans, ctx, terminals)


def _facility_hour(
    prov: _Province,
    fplan: FacilityPlan,
    polls: dict[str, PollSeries],
    a: int,
    b: int,
    ctx: Context,
    rows: dict[tuple[str, int], Fields],
) -> None:
    """Add one facility's figures for each bucket of ``[a, b)`` to its county's rows.

    One ``facility_result`` over the piece gives the timelines; each bucket's figures are
    ``segment_figures`` of the timelines and the scheduled time cut to the bucket — the same
    figures as a ``facility_result`` of the bucket alone, at a twelfth of the cost.
    """
    fac = fplan.facility
    r = facility_result(fplan, polls, ms_period(a, b), prov.inventory, ctx)
    win = r.windows or Windows(None)
    scheduled = {d: window_scheduled(fac, win.devices.get(d), a, b, ctx) for d in fplan.devices}
    fac_scheduled = window_scheduled(fac, win.facility, a, b, ctx) if fplan.supervised else []
    opening = service_intervals(fac, a, b, ctx.calendar) if fplan.supervised else []
    for b0 in range(a, b, BUCKET_MS):
        b1, t = b0 + BUCKET_MS, b0 + BUCKET_MS - 1
        acc = rows.setdefault((fac.county, b0), _empty())
        for dev in fplan.devices:
            timeline = r.timelines.get(dev, [])
            st = state_at(timeline, t)
            if st is not None:
                acc["devices"] += 1
                acc["devices_up" if st == UP else "devices_down" if st == DOWN else "devices_unknown"] += 1
            f = segment_figures(clip(timeline, (b0, b1)), iv.intersect(scheduled[dev], [(b0, b1)]), [dev])
            acc["device_scheduled_s"] += f.scheduled_ms / 1000
            acc["device_up_s"] += f.up_ms / 1000
            acc["device_unknown_s"] += f.unknown_ms / 1000
        if not fplan.supervised:
            continue
        f = segment_figures(clip(r.serving, (b0, b1)), iv.intersect(fac_scheduled, [(b0, b1)]), [])
        acc["scheduled_s"] += f.scheduled_ms / 1000
        acc["serving_s"] += f.up_ms / 1000
        acc["unknown_s"] += f.unknown_ms / 1000
        st = state_at(r.serving, t)
        if st is not None:
            acc["facilities"] += 1
            acc["facilities_serving"] += st == UP
            acc["facilities_open"] += any(s <= t < e for s, e in opening)


def _empty() -> Fields:
    out: Fields = dict.fromkeys(INT_LEVELS[:7], 0)
    out.update(dict.fromkeys(SECONDS, 0.0))
    return out


def _uplinks(prov: _Province, a: int, b: int, rows: dict[tuple[str, int], Fields]) -> None:
    sums: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for link, series in fetch_links(prov.influx, prov.tags, ms_period(a, b)).values():
        fac = prov.inventory.facilities.get(link.facility)
        if not link.uplink or fac is None:
            continue
        for t, (i, o) in series.buckets.items():
            s = sums[(fac.county, t)]
            s[0] += i
            s[1] += o
    for key, (i, o) in sums.items():
        if key in rows:
            rows[key]["uplink_in_bps"] = i
            rows[key]["uplink_out_bps"] = o


def _clients(prov: _Province, a: int, b: int, rows: dict[tuple[str, int], Fields]) -> None:
    where, params = tag_where(prov.tags)
    q = (
        f'SELECT mean("clients") FROM "{WIRELESS}" WHERE {where} AND "ap" = \'\' AND "radio" = \'\' '
        f'AND "ssid" = \'\' AND time >= {a}ms AND time < {b}ms GROUP BY time(5m), "device" fill(none)'
    )
    sums: dict[tuple[str, int], float] = defaultdict(float)
    for s in prov.influx.query(q, params=params):
        dev = prov.inventory.devices.get(s.tags.get("device", ""))
        if dev is None:
            continue
        county = prov.inventory.county_of(dev)
        for t, mean in s.values:
            if mean is not None:
                sums[(county, int(t))] += float(mean)
    for key, total in sums.items():
        if key in rows:
            rows[key]["clients"] = round(total)


def _terminals(prov: _Province, a: int, b: int, rows: dict[tuple[str, int], Fields]) -> None:
    if not prov.terminals:
        return
    reporting: set[str] = set()  # counties with a terminal that reported anything near the run
    in_use: dict[tuple[str, int], set[str]] = defaultdict(set)
    for dev, spans in fetch_periods(prov.influx, prov.tags, a, b).items():
        county = prov.terminals.get(dev)
        if county is None:
            continue
        reporting.add(county)
        for s, e, seat, *_ in spans:
            if seat not in SERVICE_SEATS or e <= a or s >= b:
                continue
            first = max(a, s - s % BUCKET_MS)
            for t in range(first, min(b, e), BUCKET_MS):
                in_use[(county, t)].add(dev)
    for key, fields in rows.items():
        if key[0] in reporting:
            fields["terminals_in_use"] = len(in_use.get(key, ()))


def _checks(prov: _Province, a: int, b: int, rows: dict[tuple[str, int], Fields]) -> None:
    where, params = tag_where(prov.tags)
    latest: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)  # (device, check) → [(t, passed)]
    before = (
        f'SELECT last("passed") FROM "{SECURITY_CHECK}" WHERE {where} AND time >= {a - CHECK_MAX_AGE_MS}ms '
        f'AND time < {a}ms GROUP BY "device", "check"'
    )
    during = (
        f'SELECT last("passed") FROM "{SECURITY_CHECK}" WHERE {where} AND time >= {a}ms AND time < {b}ms '
        f'GROUP BY time(5m), "device", "check" fill(none)'
    )
    for q, bucketed in ((before, False), (during, True)):
        for s in prov.influx.query(q, params=params):
            key = (s.tags.get("device", ""), s.tags.get("check", ""))
            for t, passed in s.values:
                if passed is not None:  # bucketed rows carry the bucket's start: the result holds from its end
                    latest[key].append((int(t) + (BUCKET_MS - 1 if bucketed else 0), int(passed)))
    counts: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for (dev_id, _), results in latest.items():
        dev = prov.inventory.devices.get(dev_id)
        if dev is None:
            continue
        county = prov.inventory.county_of(dev)
        results.sort()
        i = 0
        for t0 in range(a, b, BUCKET_MS):
            end = t0 + BUCKET_MS - 1  # as of the bucket's last millisecond
            while i + 1 < len(results) and results[i + 1][0] <= end:
                i += 1
            t, passed = results[i]
            if t <= end and t > end - CHECK_MAX_AGE_MS:
                c = counts[(county, t0)]
                c[0] += 1
                c[1] += passed == 0
    for row, (n, failed) in counts.items():
        if row in rows:
            rows[row]["checks"] = n
            rows[row]["checks_failed"] = failed


def _chunk(prov: _Province, a: int, b: int) -> dict[tuple[str, int], Fields]:
    """County rows of the buckets in ``[a, b)`` (both bucket-aligned)."""
    ctx = with_period(prov.influx, prov.ctx, ms_period(a, b))
    inventory = prov.inventory
    devices = [inventory.devices[d] for p in prov.plans for d in p.devices]
    lookback = max((ctx.rules.max_gap_ms(d, inventory) for d in devices), default=0)
    polls = direct(prov.influx)(prov.tags, a - lookback, b) if devices else {}
    rows: dict[tuple[str, int], Fields] = {}
    for fplan in prov.plans:
        _facility_hour(prov, fplan, polls, a, b, ctx, rows)
    rows = {k: v for k, v in rows.items() if v["devices"] or v["facilities"] or v["device_scheduled_s"]}
    _uplinks(prov, a, b, rows)
    _clients(prov, a, b, rows)
    _terminals(prov, a, b, rows)
    _checks(prov, a, b, rows)
    return rows


def hour_chunks(start_ms: int, end_ms: int) -> Iterator[tuple[int, int]]:
    """``[start, end)`` cut at hour boundaries."""
    a = start_ms
    while a < end_ms:
        b = min(end_ms, a - a % HOUR_MS + HOUR_MS)
        yield a, b
        a = b


@dataclass
class HourCache:
    """The 5-minute rows of the hour in progress (``[hour, until)``), kept between passes of one process so
    that the hour's row needs no recomputation when the hour completes."""

    hour: int = -1
    until: int = -1
    rows: dict[tuple[str, int], Fields] = field(default_factory=dict)


def summarise(
    influx: InfluxDB,
    inventory: Inventory,
    province: str,
    start_ms: int,
    end_ms: int,
    now_ms: int,
    rules: ServingRules | None = None,
    calendar: HolidayCalendar | None = None,
    cache: HourCache | None = None,
) -> Iterator[tuple[int, Summaries]]:
    """For each hour piece of ``[start_ms, end_ms)`` (bucket-aligned): (piece end, its summaries).

    A piece that ends an hour carries that hour's hourly rows, from the whole hour's buckets: those
    before ``start_ms`` come from ``cache`` when it holds them, else are computed again (and re-sent:
    the same points, which overwrite themselves).
    """
    if start_ms % BUCKET_MS or end_ms % BUCKET_MS:
        raise ValueError("summaries start and end on 5-minute boundaries")
    cache = cache if cache is not None else HourCache()
    prov = _setup(influx, inventory, province, now_ms, rules, calendar)
    for a, b in hour_chunks(start_ms, end_ms):
        hour = a - a % HOUR_MS
        full_hour = b % HOUR_MS == 0
        cached = cache.hour == hour and cache.until == a
        first = hour if full_hour and not cached else a
        rows = _chunk(prov, first, b)
        out = Summaries(rows)
        if full_hour:
            whole = {**cache.rows, **rows} if cached else rows
            out.hourly_county = _hourly_rows(whole, hour)
            # the province's hourly row: from its own 5-minute rows (the sum of its counties per bucket)
            out.hourly_province = _hourly_rows(_sum_by_province(whole), hour)
            cache.hour, cache.until, cache.rows = -1, -1, {}
        elif cached or a == hour:
            cache.rows = {**cache.rows, **rows} if cached else rows
            cache.hour, cache.until = hour, b
        else:
            cache.hour, cache.until, cache.rows = -1, -1, {}
        yield b, out


def _hourly_rows(rows: dict[tuple[str, int], Fields], hour: int) -> dict[tuple[str, int], Fields]:
    by_code: dict[str, list[tuple[int, Fields]]] = defaultdict(list)
    for (code, t), f in rows.items():
        by_code[code].append((t, f))
    return {(code, hour): hourly(v) for code, v in by_code.items()}
