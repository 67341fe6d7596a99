"""Grafana's template-variable substitution for InfluxQL, re-done in Python.

Grafana rewrites a panel's InfluxQL before sending it to InfluxDB: ``$timeFilter``
becomes a time condition, ``$__interval`` the rounded bucket width, and every
``$var`` / ``${var}`` / ``${var:format}`` / ``[[var]]`` the variable's current
value.  A value inside an InfluxQL regex (``/^$county$/``) is regex-escaped when
the variable is multi-value or has "All" (``(a|b)`` for several values, the
custom all-value such as ``.*`` as it is).  This module does the same so the
tests can run every dashboard query, as Grafana would send it, against a real
InfluxDB.  It follows Grafana's ``templateSrv``, the InfluxDB data source's
``interpolateQueryExpr`` and ``rangeutil.roundInterval``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

# templateSrv's variable pattern: $var | [[var]] | [[var:fmt]] | ${var} | ${var.field} | ${var:fmt}
_VARIABLE = re.compile(r"\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}")
_REGEX_SPECIAL = re.compile(r"[\\^$*+?.()|\[\]{}/]")
_RELATIVE = re.compile(r"^now(?:-(\d+)([smhdw]))?$")


def escape_regex(value: str) -> str:
    """Grafana's ``escapeRegex``: backslash every regex metacharacter (and ``/``)."""
    return _REGEX_SPECIAL.sub(lambda m: "\\" + m.group(0), value)


@dataclass(frozen=True)
class Variable:
    """A dashboard variable's current state.

    ``values`` are the selected values; ``all`` means "All" is selected, in
    which case ``options`` (every value the variable offers) or ``all_value``
    stands in.
    """

    name: str
    values: Sequence[str] = ()
    multi: bool = False
    include_all: bool = False
    all_value: str | None = None
    all: bool = False
    options: Sequence[str] = field(default_factory=tuple)

    def current(self) -> list[str]:
        if self.all:
            return list(self.options)
        return list(self.values)


@dataclass(frozen=True)
class TimeRange:
    """A dashboard time range: each end is epoch milliseconds or Grafana's relative ``now-7d``/``now``."""

    start: int | str
    end: int | str
    now_ms: int

    def _ms(self, edge: int | str) -> int:
        if isinstance(edge, int):
            return edge
        m = _RELATIVE.match(edge)
        if not m:
            raise ValueError(f"time {edge!r} is neither epoch ms nor now[-N(s|m|h|d|w)]")
        if not m.group(1):
            return self.now_ms
        unit = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[m.group(2)]
        return self.now_ms - int(m.group(1)) * unit * 1000

    @property
    def from_ms(self) -> int:
        return self._ms(self.start)

    @property
    def to_ms(self) -> int:
        return self._ms(self.end)

    def influx_filter(self) -> str:
        """The InfluxDB data source's ``$timeFilter``: relative ends stay relative to ``now()``."""

        def edge(value: int | str, op: str) -> str | None:
            if isinstance(value, int):
                return f"time {op} {value}ms"
            m = _RELATIVE.match(value)
            if not m:
                raise ValueError(f"time {value!r} is neither epoch ms nor now[-N(s|m|h|d|w)]")
            if not m.group(1):
                return None if op == "<=" else "time >= now()"
            return f"time {op} now() - {m.group(1)}{m.group(2)}"

        parts = [p for p in (edge(self.start, ">="), edge(self.end, "<=")) if p]
        return " and ".join(parts)


# rangeutil.roundInterval: (upper bound, rounded interval) in milliseconds.
_ROUND = (
    (15, 10), (35, 20), (75, 50), (150, 100), (350, 200), (750, 500), (1500, 1000), (3500, 2000),
    (7500, 5000), (12500, 10000), (17500, 15000), (25000, 20000), (45000, 30000), (90000, 60000),
    (210000, 120000), (450000, 300000), (750000, 600000), (1050000, 900000), (1500000, 1200000),
    (2700000, 1800000), (5400000, 3600000), (9000000, 7200000), (16200000, 10800000),
    (32400000, 21600000), (86400000, 43200000), (604800000, 86400000), (1814400000, 604800000),
    (3628800000, 2592000000),
)  # fmt: skip


def round_interval(interval_ms: float) -> int:
    for bound, rounded in _ROUND:
        if interval_ms < bound:
            return rounded
    return 31536000000


def format_duration(ms: int) -> str:
    """Grafana's ``secondsToHms`` for the ``$__interval`` text (largest whole unit)."""
    for unit, size in (("d", 86400000), ("h", 3600000), ("m", 60000), ("s", 1000)):
        if ms >= size and ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


_DURATION = re.compile(r"^(\d+)(ms|s|m|h|d|w)$")
_UNIT_MS = {"ms": 1, "s": 1000, "m": 60000, "h": 3600000, "d": 86400000, "w": 604800000}


def duration_ms(text: str) -> int:
    """A panel's min interval (``5m``, ``1h``) in milliseconds."""
    m = _DURATION.match(text.strip())
    if not m:
        raise ValueError(f"interval {text!r} is not a number with ms/s/m/h/d/w")
    return int(m.group(1)) * _UNIT_MS[m.group(2)]


def calculate_interval(time_range: TimeRange, max_data_points: int = 1000, min_interval_ms: int = 0) -> int:
    """``$__interval_ms``: the range over the panel's points, rounded, never below the data source minimum."""
    span = max(time_range.to_ms - time_range.from_ms, 1)
    return max(round_interval(span / max_data_points), min_interval_ms)


def _influx_expr(var: Variable) -> str:
    """The InfluxDB data source's ``interpolateQueryExpr`` (the default format)."""
    if var.all and var.all_value is not None:
        return var.all_value
    values = var.current()
    if not var.multi and not var.include_all:
        return values[0] if values else ""
    escaped = [escape_regex(v) for v in values]
    if len(escaped) == 1:
        return escaped[0]
    return "(" + "|".join(escaped) + ")"


def _format(var: Variable, fmt: str) -> str:
    if var.all and var.all_value is not None and fmt in ("regex", "raw", "glob"):
        return var.all_value
    values = var.current()
    formats: dict[str, Callable[[list[str]], str]] = {
        "raw": lambda v: ",".join(v),
        "csv": lambda v: ",".join(v),
        "pipe": lambda v: "|".join(v),
        "regex": lambda v: escape_regex(v[0]) if len(v) == 1 else "(" + "|".join(map(escape_regex, v)) + ")",
        "glob": lambda v: v[0] if len(v) == 1 else "{" + ",".join(v) + "}",
        "singlequote": lambda v: ",".join("'" + x.replace("'", "\\'") + "'" for x in v),
        "doublequote": lambda v: ",".join('"' + x.replace('"', '\\"') + '"' for x in v),
        "distributed": lambda v: ",".join(v),
    }
    if fmt not in formats:
        raise ValueError(f"${{{var.name}:{fmt}}}: unknown variable format {fmt!r}")
    return formats[fmt](values)


def interpolate(
    query: str,
    variables: Mapping[str, Variable],
    time_range: TimeRange,
    *,
    max_data_points: int = 1000,
    min_interval_ms: int = 0,
) -> str:
    """``query`` as Grafana's InfluxDB data source sends it.

    Raises ``KeyError`` naming a variable the dashboard does not define, so a
    typo in a panel is a test failure rather than a silently empty panel.
    """
    interval_ms = calculate_interval(time_range, max_data_points, min_interval_ms)
    builtins = {
        "timeFilter": time_range.influx_filter(),
        "__timeFilter": time_range.influx_filter(),
        "__interval": format_duration(interval_ms),
        "interval": format_duration(interval_ms),
        "__interval_ms": str(interval_ms),
        "__from": str(time_range.from_ms),
        "__to": str(time_range.to_ms),
        "__range_ms": str(time_range.to_ms - time_range.from_ms),
        "__range_s": str((time_range.to_ms - time_range.from_ms) // 1000),
        "__range": format_duration(((time_range.to_ms - time_range.from_ms) // 1000) * 1000),
    }

    def replace(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(2) or m.group(4)
        fmt = m.group(3) or m.group(6)
        if name in builtins:
            return builtins[name]
        if name not in variables:
            raise KeyError(f"query uses ${name}, which the dashboard does not define")
        var = variables[name]
        return _format(var, fmt) if fmt else _influx_expr(var)

    return _VARIABLE.sub(replace, query)
