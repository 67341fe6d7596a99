"""Availability in scheduled service time, with outages, for devices, facilities and regions.

Scheduled time (service hours ∩ supervised window, ``supervised.py``) is split three ways:

* **up** — a device's polls say up (``timeline``); a facility serves (``serving``);
* **down** — it answered down, or stopped answering while a collector covering its
  county was alive (``liveness``);
* **no data** — nobody knows: no poll and no live collector.

availability = up ÷ (up + down), the *known* time; coverage = known ÷ scheduled.  Where
nothing is known the availability is ``None`` (shown as 无数据, never 0 %).  The annual
assessment instead scores up ÷ scheduled (no data counted as not up) and coverage, so
switching monitoring off never raises a county's score (docs/architecture.md).

An outage is a continuous *down* episode overlapping scheduled service time, reported
with its real start and end, its whole duration and the part inside service hours;
down only while closed → no outage.  No-data spans are listed apart, never as outages.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from typing import Any

from inventory.models import Device, Facility, Inventory, region_chain
from pdcs import intervals as iv
from pdcs.storage import InfluxDB
from supervision.index import devices_by_facility
from supervision.liveness import Liveness, fetch_liveness
from supervision.periods import Period
from supervision.recent_polls import PollFetch, RecentPolls, direct
from supervision.regions import level_tags
from supervision.schedule import HolidayCalendar, official_calendar, service_intervals
from supervision.serving import FacilityPlan, ServingRules, default_rules, plan
from supervision.supervised import FirstSeen, Windows, device_window, first_seen, windows
from supervision.timeline import DOWN, UNKNOWN, UP, PollSeries, Segment, device_timeline

NO_POLLS = PollSeries()


def iso(ms: int, tz: tzinfo) -> str:
    return datetime.fromtimestamp(ms / 1000, tz).isoformat()


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class Outage:
    """A down episode (``cause`` ``down``), or a no-data span (``cause`` ``no_data``, listed apart)."""

    start_ms: int
    end_ms: int
    in_service_ms: int
    cause: str  # down | no_data
    devices: list[str]
    facility: str | None = None

    def as_dict(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "start": iso(self.start_ms, tz),
            "end": iso(self.end_ms, tz),
            "duration_s": (self.end_ms - self.start_ms) / 1000,
            "in_service_s": self.in_service_ms / 1000,
            "cause": self.cause,
            "facility": self.facility,
            "devices": self.devices,
        }


@dataclass
class Figures:
    scheduled_ms: int = 0
    up_ms: int = 0
    unknown_ms: int = 0  # scheduled time with no data (nobody knows); down = the rest
    outages: list[Outage] = field(default_factory=list)  # down episodes only
    no_data: list[Outage] = field(default_factory=list)  # no-data spans (无数据)
    counted_outages: int = 0  # outages known only by number (from daily roll-ups)
    polls: int = 0  # polls within the period (device figures)
    answered: int = 0

    @property
    def outage_count(self) -> int:
        return len(self.outages) + self.counted_outages

    @property
    def known_ms(self) -> int:
        return self.scheduled_ms - self.unknown_ms

    @property
    def down_ms(self) -> int:
        return self.known_ms - self.up_ms

    @property
    def coverage(self) -> float | None:
        """Known ÷ scheduled time; None when nothing was scheduled."""
        return self.known_ms / self.scheduled_ms if self.scheduled_ms else None

    @property
    def availability(self) -> float | None:
        """Up ÷ known time; None (无数据) when nothing is known."""
        return self.up_ms / self.known_ms if self.known_ms > 0 else None

    def add(self, other: Figures) -> None:
        self.scheduled_ms += other.scheduled_ms
        self.up_ms += other.up_ms
        self.unknown_ms += other.unknown_ms
        self.counted_outages += other.counted_outages
        self.polls += other.polls
        self.answered += other.answered

    def add_counting(self, other: Figures) -> None:
        """``add`` with the other's listed outages kept by number (a child region's figures: its outage count
        is whole without carrying every listed outage)."""
        self.add(other)
        self.counted_outages += len(other.outages)

    def add_all(self, other: Figures) -> None:
        """``add`` plus the other's listed outages and no-data spans."""
        self.add(other)
        self.outages.extend(other.outages)
        self.no_data.extend(other.no_data)

    def summary(self) -> dict[str, Any]:
        return {
            "scheduled_s": self.scheduled_ms / 1000,
            "up_s": self.up_ms / 1000,
            "down_s": self.down_ms / 1000,
            "unknown_s": self.unknown_ms / 1000,
            "coverage": self.coverage,
            "availability": self.availability,
        }


def with_liveness(segments: list[Segment], alive: list[iv.Interval]) -> list[Segment]:
    """Unknown time while a covering collector was alive becomes down (the device stopped answering)."""
    if not alive or all(s.state != UNKNOWN for s in segments):
        return segments
    out: list[Segment] = []

    def add(a: int, b: int, state: int) -> None:
        if out and out[-1].state == state and out[-1].end == a:
            out[-1] = Segment(out[-1].start, b, state)
        else:
            out.append(Segment(a, b, state))

    for seg in segments:
        if seg.state != UNKNOWN:
            add(*seg)
            continue
        pieces = [(a, b, DOWN) for a, b in iv.intersect([(seg.start, seg.end)], alive)]
        pieces += [(a, b, UNKNOWN) for a, b in iv.subtract([(seg.start, seg.end)], alive)]
        for a, b, st in sorted(pieces):
            add(a, b, st)
    return out


def clip(segments: list[Segment], window: iv.Interval | None) -> list[Segment]:
    """The segments inside the supervised window."""
    if window is None:
        return []
    ws, we = window
    return [Segment(max(s.start, ws), min(s.end, we), s.state) for s in segments if s.start < we and ws < s.end]


def segment_figures(segments: list[Segment], scheduled: list[iv.Interval], who: list[str]) -> Figures:
    """Figures of a timeline in scheduled time: ``segments`` should already be clipped to the supervised window."""

    def spans(state: int) -> list[Outage]:
        out = []
        for s in segments:
            if s.state == state:
                inside = iv.total(iv.intersect([(s.start, s.end)], scheduled))
                if inside > 0:
                    out.append(Outage(s.start, s.end, inside, "down" if state == DOWN else "no_data", list(who)))
        return out

    up = iv.total(iv.intersect([(s.start, s.end) for s in segments if s.state == UP], scheduled))
    unknown = iv.total(iv.intersect([(s.start, s.end) for s in segments if s.state == UNKNOWN], scheduled))
    covered = iv.total(iv.intersect([(s.start, s.end) for s in segments], scheduled))
    # Scheduled time no segment covers (none should remain after clipping) is no data.
    unknown += iv.total(scheduled) - covered
    return Figures(iv.total(scheduled), up, unknown, spans(DOWN), spans(UNKNOWN))


def serving_segments(
    fplan: FacilityPlan, timelines: dict[str, list[Segment]], win: Windows
) -> tuple[list[Segment], list[tuple[int, int, frozenset[str]]]]:
    """The facility's serving timeline within its window, and for each not-serving piece the devices not up.

    A device outside its own window (not yet installed, retired) does not count: the requirements
    apply to the devices present, with ``needed`` recomputed for them; with none present, no data.
    """
    if win.facility is None:
        return [], []
    start_ms, end_ms = win.facility
    cuts = {start_ms, end_ms}
    for dev in fplan.devices:
        cuts.update(s.start for s in timelines[dev])
        cuts.update(win.devices.get(dev, ()))
    points = sorted(c for c in cuts if start_ms <= c <= end_ms)
    idx = dict.fromkeys(fplan.devices, 0)
    out: list[Segment] = []
    blame: list[tuple[int, int, frozenset[str]]] = []
    for a, b in itertools.pairwise(points):
        state_of: dict[str, int] = {}
        for dev in fplan.devices:
            w = win.devices.get(dev)
            if w is None or not w[0] <= a < w[1]:
                continue
            segs = timelines[dev]
            i = idx[dev]
            while i < len(segs) and segs[i].end <= a:
                i += 1
            idx[dev] = i
            state_of[dev] = segs[i].state if i < len(segs) and segs[i].start <= a else UNKNOWN
        present = [(r, [d for d in r.devices if d in state_of]) for r in fplan.requirements]
        present = [(r, ds) for r, ds in present if ds]
        if not present:
            state = UNKNOWN
        elif all(sum(state_of[d] == UP for d in ds) >= r.needed_of(len(ds)) for r, ds in present):
            state = UP
        else:
            hopeful = all(sum(state_of[d] != DOWN for d in ds) >= r.needed_of(len(ds)) for r, ds in present)
            state = UNKNOWN if hopeful else DOWN
            blame.append((a, b, frozenset(d for d, st in state_of.items() if st != UP)))
        if state == UNKNOWN and not present:
            blame.append((a, b, frozenset()))
        if out and out[-1].state == state and out[-1].end == a:
            out[-1] = Segment(out[-1].start, b, state)
        else:
            out.append(Segment(a, b, state))
    return out, blame


@dataclass
class FacilityResult:
    facility: Facility
    plan: FacilityPlan
    figures: Figures  # serving
    device_figures: dict[str, Figures]
    poll_counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # device → (polls, answered) in period
    # The timelines behind the figures (clipped to the supervised windows): per device, and the facility's
    # serving timeline — what state held at any instant (federation/summary.py counts devices up at a time).
    timelines: dict[str, list[Segment]] = field(default_factory=dict)
    serving: list[Segment] = field(default_factory=list)
    windows: Windows | None = None  # the supervised windows (not clipped to the period)

    @property
    def monitored(self) -> bool:
        """Supervised (has devices to require) and with scheduled time in its supervised window."""
        return self.plan.supervised and self.figures.scheduled_ms > 0

    def device_totals(self) -> Figures:
        tot = Figures()
        for f in self.device_figures.values():
            tot.add(f)
        return tot


@dataclass(frozen=True)
class Context:
    """What every facility of one question shares: rules, calendar, first polls, collector liveness, now."""

    rules: ServingRules
    calendar: HolidayCalendar
    seen: dict[str, FirstSeen]
    liveness: Liveness
    now_ms: int


def window_scheduled(
    fac: Facility, window: iv.Interval | None, start: int, end: int, ctx: Context
) -> list[iv.Interval]:
    if window is None:
        return []
    s, e = max(start, window[0]), min(end, window[1])
    return service_intervals(fac, s, e, ctx.calendar) if s < e else []


def device_figures(
    device: Device, fac: Facility, polls: PollSeries, start: int, end: int, gap: int, ctx: Context
) -> tuple[list[Segment], Figures, iv.Interval | None]:
    """A device's timeline (three states, clipped to its window), its figures and its window."""
    window = device_window(device, fac, ctx.seen.get(device.id), ctx.now_ms)
    timeline = device_timeline(polls, start, end, gap)
    if window is not None and any(s.state == UNKNOWN for s in timeline):  # else no collector need be asked
        timeline = with_liveness(timeline, ctx.liveness.for_county(fac.county))
    timeline = clip(timeline, window)
    figs = segment_figures(timeline, window_scheduled(fac, window, start, end, ctx), [device.id])
    return timeline, figs, window


def facility_result(
    fplan: FacilityPlan, polls: dict[str, PollSeries], period: Period, inventory: Inventory, ctx: Context
) -> FacilityResult:
    fac = fplan.facility
    start, end = period.start_ns // 1_000_000, period.end_ns // 1_000_000
    devices = [inventory.devices[d] for d in fplan.devices]
    win = windows(fac, devices, ctx.seen, ctx.now_ms)
    timelines: dict[str, list[Segment]] = {}
    dev_figs: dict[str, Figures] = {}
    for dev in devices:
        gap = ctx.rules.max_gap_ms(dev, inventory)
        series = polls.get(dev.id, NO_POLLS)
        timelines[dev.id], dev_figs[dev.id], _ = device_figures(dev, fac, series, start, end, gap, ctx)
        dev_figs[dev.id].polls, dev_figs[dev.id].answered = series.counts(start, end)
    counts = {dev: polls.get(dev, NO_POLLS).counts(start, end) for dev in fplan.devices}
    if not fplan.supervised:
        return FacilityResult(fac, fplan, Figures(), dev_figs, counts, timelines, [], win)
    s = max(start, win.facility[0]) if win.facility else start
    e = min(end, win.facility[1]) if win.facility else start
    clipped = Windows((s, e) if s < e else None, win.devices)
    segs, blame = serving_segments(fplan, timelines, clipped)
    figs = segment_figures(segs, window_scheduled(fac, clipped.facility, start, end, ctx), [])
    for o in figs.outages + figs.no_data:
        o.facility = fac.id
        o.devices = sorted({d for a, b, devs in blame if a < o.end_ms and o.start_ms < b for d in devs})
    return FacilityResult(fac, fplan, figs, dev_figs, counts, timelines, segs, win)


def _lookback_ms(devices: list[Device], inventory: Inventory, rules: ServingRules) -> int:
    return max((rules.max_gap_ms(d, inventory) for d in devices), default=0)


def context(
    influx: InfluxDB,
    tags: dict[str, str],
    rules: ServingRules | None = None,
    calendar: HolidayCalendar | None = None,
    now: int | None = None,
    fetch: PollFetch | None = None,
    start_ms: int = 0,
) -> Context:
    """The shared facts of a question about the devices matching ``tags`` (liveness is read per period).

    With the API's :class:`RecentPolls` as ``fetch``, first polls of recent questions (``start_ms``)
    come through its cache.
    """
    seen = fetch.first_seen(tags, start_ms) if isinstance(fetch, RecentPolls) else first_seen(influx, tags)
    return Context(
        rules or default_rules(),
        calendar or official_calendar(),
        seen,
        Liveness(),
        now if now is not None else now_ms(),
    )


def with_period(influx: InfluxDB, ctx: Context, period: Period) -> Context:
    """``ctx`` with the collectors' liveness over ``period``."""
    start, end = period.start_ns // 1_000_000, period.end_ns // 1_000_000
    t = ctx.rules.timeline
    return replace(
        ctx, liveness=fetch_liveness(influx, start, end, int(t.max_gap_polls * t.default_poll_interval_s * 1000))
    )


def facilities_results(
    influx: InfluxDB,
    inventory: Inventory,
    facilities: list[Facility],
    tags: dict[str, str],
    period: Period,
    rules: ServingRules | None = None,
    calendar: HolidayCalendar | None = None,
    fetch: PollFetch | None = None,
    now: int | None = None,
    ctx: Context | None = None,
) -> list[FacilityResult]:
    """``fetch`` reads the polls (default: straight from InfluxDB; the API passes its :class:`RecentPolls`).

    ``now`` (ms; default the clock) ends every supervised window: the future is not scheduled.
    ``ctx`` shares first polls between several periods of one question.
    """
    ctx = with_period(influx, ctx or context(influx, tags, rules, calendar, now), period)
    rules = ctx.rules
    by_fac = devices_by_facility(inventory)
    plans = [plan(f, by_fac.get(f.id, []), rules) for f in facilities]
    all_devs = [inventory.devices[d] for p in plans for d in p.devices]
    lookback = _lookback_ms(all_devs, inventory, rules)
    start, end = period.start_ns // 1_000_000, period.end_ns // 1_000_000
    polls = (fetch or direct(influx))(tags, start - lookback, end) if all_devs else {}
    return [facility_result(p, polls, period, inventory, ctx) for p in plans]


def device_availability(
    influx: InfluxDB,
    inventory: Inventory,
    device: Device,
    period: Period,
    rules: ServingRules | None = None,
    calendar: HolidayCalendar | None = None,
    fetch: PollFetch | None = None,
    now: int | None = None,
    ctx: Context | None = None,
) -> Figures:
    ctx = with_period(influx, ctx or context(influx, {"device": device.id}, rules, calendar, now), period)
    rules = ctx.rules
    fac = inventory.facilities[device.facility]
    start, end = period.start_ns // 1_000_000, period.end_ns // 1_000_000
    gap = rules.max_gap_ms(device, inventory)
    polls = (fetch or direct(influx))({"device": device.id}, start - gap, end).get(device.id, NO_POLLS)
    _, figs, _ = device_figures(device, fac, polls, start, end, gap, ctx)
    figs.polls, figs.answered = polls.counts(start, end)
    return figs


def facility_availability(
    influx: InfluxDB, inventory: Inventory, facility: Facility, period: Period, **kw: Any
) -> FacilityResult:
    return facilities_results(influx, inventory, [facility], {"facility": facility.id}, period, **kw)[0]


@dataclass
class RegionResult:
    code: str
    figures: Figures  # facility-serving based
    device_figures: Figures
    children: dict[str, Figures]  # child region code (or facility id in a county) → serving figures
    facilities: int
    unsupervised: list[str]  # no devices to require
    unmonitored: list[str] = field(default_factory=list)  # no supervised time in the period (not yet polled …)
    source: str = "raw"  # raw points, daily roll-ups, or mixed (see ``sources``)
    sources: list[dict[str, Any]] = field(default_factory=list)


def child_of(code: str, facility: Facility) -> str:
    """The child of region ``code`` that holds ``facility`` (the facility itself inside a county)."""
    return facility.id if len(code) == 6 else region_chain(facility.county)[len(code) // 2]


def region_result(code: str, results: list[FacilityResult], facilities: int) -> RegionResult:
    total, devices = Figures(), Figures()
    children: dict[str, Figures] = defaultdict(Figures)
    for r in results:
        if not r.monitored:
            continue
        total.add_all(r.figures)
        devices.add(r.device_totals())
        children[child_of(code, r.facility)].add_counting(r.figures)
    total.outages.sort(key=lambda o: (o.start_ms, o.facility or ""))
    total.no_data.sort(key=lambda o: (o.start_ms, o.facility or ""))
    unsupervised = [r.facility.id for r in results if not r.plan.supervised]
    unmonitored = [r.facility.id for r in results if r.plan.supervised and not r.monitored]
    return RegionResult(code, total, devices, dict(children), facilities, unsupervised, unmonitored)


def region_availability(influx: InfluxDB, inventory: Inventory, code: str, period: Period, **kw: Any) -> RegionResult:
    facilities = sorted(inventory.facilities_in(code), key=lambda f: f.id)
    results = facilities_results(influx, inventory, facilities, level_tags(code), period, **kw)
    return region_result(code, results, len(results))
