"""The national and province boards' queries for ``bench/national.py``, and running them as Grafana does.

Three sources of a board's queries (variables and panel targets, unsubstituted):

* **the boards in dashboards/** — once they read ``province_summary``/``county_summary``
  (issue 19, NATIONAL.md §3), :func:`from_dashboards` takes them from ``build_all()``;
* **interim** — until then, :func:`interim` writes the same panels in the contract's schema
  (NATIONAL.md §2), so the bench measures the design before the boards land;
* **raw (the peer)** — ``bench/national_raw_boards.json``: the national and province boards'
  queries as they were before issue 19 (they read raw points), frozen from commit b281b18.

:func:`open_board` resolves the variables in order ("All" for multi-value ones, else the
first value or a chosen one), substitutes every target (``dashboards.templating``) and runs
them one after another: Grafana runs panels in parallel, so the sum is an upper bound.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dashboards.build import build_all
from dashboards.templating import TimeRange, Variable, interpolate
from pdcs.storage import InfluxDB

RAW_BOARDS = Path(__file__).resolve().parent / "national_raw_boards.json"
NATIONAL, PROVINCE = "pdcs-national", "pdcs-province"
SUMMARIES = ("province_summary", "county_summary")


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


@dataclass(frozen=True)
class BoardQueries:
    uid: str
    source: str  # "dashboards", "interim" or "raw"
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


def from_dashboards(uid: str) -> BoardQueries | None:
    """The board's queries from dashboards/, when it reads the summaries; None before it does."""
    for b in build_all():
        if b.uid != uid:
            continue
        variables = tuple(
            VarSpec(v.name, str(v.query), bool(v.multi), bool(v.include_all), v.all_value)
            for v in (b.model.templating.list_val if b.model.templating and b.model.templating.list_val else [])
        )
        targets = tuple(
            Target(p.title or "", t.ref_id or "", t.query, _duration_ms(p.interval)) for p, t in b.targets()
        )
        if not any(s in t.query for t in targets for s in SUMMARIES):
            return None
        return BoardQueries(uid, "dashboards", variables, targets)
    return None


def _duration_ms(text: str | None) -> int:
    """A Grafana interval (``5m``, ``1h``, ``30s``) in milliseconds; 0 when unset."""
    if not text:
        return 0
    units = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
    for unit in sorted(units, key=len, reverse=True):
        if text.endswith(unit) and text[: -len(unit)].isdigit():
            return int(text[: -len(unit)]) * units[unit]
    raise ValueError(f"panel interval {text!r}: not a Grafana duration")


def raw(uid: str) -> BoardQueries:
    """The pre-issue-19 raw board (the peer)."""
    data = json.loads(RAW_BOARDS.read_text(encoding="utf-8"))["boards"][uid]
    return BoardQueries(
        uid,
        "raw",
        tuple(VarSpec(**v) for v in data["variables"]),
        tuple(Target(**t) for t in data["targets"]),
    )


def interim(uid: str, rp: str) -> BoardQueries:
    """The board's panels on the summaries (NATIONAL.md §2) reading retention policy ``rp``.

    Each panel's min interval is the tier's bucket (5 minutes, or an hour for ``summary_long``):
    a finer ``$__interval`` would only add empty buckets.
    """
    step = 3_600_000 if rp == "summary_long" else 300_000
    variables: tuple[VarSpec, ...]
    if uid == NATIONAL:
        m, where, by, var_level = f'"{rp}"."province_summary"', '"province" =~ /^$province$/', '"province"', "province"
        variables = (
            VarSpec("province", 'SHOW TAG VALUES FROM "province_summary" WITH KEY = "province"', True, True, ".*"),
        )
    else:
        m = f'"{rp}"."county_summary"'
        where, by, var_level = '"province" =~ /^$province$/ AND "city" =~ /^$city$/', '"city", "county"', "city"
        variables = (
            VarSpec("province", 'SHOW TAG VALUES FROM "county_summary" WITH KEY = "province"'),
            VarSpec(
                "city",
                'SHOW TAG VALUES FROM "county_summary" WITH KEY = "city" WHERE "province" =~ /^$province$/',
                True,
                True,
                ".*",
            ),
        )
    leaf = "province" if uid == NATIONAL else "county"

    def latest(f: str) -> str:
        inner = f'SELECT last("{f}") AS "{f}" FROM {m} WHERE $timeFilter AND {where} GROUP BY "{leaf}"'
        return f'SELECT sum("{f}") FROM ({inner})'

    def total(f: str, alias: str) -> str:
        return (
            f'SELECT sum("{alias}") AS "{alias}" FROM (SELECT mean("{f}") AS "{alias}" FROM {m} '
            f'WHERE $timeFilter AND {where} GROUP BY time($__interval), "{leaf}") '
            "WHERE $timeFilter GROUP BY time($__interval)"
        )

    targets = [
        Target("设备总数", "A", latest("devices")),
        Target("在线设备", "A", latest("devices_up")),
        Target("离线设备", "A", latest("devices_down")),
        Target("未通过检查项", "A", latest("checks_failed")),
        Target(
            "在线率",
            "A",
            f'SELECT sum("devices_up") / sum("devices") * 100 AS "availability" FROM {m} '
            f"WHERE $timeFilter AND {where} GROUP BY {by}",
        ),
        Target(
            "在线率",
            "B",
            f'SELECT last("devices") AS "devices", last("facilities_serving") AS "serving", '
            f'last("checks_failed") AS "failed_checks" FROM {m} WHERE $timeFilter AND {where} GROUP BY {by}',
        ),
        Target(
            "在线率趋势",
            "A",
            f'SELECT sum("devices_up") / sum("devices") * 100 FROM {m} WHERE $timeFilter AND {where} '
            f'GROUP BY time($__interval), "{var_level}" fill(null)',
        ),
        Target("出口带宽合计", "A", total("uplink_in_bps", "in_bps")),
        Target("出口带宽合计", "B", total("uplink_out_bps", "out_bps")),
        Target("无线终端", "A", total("clients", "clients")),
    ]
    if uid == NATIONAL:
        targets.append(
            Target(
                "各省上报状态",
                "A",
                'SELECT last("through_ms") AS "through_ms", last("shipped_at_ms") AS "shipped_at_ms" '
                'FROM "federation_status" WHERE "province" =~ /^$province$/ GROUP BY "province"',
            )
        )
    return BoardQueries(uid, "interim", variables, tuple(Target(t.panel, t.ref_id, t.query, step) for t in targets))


def summary_board(uid: str, rp: str) -> BoardQueries:
    """The boards' own queries once they read summaries, else the interim ones."""
    return from_dashboards(uid) or interim(uid, rp)


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
        run(f"{t.panel} {t.ref_id}", interpolate(t.query, resolved, tr, min_interval_ms=t.min_interval_ms))
    out.seconds = time.perf_counter() - t_all
    return out
