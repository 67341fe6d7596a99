"""What an alert rule is: pydantic models of ``alert_rules/*.yaml``.

A rule runs ONE InfluxQL query grouped by the tags that name a resource
(device, interface, facility, collector), so one query covers every device;
each answered series becomes an observation, the ``condition`` decides whether
it is bad, and the evaluator turns "bad for ``for``" into a firing alert.
"""

from __future__ import annotations

import ast
import re
import string
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(s|m|h|d)$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}


# Region tags from the top down; a device's point carries all of them plus device and kind.
REGION_TAGS = ("province", "city", "county", "facility")
DEVICE_TAGS = ("province", "city", "county", "facility", "device", "kind")


def parse_duration(value: object) -> float:
    """Seconds of ``30s``, ``5m``, ``1h``, ``1d`` (or a bare number of seconds)."""
    if isinstance(value, bool):
        raise ValueError("must be a duration such as 30s, 5m, 1h or 1d")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("must not be negative")
        return float(value)
    m = _DURATION.match(str(value).strip())
    if not m:
        raise ValueError(f"{value!r} is not a duration such as 30s, 5m, 1h or 1d")
    return float(m.group(1)) * _UNIT_S[m.group(2)]


class Severity(StrEnum):
    """Alerta's severities for a fault (``normal`` is what a resolution sends)."""

    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    WARNING = "warning"
    INFORMATIONAL = "informational"


class Reduce(StrEnum):
    MAX = "max"
    MIN = "min"
    SUM = "sum"
    MEAN = "mean"


# Condition language: comparisons of column names and numbers joined by and/or/not.
_ALLOWED_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
)


def compile_condition(text: str) -> ast.Expression:
    """Parse a condition such as ``value == 0`` or ``in_pct > 90 or out_pct > 90``."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"cannot parse {text!r}: {exc.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ValueError(
                f"{type(node).__name__} is not allowed (use column names, numbers, comparisons, and/or/not)"
            )
        if isinstance(node, ast.Constant) and not isinstance(node.value, int | float | str):
            raise ValueError(f"constant {node.value!r} is not a number or string")
    return tree


def group_by_tags(query: str) -> list[str] | None:
    """Tag names of the query's GROUP BY (without ``time(...)``); None when there is no GROUP BY."""
    # The outermost GROUP BY is the last one (a subquery's comes earlier).
    matches = list(re.finditer(r"\bGROUP\s+BY\s+", query, re.I))
    if not matches:
        return None
    tail = query[matches[-1].end() :]
    tail = re.split(r"\bfill\s*\(|\bLIMIT\b|\bSLIMIT\b|\bORDER\b|\bTZ\s*\(", tail, flags=re.I)[0]
    tags = []
    for part in tail.split(","):
        part = part.strip()
        if not part or part.lower().startswith("time("):
            continue
        tags.append(part.strip('"'))
    return tags


class Text(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, language: str) -> str:
        return self.en if language == "en" else self.zh


class Links(BaseModel):
    """Link templates over an alert's tags (``{device}``, ``{facility}``, ``{county}`` …) and ``{resource}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    grafana: str | None = None  # e.g. http://grafana/d/pdcs-device/device?var-device={device}
    alerta: str | None = None  # e.g. http://alerta/#/alerts?resource={resource}


class Suppression(BaseModel):
    """While this rule fires for a ``by`` tag value, ``rule``'s alerts with the same value stay quiet."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    rule: str
    by: str = "facility"


class Derive(BaseModel):
    """A rule over another rule's observations, grouped by a tag: no query of its own.

    ``facility_down`` is ``device_down`` grouped by facility with ``when: all``:
    the facility is down when every device observed there is.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    rule: str
    by: Literal["facility", "county", "city", "province"] = "facility"
    when: Literal["all", "any"] = "all"


class Expect(BaseModel):
    """Resources the inventory says should answer; one missing from the query result counts as bad."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    device_kinds: tuple[str, ...] = ()  # empty: every kind
    with_agent: bool = False  # only devices with an agent_url
    # A device missing from the answer fires only after missing this long (with ``for`` if longer):
    # a device just added, or a platform just started, has not reported yet — that is not a fault.
    grace_s: float = Field(default=300.0, alias="grace")

    @field_validator("grace_s", mode="before")
    @classmethod
    def _grace(cls, v: object) -> float:
        return parse_duration(v)


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: Text
    # Alert text with {tag} / {column} / {device_name} / {facility_name} placeholders; description when absent.
    text: Text | None = None
    # One line telling the on-call engineer what the alert means in practice and the first step to take.
    runbook: Text | None = None
    query: str | None = None
    condition: str | None = None
    derive: Derive | None = None
    for_s: float = Field(default=0.0, alias="for")
    severity: Severity
    opening_hours_only: bool = False
    labels: dict[str, str] = Field(default_factory=dict)
    resource: str = "{device}"
    event: str = ""  # Alerta event; the rule name when empty (a template over GROUP BY tags, e.g. "x:{ifname}")
    value: str = "{value}"  # the alert's value, a template over columns and tags
    # Condition false for this long before a firing alert resolves: a flapping resource does not storm.
    resolve_after_s: float = Field(default=0.0, alias="resolve_after")
    # With GROUP BY time(): keep only buckets inside the facility's opening hours, reduce them with this.
    open_buckets: Reduce | None = None
    suppresses: tuple[Suppression, ...] = ()
    expect: Expect | None = None
    # A silent or down device is a fault only while a collector covering its county is alive
    # (``supervision.liveness``, the figures' rule); otherwise nobody knows: no data, no new alert,
    # an open one held as it is.  For rules on devices' polls (device_down, agent_silent).
    needs_collector: bool = False
    enabled: bool = True

    @field_validator("for_s", "resolve_after_s", mode="before")
    @classmethod
    def _duration(cls, v: object) -> float:
        return parse_duration(v)

    @field_validator("query")
    @classmethod
    def _query(cls, v: str | None) -> str | None:
        if v is None:
            return v
        v = " ".join(v.split())
        if not re.match(r"^SELECT\s", v, re.I):
            raise ValueError("must be one InfluxQL SELECT statement")
        if ";" in v:
            raise ValueError("must be one statement (no ';')")
        if not re.search(r"\bWHERE\b.*\btime\s*[>]", v, re.I | re.S):
            raise ValueError("must bound time (WHERE time > now() - ...), or it reads all history")
        if group_by_tags(v) is None:
            raise ValueError("must GROUP BY the tags that name the resource (one query for all devices)")
        return v

    @property
    def event_template(self) -> str:
        return self.event or self.name

    @field_validator("condition")
    @classmethod
    def _condition(cls, v: str | None) -> str | None:
        if v is not None:
            compile_condition(v)
        return v

    @property
    def tags(self) -> list[str]:
        """Tags an observation of this rule carries: the GROUP BY's, plus a device's region tags from the inventory."""
        if self.derive is not None:
            return list(REGION_TAGS[: REGION_TAGS.index(self.derive.by) + 1])
        tags = group_by_tags(self.query or "") or []
        return tags + [t for t in DEVICE_TAGS if t not in tags] if "device" in tags else tags

    @model_validator(mode="after")
    def _cross(self) -> Rule:
        if self.derive is not None:
            for field in ("query", "condition", "open_buckets", "expect"):
                if getattr(self, field):
                    raise ValueError(f"{field}: a derived rule has none (its source rule has)")
            if self.opening_hours_only:
                raise ValueError("opening_hours_only: a derived rule follows its source rule's")
        else:
            if self.query is None:
                raise ValueError("query: give an InfluxQL query (or derive: from another rule)")
            if self.condition is None:
                raise ValueError("condition: give the condition over the query's columns (e.g. value == 0)")
        tags = self.tags
        for field in ("resource", "event"):
            template = getattr(self, field)
            try:
                names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
            except ValueError as exc:
                raise ValueError(f"{field}: bad template {template!r}: {exc}") from None
            missing = names - set(tags)
            if missing:
                raise ValueError(f"{field}: uses {sorted(missing)}, not among the rule's tags {tags}")
        if self.open_buckets and not re.search(r"GROUP\s+BY\s+.*time\s*\(", self.query or "", re.I):
            raise ValueError("open_buckets: needs a query grouped by time(...)")
        if self.open_buckets and "facility" not in tags:
            raise ValueError("open_buckets: the query must GROUP BY device or facility (hours are per facility)")
        if self.opening_hours_only and "facility" not in tags:
            raise ValueError("opening_hours_only: the query must GROUP BY device or facility (hours are per facility)")
        if self.needs_collector and "county" not in tags:
            raise ValueError("needs_collector: the rule must GROUP BY device (liveness is per county)")
        for s in self.suppresses:
            if s.by not in tags:
                raise ValueError(f"suppresses: by {s.by!r} is not among the rule's tags {tags}")
        return self
