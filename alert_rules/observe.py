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
from typing import Any, NamedTuple

from alert_rules.model import Reduce, Rule, compile_condition, parse_duration
from inventory.models import Facility, Inventory
from pdcs.storage import InfluxDB

IsOpen = Callable[[Facility, dt.datetime], bool]


class Observation(NamedTuple):
    rule: str
    resource: str
    event: str
    tags: dict[str, str]
    columns: dict[str, Any]
    bad: bool


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


def holds(tree: ast.Expression, columns: Mapping[str, Any]) -> bool:
    """Evaluate a compiled condition; a missing or null column makes it false (no data is not a fault)."""
    code = compile(tree, "<condition>", "eval")
    try:
        return bool(eval(code, {"__builtins__": {}}, _Names(columns)))
    except (KeyError, TypeError, ZeroDivisionError):
        return False


class RuleRunner:
    """Everything needed to observe one rule, prepared once (compiled condition, window)."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.condition = compile_condition(rule.condition)
        m = re.search(r"now\(\)\s*-\s*(\d+(?:\.\d+)?[smhd])", rule.query)
        self.window_s = parse_duration(m.group(1)) if m else 0.0

    def observe(
        self, influx: InfluxDB, inventory: Inventory, now: float, is_open: IsOpen, open_cache: dict[str, bool]
    ) -> list[Observation]:
        rule = self.rule
        series = influx.query(rule.query, epoch="ms")
        merged: dict[tuple[str, str], Observation] = {}
        for s in series:
            tags = {k: v for k, v in s.tags.items() if v}
            rows = s.rows()
            if not rows:
                continue
            if rule.open_buckets is not None:
                fac = inventory.facilities.get(tags.get("facility", ""))
                rows = [r for r in rows if fac is None or is_open(fac, _utc(r["time"] / 1000))]
                if not rows:
                    continue  # no opening hours in the window: nothing to judge
                columns: dict[str, Any] = {"buckets": len(rows), "time": rows[-1]["time"]}
                for col in s.columns:
                    if col == "time":
                        continue
                    vals = [float(r[col]) for r in rows if isinstance(r.get(col), int | float)]
                    columns[col] = _reduce(rule.open_buckets, vals) if vals else None
            else:
                columns = dict(rows[-1])
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
            self._expected(inventory, merged, now)
        return list(merged.values())

    def _open(self, inventory: Inventory, facility: str, now: float, is_open: IsOpen, cache: dict[str, bool]) -> bool:
        if facility not in cache:
            fac = inventory.facilities.get(facility)
            # A facility the inventory does not know: better an alert than a silent fault.
            cache[facility] = True if fac is None else is_open(fac, _utc(now))
        return cache[facility]

    def _make(self, tags: dict[str, str], columns: dict[str, Any], bad: bool) -> Observation | None:
        try:
            resource = self.rule.resource.format(**tags)
            event = self.rule.event_template.format(**tags)
        except (KeyError, IndexError, ValueError):
            return None  # a series without the naming tags (written without them): cannot be addressed
        if not resource:
            return None
        return Observation(self.rule.name, resource, event, tags, columns, bad)

    def _expected(self, inventory: Inventory, merged: dict[tuple[str, str], Observation], now: float) -> None:
        """Devices the inventory says should report but the query did not answer for: silent, hence bad."""
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
            columns: dict[str, Any] = {"value": None, "age_min": f">{math.floor(self.window_s / 60)}"}
            obs = self._make(tags, columns, True)
            if obs is not None:
                merged[(obs.resource, obs.event)] = obs


def _utc(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.UTC)
