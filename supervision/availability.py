"""Availability in scheduled service time, with outages, for devices, facilities and regions.

availability = time up within scheduled service time ÷ scheduled service time.

* device: up = its polls say up (``timeline``).
* facility: up = serving, i.e. every applicable requirement of ``serving.yaml`` holds.
* region (county … nation): Σ facility serving time ÷ Σ facility scheduled time
  over its supervised facilities; also the device-weighted figure.

An outage is a continuous episode of not-up (or not-serving) time that overlaps
scheduled service time; it is reported with its real start and end, its whole
duration and the part inside service hours.  Down only while closed → no outage.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from inventory.models import Device, Facility, Inventory, region_chain
from pdcs.storage import InfluxDB
from supervision import intervals as iv
from supervision.index import devices_by_facility
from supervision.periods import Period
from supervision.recent_polls import PollFetch, direct
from supervision.regions import level_tags
from supervision.schedule import HolidayCalendar, official_calendar, service_intervals
from supervision.serving import FacilityPlan, ServingRules, default_rules, plan
from supervision.timeline import DOWN, UNKNOWN, UP, PollSeries, Segment, device_timeline

NO_POLLS = PollSeries()


def iso(ms: int, tz: tzinfo) -> str:
    return datetime.fromtimestamp(ms / 1000, tz).isoformat()


@dataclass
class Outage:
    start_ms: int
    end_ms: int
    in_service_ms: int
    cause: str  # down | no_data | mixed
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
    unknown_ms: int = 0  # scheduled time with no data (counted as not up)
    outages: list[Outage] = field(default_factory=list)
    counted_outages: int = 0  # outages known only by number (from daily roll-ups)
    polls: int = 0  # polls within the period (device figures)
    answered: int = 0

    @property
    def outage_count(self) -> int:
        return len(self.outages) + self.counted_outages

    @property
    def availability(self) -> float | None:
        return self.up_ms / self.scheduled_ms if self.scheduled_ms else None

    def add(self, other: Figures) -> None:
        self.scheduled_ms += other.scheduled_ms
        self.up_ms += other.up_ms
        self.unknown_ms += other.unknown_ms
        self.counted_outages += other.counted_outages

    def summary(self) -> dict[str, Any]:
        return {
            "scheduled_s": self.scheduled_ms / 1000,
            "up_s": self.up_ms / 1000,
            "unknown_s": self.unknown_ms / 1000,
            "availability": self.availability,
        }


def _episodes(segments: list[Segment], scheduled: list[iv.Interval]) -> list[tuple[int, int, int, set[int]]]:
    """Maximal not-UP runs overlapping scheduled time: (start, end, in_service_ms, states seen)."""
    out = []
    run: list[Segment] = []

    def flush() -> None:
        if run:
            s, e = run[0].start, run[-1].end
            inside = iv.total(iv.intersect([(s, e)], scheduled))
            if inside > 0:
                out.append((s, e, inside, {x.state for x in run}))
        run.clear()

    for seg in segments:
        if seg.state == UP or (run and run[-1].end != seg.start):
            flush()
        if seg.state != UP:
            run.append(seg)
    flush()
    return out


def _cause(states: set[int]) -> str:
    if states == {UNKNOWN}:
        return "no_data"
    return "down" if UNKNOWN not in states else "mixed"


def segment_figures(segments: list[Segment], scheduled: list[iv.Interval], who: list[str]) -> Figures:
    up = iv.total(iv.intersect([(s.start, s.end) for s in segments if s.state == UP], scheduled))
    unknown = iv.total(iv.intersect([(s.start, s.end) for s in segments if s.state == UNKNOWN], scheduled))
    outages = [Outage(s, e, inside, _cause(st), list(who)) for s, e, inside, st in _episodes(segments, scheduled)]
    return Figures(iv.total(scheduled), up, unknown, outages)


def serving_segments(
    fplan: FacilityPlan, timelines: dict[str, list[Segment]], start_ms: int, end_ms: int
) -> tuple[list[Segment], list[tuple[int, int, frozenset[str]]]]:
    """The facility's serving timeline, and for each not-serving piece the required devices not up."""
    cuts = {start_ms, end_ms}
    for dev in fplan.devices:
        cuts.update(s.start for s in timelines[dev])
    points = sorted(c for c in cuts if start_ms <= c <= end_ms)
    idx = dict.fromkeys(fplan.devices, 0)
    out: list[Segment] = []
    blame: list[tuple[int, int, frozenset[str]]] = []
    for a, b in itertools.pairwise(points):
        state_of: dict[str, int] = {}
        for dev in fplan.devices:
            segs = timelines[dev]
            i = idx[dev]
            while i < len(segs) and segs[i].end <= a:
                i += 1
            idx[dev] = i
            state_of[dev] = segs[i].state if i < len(segs) and segs[i].start <= a else UNKNOWN
        serving = all(sum(state_of[d] == UP for d in r.devices) >= r.needed for r in fplan.requirements)
        if serving:
            state = UP
        else:
            hopeful = all(sum(state_of[d] != DOWN for d in r.devices) >= r.needed for r in fplan.requirements)
            state = UNKNOWN if hopeful else DOWN
            blame.append((a, b, frozenset(d for d, st in state_of.items() if st != UP)))
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

    def device_totals(self) -> Figures:
        tot = Figures()
        for f in self.device_figures.values():
            tot.add(f)
        return tot


def facility_result(
    fplan: FacilityPlan,
    polls: dict[str, PollSeries],
    period: Period,
    inventory: Inventory,
    rules: ServingRules,
    calendar: HolidayCalendar,
) -> FacilityResult:
    fac = fplan.facility
    start, end = period.start_ns // 1_000_000, period.end_ns // 1_000_000
    scheduled = service_intervals(fac, start, end, calendar)
    timelines: dict[str, list[Segment]] = {}
    dev_figs: dict[str, Figures] = {}
    for dev in fplan.devices:
        gap = rules.max_gap_ms(inventory.devices[dev], inventory)
        timelines[dev] = device_timeline(polls.get(dev, NO_POLLS), start, end, gap)
        dev_figs[dev] = segment_figures(timelines[dev], scheduled, [dev])
    counts = {dev: polls.get(dev, NO_POLLS).counts(start, end) for dev in fplan.devices}
    if not fplan.supervised:
        return FacilityResult(fac, fplan, Figures(iv.total(scheduled)), dev_figs, counts)
    segs, blame = serving_segments(fplan, timelines, start, end)
    figs = segment_figures(segs, scheduled, [])
    for o in figs.outages:
        o.facility = fac.id
        o.devices = sorted({d for a, b, devs in blame if a < o.end_ms and o.start_ms < b for d in devs})
    return FacilityResult(fac, fplan, figs, dev_figs, counts)


def _lookback_ms(devices: list[Device], inventory: Inventory, rules: ServingRules) -> int:
    return max((rules.max_gap_ms(d, inventory) for d in devices), default=0)


def facilities_results(
    influx: InfluxDB,
    inventory: Inventory,
    facilities: list[Facility],
    tags: dict[str, str],
    period: Period,
    rules: ServingRules | None = None,
    calendar: HolidayCalendar | None = None,
    fetch: PollFetch | None = None,
) -> list[FacilityResult]:
    """``fetch`` reads the polls (default: straight from InfluxDB; the API passes its :class:`RecentPolls`)."""
    rules = rules or default_rules()
    calendar = calendar or official_calendar()
    by_fac = devices_by_facility(inventory)
    plans = [plan(f, by_fac.get(f.id, []), rules) for f in facilities]
    all_devs = [inventory.devices[d] for p in plans for d in p.devices]
    lookback = _lookback_ms(all_devs, inventory, rules)
    start, end = period.start_ns // 1_000_000, period.end_ns // 1_000_000
    polls = (fetch or direct(influx))(tags, start - lookback, end) if all_devs else {}
    return [facility_result(p, polls, period, inventory, rules, calendar) for p in plans]


def device_availability(
    influx: InfluxDB,
    inventory: Inventory,
    device: Device,
    period: Period,
    rules: ServingRules | None = None,
    calendar: HolidayCalendar | None = None,
    fetch: PollFetch | None = None,
) -> Figures:
    rules = rules or default_rules()
    calendar = calendar or official_calendar()
    fac = inventory.facilities[device.facility]
    start, end = period.start_ns // 1_000_000, period.end_ns // 1_000_000
    gap = rules.max_gap_ms(device, inventory)
    polls = (fetch or direct(influx))({"device": device.id}, start - gap, end).get(device.id, NO_POLLS)
    scheduled = service_intervals(fac, start, end, calendar)
    figs = segment_figures(device_timeline(polls, start, end, gap), scheduled, [device.id])
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
    unsupervised: list[str]
    source: str = "raw"  # raw points, or daily roll-ups


def child_of(code: str, facility: Facility) -> str:
    """The child of region ``code`` that holds ``facility`` (the facility itself inside a county)."""
    return facility.id if len(code) == 6 else region_chain(facility.county)[len(code) // 2]


def region_availability(influx: InfluxDB, inventory: Inventory, code: str, period: Period, **kw: Any) -> RegionResult:
    facilities = sorted(inventory.facilities_in(code), key=lambda f: f.id)
    results = facilities_results(influx, inventory, facilities, level_tags(code), period, **kw)
    total, devices = Figures(), Figures()
    children: dict[str, Figures] = defaultdict(Figures)
    for r in results:
        if not r.plan.supervised:
            continue
        total.add(r.figures)
        total.outages.extend(r.figures.outages)
        devices.add(r.device_totals())
        children[child_of(code, r.facility)].add(r.figures)
    total.outages.sort(key=lambda o: (o.start_ms, o.facility or ""))
    unsupervised = [r.facility.id for r in results if not r.plan.supervised]
    return RegionResult(code, total, devices, dict(children), len(results), unsupervised)
