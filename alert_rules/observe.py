"""Run one rule's query and turn each answered series into an observation.

One InfluxQL query per rule, grouped by the tags that name the resource, so a
cycle costs the same number of queries for ten devices or ten thousand.  An
observation is "this resource, these tags and columns, bad or not".
"""

from __future__ import annotations

import ast
import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import CodeType
from typing import Any, NamedTuple

from alert_rules.model import REGION_TAGS, Reduce, Rule, compile_condition, parse_duration
from alert_rules.stores import SEEING, Blind, StoreSet
from inventory.models import Facility, Inventory
from pdcs.storage import InfluxDB, InfluxError, Series
from supervision.liveness import Liveness, fetch_liveness, read_series
from supervision.serving import default_rules

IsOpen = Callable[[Facility, dt.datetime], bool]


@dataclass
class OpenCache:
    """Opening-hours answers within one cycle, keyed by schedule (timezone, calendar, hours) and time."""

    schedule_ids: dict[tuple[Any, ...], int] = field(default_factory=dict)  # schedule → small id
    schedules: dict[str, int] = field(default_factory=dict)  # facility → schedule id
    answers: dict[tuple[int, int], bool] = field(default_factory=dict)  # (schedule id, time ms) → open?


class Observation(NamedTuple):
    rule: str
    resource: str
    event: str
    tags: dict[str, str]
    columns: dict[str, Any]
    bad: bool
    hold_s: float = 0.0  # bad this long before it may fire, beyond the rule's ``for`` (expected but missing)
    no_data: bool = False  # silent, but no collector covering its county is alive: unknown, not bad


def _reduce(how: Reduce, values: list[float]) -> float:
    if how is Reduce.MAX:
        return max(values)
    if how is Reduce.MIN:
        return min(values)
    if how is Reduce.SUM:
        return sum(values)
    return sum(values) / len(values)


class _Names(dict[str, Any]):
    def __missing__(self, key: str) -> Any:
        raise KeyError(key)


def compile_code(tree: ast.Expression) -> CodeType:
    return compile(tree, "<condition>", "eval")


def holds(code: CodeType, columns: Mapping[str, Any]) -> bool:
    """Evaluate a compiled condition; a missing or null column makes it false (no data is not a fault)."""
    try:
        return bool(eval(code, {"__builtins__": {}}, _Names(columns)))
    except (KeyError, TypeError, ZeroDivisionError):
        return False


@dataclass
class ObserveContext:
    """What every rule of one cycle observes with."""

    influx: InfluxDB
    inventory: Inventory
    device_tags: Mapping[str, dict[str, str]]  # device id → its region tags (the inventory's)
    now: float
    is_open: IsOpen
    open_cache: OpenCache = field(default_factory=OpenCache)
    results: dict[str, list[Observation]] = field(default_factory=dict)  # rule → this cycle's observations
    liveness: Liveness | None = None  # the collectors' liveness at ``now``, read when a rule first asks
    stores: StoreSet | None = None  # the province stores, each read on its own (None: ``influx`` alone)
    blind: dict[str, Blind] = field(default_factory=dict)  # rule → what it could not read this cycle
    down: dict[int, str] = field(default_factory=dict)  # store index → its error this cycle

    def read(self, rule: str, query: str) -> list[Series]:
        """A rule's query; with several stores, over those that answer (the others: ``blind[rule]``)."""
        if self.stores is None:
            return self.influx.query(query, epoch="ms")
        series, errors = self.stores.query(query, self.down)
        self.down.update(errors)
        self.blind[rule] = self.stores.blind(errors)
        return series

    def collector_alive(self, county: str | None) -> bool:
        """Was a collector covering ``county`` alive at ``now``?  The figures' rule (``supervision.liveness``):
        alive in each minute it wrote a ``collector`` point and for 3 poll intervals after it.
        A device without a county: better an alert than a silent fault (alive)."""
        if not county:
            return True
        now_ms = int(self.now * 1000)
        if self.liveness is None:
            t = default_rules().timeline
            hold_ms = int(t.max_gap_polls * t.default_poll_interval_s * 1000)
            if self.stores is None:
                self.liveness = fetch_liveness(self.influx, now_ms, now_ms + 1, hold_ms)
            else:  # each store's collectors (a county's are in its store); a store that is down: none
                stores = self.stores

                def load() -> list[tuple[tuple[str, ...], list[tuple[int, int]]]]:
                    parts = stores.each(lambda db: read_series(db, now_ms, now_ms + 1, hold_ms), self.down)[0]
                    return [s for part in parts for s in part]

                self.liveness = Liveness(load=load)
        return any(a <= now_ms < b for a, b in self.liveness.for_county(county))


def device_tag_index(inventory: Inventory) -> dict[str, dict[str, str]]:
    return {d.id: inventory.device_tags(d) for d in inventory.devices.values() if d.facility in inventory.facilities}


class RuleRunner:
    """Everything needed to observe one rule, prepared once (compiled condition, window)."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.condition = compile_code(compile_condition(rule.condition)) if rule.condition else None
        m = re.search(r"now\(\)\s*-\s*(\d+(?:\.\d+)?[smhd])", rule.query or "")
        self.window_s = parse_duration(m.group(1)) if m else 0.0

    def observe(self, ctx: ObserveContext) -> list[Observation]:
        if self.rule.derive is not None:
            return self._derive(ctx)
        rule = self.rule
        assert rule.query is not None and self.condition is not None
        inventory, now, is_open, open_cache = ctx.inventory, ctx.now, ctx.is_open, ctx.open_cache
        series = ctx.read(rule.name, rule.query)
        blind = ctx.blind.get(rule.name, SEEING)
        merged: dict[tuple[str, str], Observation] = {}
        for s in series:
            if not s.values:
                continue
            tags = {k: v for k, v in s.tags.items() if v}
            known = ctx.device_tags.get(tags.get("device", ""))
            if known is not None:  # region tags from the inventory: the query groups by device only
                tags = {**known, **tags}
            if rule.open_buckets is not None:
                rows = s.rows()
                fac = inventory.facilities.get(tags.get("facility", ""))
                if fac is not None:
                    rows = [r for r in rows if self._open_at(fac, r["time"], is_open, open_cache)]
                if not rows:
                    continue  # no opening hours in the window: nothing to judge
                columns: dict[str, Any] = {"buckets": len(rows), "time": rows[-1]["time"]}
                for col in s.columns:
                    if col == "time":
                        continue
                    vals = [float(r[col]) for r in rows if isinstance(r.get(col), int | float)]
                    columns[col] = _reduce(rule.open_buckets, vals) if vals else None
            else:
                columns = dict(zip(s.columns, s.values[-1], strict=False))
            t = columns.get("time")
            if isinstance(t, int | float) and t > 0:
                columns["age_s"] = max(0.0, now - t / 1000)
                columns["age_min"] = int(columns["age_s"] // 60)
            bad = holds(self.condition, columns)
            if bad and rule.opening_hours_only and rule.open_buckets is None:
                bad = self._open(inventory, tags.get("facility", ""), now, is_open, open_cache)
            obs = self._make(tags, columns, bad)
            if obs is None:
                continue
            key = (obs.resource, obs.event)
            prev = merged.get(key)
            # Several series for one resource (e.g. two sources): bad when any is bad.
            if prev is None or (obs.bad and not prev.bad):
                merged[key] = obs
        if rule.expect is not None:
            self._expected(inventory, merged, now, blind)
        out = list(merged.values())
        if rule.needs_collector:
            out = [
                o._replace(bad=False, no_data=True) if o.bad and not ctx.collector_alive(o.tags.get("county")) else o
                for o in out
            ]
        return out

    def _derive(self, ctx: ObserveContext) -> list[Observation]:
        """Group the source rule's observations by a region tag; bad when all (or any) of a group are."""
        d = self.rule.derive
        assert d is not None
        if d.rule not in ctx.results:  # its source failed (or is not loaded): keep this rule's states as they are
            raise InfluxError(f"source rule {d.rule!r} has no observations this cycle")
        ctx.blind[self.rule.name] = ctx.blind.get(d.rule, SEEING)  # blind where its source was
        keep = REGION_TAGS[: REGION_TAGS.index(d.by) + 1]
        groups: dict[str, list[Observation]] = {}
        for o in ctx.results.get(d.rule, []):
            value = o.tags.get(d.by)
            if value:
                groups.setdefault(value, []).append(o)
        out = []
        for members in groups.values():
            down = sum(1 for o in members if o.bad)
            unknown = sum(1 for o in members if o.no_data)  # their collector is silent: down or not, unknown
            bad = down == len(members) if d.when == "all" else down > 0
            tags = {k: v for k, v in members[0].tags.items() if k in keep}
            obs = self._make(tags, {"devices": len(members), "down": down, "value": down}, bad)
            if obs is not None:
                no_data = not bad and unknown > 0 and (down + unknown == len(members) if d.when == "all" else True)
                out.append(obs._replace(no_data=no_data))
        return out

    @staticmethod
    def _open_at(fac: Facility, t_ms: int, is_open: IsOpen, cache: OpenCache) -> bool:
        """``is_open`` cached by (schedule, time): thousands of facilities share a handful of schedules."""
        sched = cache.schedules.get(fac.id)
        if sched is None:
            spec = (fac.timezone, fac.holiday_calendar, tuple(sorted(fac.opening_hours.items())))
            sched = cache.schedules[fac.id] = cache.schedule_ids.setdefault(spec, len(cache.schedule_ids))
        key = (sched, t_ms)
        hit = cache.answers.get(key)
        if hit is None:
            hit = cache.answers[key] = is_open(fac, _utc(t_ms / 1000))
        return hit

    def _open(self, inventory: Inventory, facility: str, now: float, is_open: IsOpen, cache: OpenCache) -> bool:
        fac = inventory.facilities.get(facility)
        # A facility the inventory does not know: better an alert than a silent fault.
        return True if fac is None else self._open_at(fac, int(now * 1000), is_open, cache)

    def _make(self, tags: dict[str, str], columns: dict[str, Any], bad: bool) -> Observation | None:
        try:
            resource = self.rule.resource.format(**tags)
            event = self.rule.event_template.format(**tags)
        except (KeyError, IndexError, ValueError):
            return None  # a series without the naming tags (written without them): cannot be addressed
        if not resource:
            return None
        return Observation(self.rule.name, resource, event, tags, columns, bad)

    def _expected(
        self, inventory: Inventory, merged: dict[tuple[str, str], Observation], now: float, blind: Blind
    ) -> None:
        """Devices the inventory says should report but the query did not answer for: silent, hence bad
        (not those of a store that did not answer: unknown, not silent)."""
        exp = self.rule.expect
        assert exp is not None
        seen = {o.tags.get("device") for o in merged.values()}
        for device in inventory.devices_in():
            if device.id in seen or (exp.with_agent and not device.agent_url):
                continue
            if exp.device_kinds and device.kind.value not in exp.device_kinds:
                continue
            if device.facility not in inventory.facilities:
                continue
            tags = inventory.device_tags(device)
            if blind(tags):
                continue
            columns: dict[str, Any] = {"value": None, "age_min": f">{math.floor(self.window_s / 60)}"}
            obs = self._make(tags, columns, True)
            if obs is not None:
                merged[(obs.resource, obs.event)] = obs._replace(hold_s=exp.grace_s)


def _utc(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.UTC)
