"""The InfluxDB layout's version stamp, what each version changed, and how data moves between them.

The layout is the measurements, their tags and fields, and the retention policies
(docs/architecture.md, "Storage schema"). ``SCHEMA_VERSION`` is the layout this code
writes; it reads every layout from ``OLDEST_READABLE`` on as it is (an added field or
measurement is read as "no data" where absent — never as 0). A change that renames or
reshapes data brings ``Rewrite`` steps, run by ``pdcs influx migrate``: day by day
through every point of a measurement, each finished day checkpointed in InfluxDB, so an
interrupted migration resumes where it stopped and re-running a day rewrites the same
points (same series and time: InfluxDB overwrites, nothing doubles).

Where the stamp lives: retention policy ``pdcs_meta`` (duration INF, so it never
expires), measurement ``schema_version`` — one point per version reached, field
``version`` — and ``schema_migration`` for the checkpoints (tag ``step``, field
``done_until``, ns).  A database with data and no stamp was written before stamps
existed: layout 1.  Compatibility (which release reads which layout): docs/upgrading.md.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pdcs.points import FieldValue, Point, now_ns, to_lines
from pdcs.storage.influx import InfluxDB, InfluxSchemaMissing, RetentionPolicy, quote_ident

log = logging.getLogger(__name__)

META_RP = "pdcs_meta"
META_RP_DURATION = "INF"
# InfluxData's recommendation for an infinite policy: 52 weeks or longer (pdcs/settings.py cites the page).
META_RP_SHARD_DURATION = "52w"
VERSION_MEASUREMENT = "schema_version"
CHECKPOINT_MEASUREMENT = "schema_migration"
DAY_NS = 86_400 * 10**9


@dataclass(frozen=True)
class Rewrite:
    """A data step: every point of ``rp.measurement`` through ``transform`` (None: leave the point out).

    The transform may change the measurement, tags and fields; its points are written to ``rp``.
    With ``drop_source`` (only for a transform that renames the measurement) the old measurement
    is dropped — in every retention policy — once every day has been rewritten.
    """

    name: str
    rp: str
    measurement: str
    transform: Callable[[Point], Point | None]
    drop_source: bool = False


@dataclass(frozen=True)
class LayoutChange:
    version: int
    what: str  # English
    what_zh: str
    steps: tuple[Rewrite, ...] = field(default=())


# Every layout, oldest first. Add one when a release changes a measurement; keep the old ones.
CHANGES: tuple[LayoutChange, ...] = (
    LayoutChange(
        1,
        "device_up, interface, wireless, host, service_probe, security_check, snmp_trap, exporter_metric, "
        "collector in raw; device_daily, facility_daily, facility_yearly in rollup (pdcs 0.1)",
        "pdcs 0.1 的布局：raw 中的设备、接口、无线、主机、探测、安全检查、陷阱、采集器数据；rollup 中的日、年汇总",
    ),
    # Version 2 is the layout of the release being prepared: an additive change made before it ships goes
    # into its text (and docs/upgrading.md); a renamed or retyped field or measurement needs a new version
    # with a Rewrite step (tests/pdcs/test_influx_layout.py keeps layout-1 points readable).
    LayoutChange(
        2,
        "added, nothing renamed or retyped: measurements terminal_session, config_change, syslog, inventory_device "
        "(raw; fields expected, open, state, down_open) and ssid_daily (rollup); service_probe tag probe and fields "
        "status_code, cert_days_left, error; "
        "device_up source values icmp, http, tcp, dns; roll-up fields usage_*, wifi_*, probe_open_* on "
        "facility_daily and facility_yearly, sessions, service_s, power_on_s on device_daily. Layout-1 points are "
        "read as they are; the new figures are absent (no data, never 0) for the days before",
        "只增不改：新增测量 terminal_session、config_change、syslog、"
        "inventory_device（raw；字段 expected、open、state、down_open）和 ssid_daily（rollup）；"
        "service_probe 新增标签 probe 与字段 status_code、cert_days_left、error；"
        "device_up 的 source 新增 icmp、http、tcp、dns；日、年汇总新增 usage_*、wifi_*、probe_open_* 等字段。"
        "布局 1 的数据照常读取，此前日期的新指标显示为无数据（不是 0）",
    ),
)
SCHEMA_VERSION = CHANGES[-1].version
OLDEST_READABLE = 1  # this code reads layouts OLDEST_READABLE..SCHEMA_VERSION without migrating


class LayoutTooNew(RuntimeError):
    """The database was stamped by a newer release than this code."""


def _meta_rp(influx: InfluxDB) -> None:
    influx.ensure_database([(META_RP, META_RP_DURATION, False, META_RP_SHARD_DURATION)])


def stamped_version(influx: InfluxDB) -> int | None:
    """The newest version stamped in the database, or None when it has no stamp."""
    q = f"SELECT max(version) FROM {quote_ident(META_RP)}.{quote_ident(VERSION_MEASUREMENT)}"
    try:
        series = influx.query(q)
    except InfluxSchemaMissing:  # no pdcs_meta retention policy yet: never stamped
        return None
    rows = [r for s in series for r in s.rows()]
    return int(rows[0]["max"]) if rows and rows[0].get("max") is not None else None


def has_data(influx: InfluxDB) -> bool:
    """Whether the database holds any measurement outside ``pdcs_meta``."""
    try:
        names = {r["name"] for s in influx.query("SHOW MEASUREMENTS") for r in s.rows()}
    except InfluxSchemaMissing:  # no database yet
        return False
    return bool(names - {VERSION_MEASUREMENT, CHECKPOINT_MEASUREMENT})


def current_version(influx: InfluxDB) -> int | None:
    """The layout of the data: the stamp; 1 for data from before stamps; None for an empty database."""
    stamped = stamped_version(influx)
    if stamped is not None:
        return stamped
    return 1 if has_data(influx) else None


def stamp(influx: InfluxDB, version: int, at_ns: int | None = None) -> None:
    _meta_rp(influx)
    line = Point(VERSION_MEASUREMENT, {}, {"version": version, "code_version": _code_version()}, at_ns or now_ns())
    influx.write_lines(to_lines([line]), retention_policy=META_RP)


def _code_version() -> str:
    from pdcs import __version__

    return __version__


def stamp_if_new(influx: InfluxDB) -> int | None:
    """At set-up: stamp an empty database with this code's layout; warn about one that is not readable as is.

    Returns the database's layout version. Never refuses: a collector keeps collecting (its
    points are in a layout this or a later release reads), and the operator is told what to run.
    """
    version = current_version(influx)
    if version is None:
        stamp(influx, SCHEMA_VERSION)
        return SCHEMA_VERSION
    if version > SCHEMA_VERSION:
        log.warning(
            "InfluxDB %s has layout %d, newer than this code's %d: upgrade pdcs (docs/upgrading.md)",
            influx.database,
            version,
            SCHEMA_VERSION,
        )
    elif version < OLDEST_READABLE:
        log.warning("InfluxDB %s has layout %d: run `pdcs influx migrate`", influx.database, version)
    return version


def ensure(influx: InfluxDB, retention_policies: Sequence[RetentionPolicy]) -> None:
    """Create the database and its retention policies if missing, and stamp a new one with this code's layout.

    What every process runs when it finds the database missing (at start, or when InfluxDB came up late).
    """
    influx.ensure_database(retention_policies)
    stamp_if_new(influx)


# -- retention policies ------------------------------------------------------------------------

_UNIT_S = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}


def duration_s(text: str) -> int:
    """Seconds of an InfluxQL duration ("7d", "52w") or of one InfluxDB shows ("168h0m0s"); INF and "0s" are 0."""
    if text.upper() == "INF":
        return 0
    parts = re.findall(r"(\d+)([wdhms])", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a duration: {text!r}")
    return sum(int(n) * _UNIT_S[u] for n, u in parts)


def known_policies() -> dict[str, RetentionPolicy]:
    """Every retention policy pdcs creates, provincial and national, by name (pdcs/settings.py)."""
    from pdcs.settings import NATIONAL_RETENTION_POLICIES, RETENTION_POLICIES

    policies: list[RetentionPolicy] = [*RETENTION_POLICIES, *NATIONAL_RETENTION_POLICIES]
    policies.append((META_RP, META_RP_DURATION, False, META_RP_SHARD_DURATION))
    return {rp[0]: rp for rp in policies}


@dataclass(frozen=True)
class PolicyChange:
    """A retention policy whose duration or shard group duration differs from this code's."""

    name: str
    duration: tuple[str, str]  # (the database's, this code's)
    shard_duration: tuple[str, str]


def policy_changes(influx: InfluxDB) -> list[PolicyChange]:
    """The database's retention policies (of those pdcs creates) that this code would change."""
    try:
        have = influx.retention_policies()
    except InfluxSchemaMissing:
        return []
    out = []
    for name, (duration, shard) in have.items():
        want = known_policies().get(name)
        if want is None:
            continue
        want_shard = want[3] if len(want) > 3 else shard
        if duration_s(duration) != duration_s(want[1]) or duration_s(shard) != duration_s(want_shard):
            out.append(PolicyChange(name, (duration, want[1]), (shard, want_shard)))
    return out


def apply_policies(influx: InfluxDB) -> list[PolicyChange]:
    """ALTER the database's pdcs retention policies to this code's durations; returns what changed.

    Only the policies the database already has (a provincial store has no ``summary``). A new shard duration
    applies to shard groups created from now on; existing groups keep theirs until they expire — no data moves.
    """
    changes = policy_changes(influx)
    known = known_policies()
    # ALTER without DEFAULT leaves the default policy as it is; the ones pdcs makes default say DEFAULT.
    if changes:
        influx.ensure_database([known[c.name] for c in changes])
    return changes


# -- migration --------------------------------------------------------------------------------


@dataclass
class MigrationReport:
    before: int | None
    after: int | None
    days: int = 0  # days rewritten in this run
    points: int = 0  # points written in this run
    finished: bool = True  # False: stopped by max_days, run again to resume
    policies: list[PolicyChange] = field(default_factory=list)  # retention policies altered


Progress = Callable[[str, int, int], None]  # (step name, days done, days in the step)


def pending(influx: InfluxDB) -> list[LayoutChange]:
    version = current_version(influx)
    if version is None:
        return []
    if version > SCHEMA_VERSION:
        raise LayoutTooNew(f"InfluxDB layout {version} is newer than this code's {SCHEMA_VERSION}")
    return [c for c in CHANGES if c.version > version]


def migrate(
    influx: InfluxDB,
    *,
    progress: Progress | None = None,
    max_days: int | None = None,
    changes: Sequence[LayoutChange] | None = None,
) -> MigrationReport:
    """Apply the pending layout changes in order; stamp each version as it is reached.

    ``max_days`` stops after that many days rewritten (a later run resumes from the checkpoints).
    ``changes`` replaces the pending list (tests).
    """
    before = current_version(influx)
    report = MigrationReport(before, before)
    todo = pending(influx) if changes is None else list(changes)
    report.policies = apply_policies(influx)
    if before is None:
        stamp(influx, SCHEMA_VERSION)
        report.after = SCHEMA_VERSION
        return report
    _meta_rp(influx)
    for change in todo:
        for step in change.steps:
            budget = None if max_days is None else max_days - report.days
            days, points, done = _run_step(influx, step, progress, budget)
            report.days += days
            report.points += points
            if not done:
                report.finished = False
                return report
        stamp(influx, change.version)
        report.after = change.version
        log.info("InfluxDB %s: layout %d reached (%s)", influx.database, change.version, change.what)
    return report


def _field_types(influx: InfluxDB, rp: str, measurement: str) -> dict[str, str]:
    q = f"SHOW FIELD KEYS FROM {quote_ident(rp)}.{quote_ident(measurement)}"
    return {r["fieldKey"]: r["fieldType"] for s in influx.query(q) for r in s.rows()}


def _bounds(influx: InfluxDB, rp: str, measurement: str) -> tuple[int, int] | None:
    src = f"{quote_ident(rp)}.{quote_ident(measurement)}"
    first = influx.query(f"SELECT * FROM {src} ORDER BY time ASC LIMIT 1", epoch="ns")
    last = influx.query(f"SELECT * FROM {src} ORDER BY time DESC LIMIT 1", epoch="ns")
    if not first or not last:
        return None
    return int(first[0].values[0][0]), int(last[0].values[0][0])


def checkpoint(influx: InfluxDB, step: str) -> int | None:
    """Where ``step`` got to: every point before this time (ns) is rewritten; None when not started."""
    q = f"SELECT last(done_until) FROM {quote_ident(META_RP)}.{quote_ident(CHECKPOINT_MEASUREMENT)} WHERE step = $step"
    rows = [r for s in influx.query(q, params={"step": step}) for r in s.rows()]
    return int(rows[0]["last"]) if rows and rows[0].get("last") is not None else None


def _save_checkpoint(influx: InfluxDB, step: str, done_until: int) -> None:
    point = Point(CHECKPOINT_MEASUREMENT, {"step": step}, {"done_until": done_until}, now_ns())
    influx.write_lines(to_lines([point]), retention_policy=META_RP)


def _typed(value: object, kind: str | None) -> FieldValue | None:
    if value is None:
        return None
    if kind == "integer" and isinstance(value, int | float):
        return int(value)
    if kind == "float" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def read_day(influx: InfluxDB, rp: str, measurement: str, start: int, end: int) -> list[Point]:
    """Every point of ``rp.measurement`` in [start, end) ns, with its tags and typed fields."""
    types = _field_types(influx, rp, measurement)
    q = f"SELECT * FROM {quote_ident(rp)}.{quote_ident(measurement)} WHERE time >= {start} AND time < {end} GROUP BY *"
    out: list[Point] = []
    for s in influx.query(q, epoch="ns"):
        tags = {k: v for k, v in s.tags.items() if v}
        for row in s.rows():
            fields = {k: t for k, v in row.items() if k != "time" and (t := _typed(v, types.get(k))) is not None}
            if fields:
                out.append(Point(measurement, tags, fields, int(row["time"])))
    return out


def _run_step(influx: InfluxDB, step: Rewrite, progress: Progress | None, budget: int | None) -> tuple[int, int, bool]:
    bounds = _bounds(influx, step.rp, step.measurement)
    if bounds is None:
        return 0, 0, True
    first, last = bounds
    origin = first - first % DAY_NS
    total = (last - origin) // DAY_NS + 1
    start = checkpoint(influx, step.name) or origin
    days = points = 0
    while start <= last:
        if budget is not None and days >= budget:
            return days, points, False
        end = start + DAY_NS
        rewritten = [p for p in map(step.transform, read_day(influx, step.rp, step.measurement, start, end)) if p]
        points += influx.write_lines(to_lines(rewritten), retention_policy=step.rp)
        _save_checkpoint(influx, step.name, end)
        days += 1
        start = end
        if progress:
            progress(step.name, (start - origin) // DAY_NS, total)
    if step.drop_source:
        influx.execute(f"DROP MEASUREMENT {quote_ident(step.measurement)}")
    return days, points, True
