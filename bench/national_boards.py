"""The national and province boards' queries for ``bench/national.py``, and running them as Grafana does.

* **ours** — 全国总览 and 省级看板 as ``dashboards.build.build_all()`` builds them (issue 19: they
  read ``province_summary``/``county_summary`` on the national data source, two targets per
  figure — the 5-minute and the hourly tier — of which the range condition lets one answer);
* **the peer** — the same boards as they were before, reading raw points
  (``dashboards.build.build_raw_peers()``, ``dashboards/boards/raw_regions.py``).

:func:`open_board` resolves the variables in order ("All" for multi-value ones, else the
first value or a chosen one), substitutes every target as Grafana does
(``dashboards.templating``, with each panel's min interval and max data points) and runs them
one after another: Grafana runs panels in parallel, so the sum is an upper bound.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from dashboards.boards import raw_regions
from dashboards.build import Built, build_all, build_raw_peers
from dashboards.templating import TimeRange, Variable, interpolate
from pdcs.storage import InfluxDB

NATIONAL, PROVINCE = "pdcs-national", "pdcs-province"
RAW = {NATIONAL: raw_regions.NATIONAL_UID, PROVINCE: raw_regions.PROVINCE_UID}


@dataclass(frozen=True)
class VarSpec:
    name: str
    query: str
    multi: bool = False
    include_all: bool = False
    all_value: str | None = None


@dataclass(frozen=True)
class Target:
    panel: str
    ref_id: str
    query: str
    min_interval_ms: int = 0  # the panel's "min interval" (Grafana never makes $__interval shorter)
    max_data_points: int = 1000  # the panel's "max data points" ($__interval = range ÷ this, rounded)


@dataclass(frozen=True)
class BoardQueries:
    uid: str
    variables: tuple[VarSpec, ...]
    targets: tuple[Target, ...]


@dataclass
class Opened:
    """One opening of a board: seconds in total, per query, and what failed."""

    uid: str
    seconds: float = 0.0
    queries: int = 0
    rows: int = 0
    slowest: tuple[str, float] = ("", 0.0)
    errors: list[str] = field(default_factory=list)


def _queries(b: Built) -> BoardQueries:
    variables = tuple(
        VarSpec(v.name, str(v.query), bool(v.multi), bool(v.include_all), v.all_value)
        for v in (b.model.templating.list_val if b.model.templating and b.model.templating.list_val else [])
    )
    targets = tuple(
        Target(p.title or "", t.ref_id or "", t.query, _duration_ms(p.interval), int(p.max_data_points or 1000))
        for p, t in b.targets()
    )
    return BoardQueries(b.uid, variables, targets)


def board(uid: str) -> BoardQueries:
    """Ours: the board as provisioned."""
    return next(_queries(b) for b in build_all() if b.uid == uid)


def raw(uid: str) -> BoardQueries:
    """The peer: the board as it was before issue 19 (raw points)."""
    return next(_queries(b) for b in build_raw_peers() if b.uid == RAW[uid])


def _duration_ms(text: str | None) -> int:
    """A Grafana interval (``5m``, ``1h``, ``30s``) in milliseconds; 0 when unset."""
    if not text:
        return 0
    units = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
    for unit in sorted(units, key=len, reverse=True):
        if text.endswith(unit) and text[: -len(unit)].isdigit():
            return int(text[: -len(unit)]) * units[unit]
    raise ValueError(f"panel interval {text!r}: not a Grafana duration")


def open_board(board: BoardQueries, influx: InfluxDB, tr: TimeRange, chosen: Mapping[str, str] | None = None) -> Opened:
    """Resolve the variables and run every target once, timing the whole (see module docstring)."""
    chosen = chosen or {}
    out = Opened(board.uid)
    resolved: dict[str, Variable] = {}
    t_all = time.perf_counter()

    def run(label: str, q: str) -> list[dict[str, object]]:
        t = time.perf_counter()
        try:
            rows = [r for s in influx.query(q) for r in s.rows()]
        except Exception as exc:  # a refused query is a finding, not a crash
            out.errors.append(f"{board.uid} / {label}: {exc}")
            rows = []
        took = time.perf_counter() - t
        out.queries += 1
        out.rows += len(rows)
        if took > out.slowest[1]:
            out.slowest = (label, took)
        return rows

    for v in board.variables:
        rows = run(f"${v.name}", interpolate(v.query, resolved, tr))
        options = sorted({str(r["value"]) for r in rows})
        if v.multi and v.include_all and chosen.get(v.name, "$__all") == "$__all":
            resolved[v.name] = Variable(v.name, (), True, True, v.all_value, all=True, options=options)
        else:
            value = chosen.get(v.name, options[0] if options else "")
            resolved[v.name] = Variable(v.name, (value,), v.multi, v.include_all, options=options)
    for t in board.targets:
        q = interpolate(t.query, resolved, tr, max_data_points=t.max_data_points, min_interval_ms=t.min_interval_ms)
        run(f"{t.panel} {t.ref_id}", q)
    out.seconds = time.perf_counter() - t_all
    return out
