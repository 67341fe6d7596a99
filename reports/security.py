"""Security compliance for a region and period, from ``security_check`` points.

The latest definitive verdict per device and check within the period counts,
under the tags of that row (``grading.evidence.latest_checks``, the grading's
rule); verdicts are summed per MLPS 2.0 requirement item.  A later ``unknown``
never erases an earlier failure: the failure stands, marked 最近一次核查未能完成.
Checks never judged (only ``unknown``) are left out of the pass rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pdcs.points import CONFIG_CHANGE
from pdcs.storage import InfluxDB
from supervision.grading.evidence import latest_checks
from supervision.periods import BEIJING, Period
from supervision.timeline import tag_where


@dataclass(frozen=True)
class Verdict:
    device: str
    check: str
    mlps_item: str
    mlps_level: str
    severity: str
    status: str  # pass | fail | unknown
    detail: str
    unknown_after_ms: int | None = None  # a later check could not complete; this verdict stands


@dataclass
class Compliance:
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def decided(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.status in ("pass", "fail")]

    @property
    def pass_rate(self) -> float | None:
        d = self.decided
        return sum(v.status == "pass" for v in d) / len(d) if d else None

    def by_item(self) -> list[tuple[str, str, int, int, int]]:
        """(item, level, checks with a verdict, passed, failed), sorted by item."""
        acc: dict[tuple[str, str], list[int]] = {}
        for v in self.decided:
            a = acc.setdefault((v.mlps_item, v.mlps_level), [0, 0])
            a[0 if v.status == "pass" else 1] += 1
        return [(i, lv, p + f, p, f) for (i, lv), (p, f) in sorted(acc.items())]

    def failed(self) -> list[Verdict]:
        order = {"critical": 0, "high": 1, "medium": 2, "low": 3}
        return sorted(
            (v for v in self.verdicts if v.status == "fail"),
            key=lambda v: (order.get(v.severity, 9), v.device, v.check),
        )


def region_tags(code: str) -> dict[str, str]:
    return {{2: "province", 4: "city", 6: "county"}[len(code)]: code} if code else {}


def compliance(influx: InfluxDB, code: str, period: Period, devices: set[str] | None = None) -> Compliance:
    between = (period.start_ns // 1_000_000, period.end_ns // 1_000_000)
    out = Compliance()
    for r in latest_checks(influx, region=code, between_ms=between):
        if devices is not None and r.device not in devices:
            continue
        detail = r.detail[:200]
        if r.unknown_after_ms is not None:
            when = datetime.fromtimestamp(r.unknown_after_ms / 1000, BEIJING).strftime("%Y-%m-%d %H:%M")
            detail = f"{detail}（最近一次核查未能完成：{when}）"
        out.verdicts.append(
            Verdict(
                r.device,
                r.check,
                r.mlps_item,
                "" if r.mlps_level is None else str(r.mlps_level),
                r.severity,
                r.status,
                detail,
                r.unknown_after_ms,
            )
        )
    out.verdicts.sort(key=lambda v: (v.device, v.check))
    return out


@dataclass(frozen=True)
class ConfigChange:
    time_ns: int
    device: str
    added: int
    removed: int
    commit: str


def config_changes(influx: InfluxDB, code: str, period: Period, devices: set[str] | None = None) -> list[ConfigChange]:
    """Every stored configuration change (``config_change``, collectors/config_history) in the period, oldest first."""
    where, params = tag_where(region_tags(code))
    start, end = period.start_ns // 1_000_000, period.end_ns // 1_000_000
    cond = f"time >= {start}ms AND time < {end}ms" + (f" AND {where}" if where else "")
    q = f'SELECT "added", "removed", "commit" FROM {CONFIG_CHANGE} WHERE {cond} GROUP BY "device"'
    out = []
    for s in influx.query(q, params=params, epoch="ns"):
        dev = s.tags.get("device", "")
        if devices is not None and dev not in devices:
            continue
        for row in s.rows():
            out.append(
                ConfigChange(int(row["time"]), dev, int(row.get("added") or 0), int(row.get("removed") or 0),
                             str(row.get("commit") or ""))
            )  # fmt: skip
    return sorted(out, key=lambda c: (c.time_ns, c.device))
