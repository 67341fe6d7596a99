"""Run a dashboard's variable and panel queries against InfluxDB, as Grafana would.

``resolve_variables`` runs each variable's query in order (a variable's query
sees the values chosen above it), choosing "All" for multi-value variables and
a given or the first value otherwise.  ``run_targets`` then substitutes the
variables into every panel query (``dashboards.templating``) and reports, per
target, the series it got and whether they carry the columns and tags the panel
reads.  ``pdcs grafana check`` and the tests use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from grafana_foundation_sdk.models import dashboard as dm

from dashboards.build import Built
from dashboards.influxql import DATASOURCE_UID
from dashboards.templating import TimeRange, Variable, duration_ms, interpolate
from pdcs.storage.influx import InfluxDB, Series


@dataclass(frozen=True)
class TargetResult:
    dashboard: str
    panel: str
    ref_id: str
    columns: tuple[str, ...]
    query: str
    series: list[Series]
    problems: list[str]

    @property
    def rows(self) -> int:
        return sum(len(s.values) for s in self.series)


Sources = InfluxDB | Mapping[str, InfluxDB]


def store(influx: Sources, uid: str | None) -> InfluxDB:
    """The database behind data source ``uid``: ``influx`` itself, or its entry (raw and national stores)."""
    if isinstance(influx, InfluxDB):
        return influx
    key = uid or DATASOURCE_UID
    if key not in influx:
        raise KeyError(f"no database given for data source {key!r} (have {sorted(influx)})")
    return influx[key]


def resolve_variables(
    built: Built,
    influx: Sources,
    time_range: TimeRange,
    chosen: Mapping[str, str] | None = None,
) -> tuple[dict[str, Variable], dict[str, str]]:
    """Variables with their values, and each variable's query as sent (name → substituted query).

    ``chosen`` sets a variable's value as a URL would (``$__all`` is "All").  ``influx``: one database
    for every data source, or data source uid → database.
    """
    chosen = chosen or {}
    resolved: dict[str, Variable] = {}
    queries: dict[str, str] = {}
    for v in built.model.templating.list_val if built.model.templating and built.model.templating.list_val else []:
        q = interpolate(str(v.query), resolved, time_range)
        queries[v.name] = q
        db = store(influx, v.datasource.uid if v.datasource else None)
        options = sorted({str(row["value"]) for s in db.query(q) for row in s.rows()})
        if v.multi and v.include_all and chosen.get(v.name, "$__all") == "$__all":
            resolved[v.name] = Variable(
                v.name, (), multi=True, include_all=True, all_value=v.all_value, all=True, options=options
            )
        else:
            value = chosen.get(v.name, options[0] if options else "")
            resolved[v.name] = Variable(
                v.name, (value,), multi=bool(v.multi), include_all=bool(v.include_all), options=options
            )
    return resolved, queries


def panel_query(panel: dm.Panel, query: str, variables: Mapping[str, Variable], time_range: TimeRange) -> str:
    """``query`` as Grafana sends it for ``panel``: its max data points and min interval set ``$__interval``."""
    return interpolate(
        query,
        variables,
        time_range,
        max_data_points=int(panel.max_data_points or 1000),
        min_interval_ms=duration_ms(panel.interval) if panel.interval else 0,
    )


def run_targets(
    built: Built, influx: Sources, variables: Mapping[str, Variable], time_range: TimeRange
) -> list[TargetResult]:
    out = []
    for panel, target in built.targets():
        query = panel_query(panel, target.query, variables, time_range)
        problems: list[str] = []
        series: list[Series] = []
        try:
            series = store(influx, target.datasource_uid).query(query)
        except Exception as exc:  # an InfluxQL error is the finding, not a crash
            problems.append(f"InfluxDB refused the query: {exc}")
        for s in series:
            missing = [c for c in target.columns if c not in s.columns]
            if missing:
                problems.append(f"series {s.name} {s.tags}: no column(s) {missing} (got {s.columns})")
            missing_tags = [t for t in target.group_by if t not in s.tags]
            if missing_tags:
                problems.append(f"series {s.name}: not grouped by {missing_tags} (tags {sorted(s.tags)})")
        out.append(TargetResult(built.uid, panel.title or "", target.ref_id, target.columns, query, series, problems))
    return out


def has_values(result: TargetResult) -> bool:
    """True when some row has a non-null value in one of the columns the panel reads."""
    for s in result.series:
        idx = [s.columns.index(c) for c in result.columns if c in s.columns]
        for row in s.values:
            if any(_present(row[i]) for i in idx):
                return True
    return False


def _present(value: Any) -> bool:
    return value is not None and value != ""
