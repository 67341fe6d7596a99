"""Any period, for years: raw polls and daily roll-ups joined at local day boundaries (rule 3).

For each facility (or device) the period is cut at its local midnights and each piece is
read from one source:

* ``rollup`` — a whole local day with a roll-up row, when the raw polls of that day have
  expired (the roll-ups saw polls on a day before the earliest raw poll still stored:
  ``FirstSeen.raw_from_ms``), or whenever roll-ups are preferred (``source=rollup``, or
  ``auto`` for long periods and big regions, where replaying raw polls costs too much);
* ``raw`` — everything else: today, days not rolled up yet, parts of days;
* ``none`` — days whose raw polls expired without a roll-up: scheduled time with no data.

Roll-ups hold the same figures the raw path gives for that day (``rollup.py``), so a
period gives the same answer before and after its raw polls expire.  The answer lists
which source covered which days (``sources``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from inventory.models import Device, Facility, Inventory
from pdcs.settings import ROLLUP_RP
from pdcs.storage import InfluxDB
from supervision import availability as av
from supervision.index import devices_by_facility
from supervision.periods import Period, calendar_year, from_ms
from supervision.recent_polls import PollFetch
from supervision.regions import level_tags
from supervision.rollup import FacilityDays, read_facility_year
from supervision.serving import plan
from supervision.supervised import FirstSeen, device_window, windows
from supervision.timeline import tag_where

SourceName = Literal["raw", "rollup", "none"]
DEVICE_DAILY = "device_daily"
FACILITY_DAILY = "facility_daily"


@dataclass(frozen=True)
class Piece:
    start_ms: int
    end_ms: int
    source: SourceName

    def period(self) -> Period:
        return Period(from_ms(self.start_ms), from_ms(self.end_ms))


def _ms(dt: datetime) -> int:
    return round(dt.timestamp() * 1000)


def day_pieces(period: Period, tz: ZoneInfo) -> list[tuple[int, int, bool]]:
    """``period`` cut at local midnights: (start, end, whole day)."""
    start, end = period.start_ns // 1_000_000, period.end_ns // 1_000_000
    day = period.start.astimezone(tz).date()
    out = []
    while True:
        s = _ms(datetime.combine(day, time(0), tzinfo=tz))
        e = _ms(datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz))
        if s >= end:
            break
        a, b = max(s, start), min(e, end)
        if a < b:
            out.append((a, b, (a, b) == (s, e)))
        day += timedelta(days=1)
    return out


def within(period: Period, window: tuple[int, int] | None, tz: ZoneInfo) -> Period | None:
    """``period`` cut to a supervised window, its start taken back to local midnight (whole days stay whole)."""
    if window is None:
        return None
    day = from_ms(window[0]).astimezone(tz).date()
    start = max(period.start_ns // 1_000_000, _ms(datetime.combine(day, time(0), tzinfo=tz)))
    end = min(period.end_ns // 1_000_000, window[1])
    return Period(from_ms(start), from_ms(end)) if start < end else None


def plan_pieces(
    period: Period | None,
    tz: ZoneInfo,
    rolled: Iterable[int],
    raw_from: int | None,
    prefer_rollup: bool,
    force_raw: bool,
) -> tuple[Piece, ...]:
    """Which source answers each local day of ``period`` (adjacent pieces of one source merged)."""
    if period is None:
        return ()
    rolled_days = set(rolled)
    out: list[Piece] = []
    for s, e, whole in day_pieces(period, tz):
        src: SourceName
        expired = raw_from is not None and s < raw_from
        if force_raw:
            src = "raw"
        elif whole and s in rolled_days and (prefer_rollup or expired):
            src = "rollup"
        elif raw_from is not None and e <= raw_from:
            src = "none"
        else:
            src = "raw"
        if out and out[-1].source == src and out[-1].end_ms == s:
            out[-1] = Piece(out[-1].start_ms, e, src)
        else:
            out.append(Piece(s, e, src))
    return tuple(out)


def read_days(
    influx: InfluxDB, measurement: str, key: str, tags: dict[str, str], period: Period
) -> dict[str, dict[int, dict[str, Any]]]:
    """Daily roll-up rows whose day starts within ``period``: ``{facility or device: {day ms: row}}``."""
    where, params = tag_where(tags)
    cond = f"time >= {period.start_ns // 1_000_000}ms AND time < {period.end_ns // 1_000_000}ms"
    q = f'SELECT * FROM "{ROLLUP_RP}"."{measurement}" WHERE {cond}' + (f" AND {where}" if where else "")
    out: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for s in influx.query(q, params=params):
        for row in s.rows():
            out[str(row.get(key) or s.tags.get(key, ""))][int(row["time"])] = row
    return out


def _ms_of(row: dict[str, Any], name: str) -> int:
    return round(float(row.get(name) or 0.0) * 1000)


def facility_row_figures(row: dict[str, Any]) -> tuple[av.Figures, av.Figures]:
    """(serving figures, device totals) of one ``facility_daily`` row."""
    serving = av.Figures(
        _ms_of(row, "scheduled_s"),
        _ms_of(row, "serving_s"),
        _ms_of(row, "unknown_s"),
        counted_outages=int(row.get("outages") or 0),
    )
    devices = av.Figures(
        _ms_of(row, "device_scheduled_s"),
        _ms_of(row, "device_up_s"),
        _ms_of(row, "device_unknown_s"),
        polls=int(row.get("polls") or 0),
    )
    return serving, devices


def device_row_figures(row: dict[str, Any]) -> av.Figures:
    return av.Figures(
        _ms_of(row, "scheduled_s"),
        _ms_of(row, "up_s"),
        _ms_of(row, "unknown_s"),
        counted_outages=int(row.get("outages") or 0),
        polls=int(row.get("polls") or 0),
        answered=int(row.get("answered") or 0),
    )


def no_data_figures(scheduled: list[tuple[int, int]], piece: Piece, who: list[str], facility: str) -> av.Figures:
    """Scheduled time of an expired day without a roll-up: all of it no data, listed as one span."""
    total = sum(e - s for s, e in scheduled)
    figs = av.Figures(total, 0, total)
    if total:
        figs.no_data.append(av.Outage(piece.start_ms, piece.end_ms, total, "no_data", who, facility))
    return figs


def with_rolled(window: tuple[int, int] | None, rolled: Iterable[int], now_ms: int) -> tuple[int, int] | None:
    """The supervised window widened to the days roll-ups hold: their rows were computed with the window of
    their time, and the device evidence behind them (raw polls, ``device_daily``) may be gone."""
    days = list(rolled)
    if not days:
        return window
    first = min(days)
    return (min(window[0], first), window[1]) if window else (first, now_ms)


def raw_from(seen: dict[str, FirstSeen], devices: Iterable[str]) -> int | None:
    marks = [m for d in devices if d in seen and (m := seen[d].raw_from_ms) is not None]
    return max(marks) if marks else None


@dataclass
class Accumulated:
    """A facility's figures summed over the pieces of the period."""

    facility: Facility
    supervised: bool
    figures: av.Figures = field(default_factory=av.Figures)
    device_totals: av.Figures = field(default_factory=av.Figures)
    device_figures: dict[str, av.Figures] = field(default_factory=dict)
    pieces: tuple[Piece, ...] = ()
    describe: list[dict[str, object]] = field(default_factory=list)

    @property
    def monitored(self) -> bool:
        return self.supervised and self.figures.scheduled_ms > 0


def facilities_over(
    influx: InfluxDB,
    inventory: Inventory,
    facilities: list[Facility],
    tags: dict[str, str],
    period: Period,
    *,
    prefer_rollup: bool = False,
    force_raw: bool = False,
    fetch: PollFetch | None = None,
    now: int | None = None,
    with_devices: bool = False,
) -> list[Accumulated]:
    """Each facility's figures over ``period``, every local day from raw polls, roll-ups or neither."""
    ctx = av.context(influx, tags, now=now, fetch=fetch, start_ms=period.start_ns // 1_000_000)
    # A calendar year read from roll-ups: the year rows (one per facility) stand for their run of days
    # when that run has no gap — the national annual report must not read 3.65 M daily rows.
    year = calendar_year(period) if prefer_rollup and not force_raw else None
    year_rows = read_facility_year(influx, tags, year) if year is not None else {}
    spans = {f.id: sp for f in facilities if (sp := year_span(year_rows.get(f.id), f.tz)) is not None}
    gappy = any(fid not in spans for fid in year_rows)
    # Roll-ups are read only when they may answer: preferred, or some raw polls have expired (the
    # common "last 24 h" question costs no roll-up query).
    use_rows = not force_raw and (prefer_rollup or any(x.raw_from_ms is not None for x in ctx.seen.values()))
    rows = read_days(influx, FACILITY_DAILY, "facility", tags, period) if use_rows and (year is None or gappy) else {}
    dev_rows = read_days(influx, DEVICE_DAILY, "device", tags, period) if with_devices and use_rows else {}
    by_fac = devices_by_facility(inventory)
    acc: dict[str, Accumulated] = {}
    groups: dict[tuple[Piece, ...], list[Facility]] = defaultdict(list)
    for fac in facilities:
        fplan = plan(fac, by_fac.get(fac.id, []), ctx.rules)
        devices = [inventory.devices[d] for d in fplan.devices]
        win = windows(fac, devices, ctx.seen, ctx.now_ms)
        span = spans.get(fac.id)
        if span is not None:
            clipped = within(period, with_rolled(win.facility, [span[0]], ctx.now_ms), fac.tz)
            pieces = plan_around(clipped, fac.tz, span, raw_from(ctx.seen, fplan.devices))
        else:
            pieces = plan_pieces(
                within(period, with_rolled(win.facility, rows.get(fac.id, {}), ctx.now_ms), fac.tz),
                fac.tz,
                rows.get(fac.id, {}),
                raw_from(ctx.seen, fplan.devices),
                prefer_rollup,
                force_raw,
            )
        a = acc[fac.id] = Accumulated(fac, fplan.supervised, pieces=pieces, describe=fplan.describe())
        a.device_figures = {d: av.Figures() for d in fplan.devices}
        groups[pieces].append(fac)
        for piece in pieces:
            if piece.source == "rollup" and span is not None:
                serving, dev_tot = year_figures(year_rows[fac.id])
                a.figures.add(serving)
                a.device_totals.add(dev_tot)
            elif piece.source == "rollup":
                for day in piece_day(piece, rows[fac.id]):
                    serving, dev_tot = facility_row_figures(rows[fac.id][day])
                    a.figures.add(serving)
                    a.device_totals.add(dev_tot)
                for d in a.device_figures:
                    for day, row in dev_rows.get(d, {}).items():
                        if piece.start_ms <= day < piece.end_ms:
                            a.device_figures[d].add(device_row_figures(row))
            elif piece.source == "none" and fplan.supervised:
                sched = av.window_scheduled(fac, win.facility, piece.start_ms, piece.end_ms, ctx)
                a.figures.add_all(no_data_figures(sched, piece, [], fac.id))
                for dev in devices:
                    w = device_window(dev, fac, ctx.seen.get(dev.id), ctx.now_ms)
                    dsched = av.window_scheduled(fac, w, piece.start_ms, piece.end_ms, ctx)
                    dfig = no_data_figures(dsched, piece, [dev.id], fac.id)
                    a.device_totals.add(dfig)
                    a.device_figures[dev.id].add_all(dfig)
    for pieces, facs in groups.items():
        for piece in pieces:
            if piece.source != "raw":
                continue
            results = av.facilities_results(influx, inventory, facs, tags, piece.period(), fetch=fetch, ctx=ctx)
            for r in results:
                a = acc[r.facility.id]
                if r.plan.supervised:
                    a.figures.add_all(r.figures)
                a.device_totals.add(r.device_totals())
                for d, f in r.device_figures.items():
                    a.device_figures[d].add_all(f)
    out = [acc[f.id] for f in facilities]
    for a in out:
        a.figures.outages.sort(key=lambda o: o.start_ms)
        a.figures.no_data.sort(key=lambda o: o.start_ms)
    return out


def year_span(fd: FacilityDays | None, tz: ZoneInfo) -> tuple[int, int] | None:
    """The days a year row sums, ``[first midnight, midnight after the last)``, when they have no gap."""
    if fd is None or fd.first_day_ms is None or fd.last_day_ms is None:
        return None
    first = from_ms(fd.first_day_ms).astimezone(tz).date()
    last = from_ms(fd.last_day_ms).astimezone(tz).date()
    if (last - first).days + 1 != fd.days:
        return None
    return fd.first_day_ms, midnight_after(fd.last_day_ms, tz)


def midnight_after(day_ms: int, tz: ZoneInfo) -> int:
    """The local midnight that ends the day holding ``day_ms`` (the end of a rolled-up day)."""
    day = from_ms(day_ms).astimezone(tz).date() + timedelta(days=1)
    return _ms(datetime.combine(day, time(0), tzinfo=tz))


def plan_around(period: Period | None, tz: ZoneInfo, span: tuple[int, int], raw_mark: int | None) -> tuple[Piece, ...]:
    """``period`` with the run of rolled-up days ``span`` read from roll-ups, the rest planned day by day."""
    if period is None:
        return ()
    start, end = period.start_ns // 1_000_000, period.end_ns // 1_000_000
    out: list[Piece] = []
    if start < span[0]:
        out += plan_pieces(Period(from_ms(start), from_ms(min(end, span[0]))), tz, (), raw_mark, False, False)
    if max(start, span[0]) < min(end, span[1]):
        out.append(Piece(max(start, span[0]), min(end, span[1]), "rollup"))
    if span[1] < end:
        out += plan_pieces(Period(from_ms(max(start, span[1])), from_ms(end)), tz, (), raw_mark, False, False)
    return tuple(out)


def year_figures(fd: FacilityDays) -> tuple[av.Figures, av.Figures]:
    """(serving figures, device totals) of a year row."""
    return facility_row_figures({**fd.sums, "polls": fd.sums.get("polls", 0.0)})


def piece_day(piece: Piece, rows: dict[int, dict[str, Any]]) -> list[int]:
    """The roll-up days (row times) inside ``piece``."""
    return sorted(t for t in rows if piece.start_ms <= t < piece.end_ms)


def sources_answer(accs: Iterable[tuple[tuple[Piece, ...], ZoneInfo]]) -> tuple[str, list[dict[str, Any]]]:
    """The overall source (``raw``, ``rollup``, ``mixed``, ``none``) and the pieces, each with its facility count."""
    counts: dict[Piece, int] = defaultdict(int)
    tz_of: dict[Piece, ZoneInfo] = {}
    for pieces, tz in accs:
        for p in pieces:
            counts[p] += 1
            tz_of.setdefault(p, tz)
    kinds = {p.source for p in counts}
    overall = kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else "raw")
    listed = [
        {
            "source": p.source,
            "start": from_ms(p.start_ms).astimezone(tz_of[p]).isoformat(),
            "end": from_ms(p.end_ms).astimezone(tz_of[p]).isoformat(),
            "days": round((p.end_ms - p.start_ms) / 86_400_000, 3),
            "facilities": n,
        }
        for p, n in sorted(counts.items(), key=lambda kv: (kv[0].start_ms, kv[0].source))
    ]
    return overall, listed


def region_over(
    influx: InfluxDB,
    inventory: Inventory,
    code: str,
    period: Period,
    *,
    prefer_rollup: bool = False,
    force_raw: bool = False,
    fetch: PollFetch | None = None,
    now: int | None = None,
) -> av.RegionResult:
    facilities = sorted(inventory.facilities_in(code), key=lambda f: f.id)
    accs = facilities_over(
        influx,
        inventory,
        facilities,
        level_tags(code),
        period,
        prefer_rollup=prefer_rollup,
        force_raw=force_raw,
        fetch=fetch,
        now=now,
    )
    total, devices = av.Figures(), av.Figures()
    children: dict[str, av.Figures] = defaultdict(av.Figures)
    for a in accs:
        if not a.monitored:
            continue
        total.add_all(a.figures)
        devices.add(a.device_totals)
        children[av.child_of(code, a.facility)].add_counting(a.figures)
    total.outages.sort(key=lambda o: (o.start_ms, o.facility or ""))
    total.no_data.sort(key=lambda o: (o.start_ms, o.facility or ""))
    source, listed = sources_answer((a.pieces, a.facility.tz) for a in accs if a.monitored)
    return av.RegionResult(
        code,
        total,
        devices,
        dict(children),
        len(accs),
        [a.facility.id for a in accs if not a.supervised],
        [a.facility.id for a in accs if a.supervised and not a.monitored],
        source,
        listed,
    )


def device_over(
    influx: InfluxDB,
    inventory: Inventory,
    device: Device,
    period: Period,
    *,
    prefer_rollup: bool = False,
    force_raw: bool = False,
    fetch: PollFetch | None = None,
    now: int | None = None,
) -> tuple[av.Figures, tuple[Piece, ...]]:
    fac = inventory.facilities[device.facility]
    ctx = av.context(influx, {"device": device.id}, now=now, fetch=fetch, start_ms=period.start_ns // 1_000_000)
    seen = ctx.seen.get(device.id)
    use_rows = not force_raw and (prefer_rollup or (seen is not None and seen.raw_from_ms is not None))
    rows = (
        read_days(influx, DEVICE_DAILY, "device", {"device": device.id}, period).get(device.id, {}) if use_rows else {}
    )
    w = device_window(device, fac, ctx.seen.get(device.id), ctx.now_ms)
    pieces = plan_pieces(
        within(period, with_rolled(w, rows, ctx.now_ms), fac.tz),
        fac.tz,
        rows,
        raw_from(ctx.seen, [device.id]),
        prefer_rollup,
        force_raw,
    )
    figs = av.Figures()
    for piece in pieces:
        if piece.source == "rollup":
            for day in piece_day(piece, rows):
                figs.add(device_row_figures(rows[day]))
        elif piece.source == "none":
            figs.add_all(
                no_data_figures(
                    av.window_scheduled(fac, w, piece.start_ms, piece.end_ms, ctx), piece, [device.id], fac.id
                )
            )
        else:
            figs.add_all(av.device_availability(influx, inventory, device, piece.period(), fetch=fetch, ctx=ctx))
    return figs, pieces
