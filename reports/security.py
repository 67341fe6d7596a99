"""Security compliance for a region and period, from ``security_check`` points.

The last verdict per device and check within the period counts; verdicts are
summed per MLPS 2.0 requirement item.  ``unknown`` verdicts are left out of the
pass rate's denominator (they are not a pass and not a failure).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pdcs.points import CONFIG_CHANGE, SECURITY_CHECK
from pdcs.storage import InfluxDB
from supervision.periods import Period
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
    where, params = tag_where(region_tags(code))
    start, end = period.start_ns // 1_000_000, period.end_ns // 1_000_000
    cond = f"time >= {start}ms AND time < {end}ms" + (f" AND {where}" if where else "")
    q = (
        f'SELECT last("passed") AS passed, last("status") AS status, last("detail") AS detail FROM {SECURITY_CHECK}'
        f' WHERE {cond} GROUP BY "device", "check", "mlps_item", "mlps_level", "severity"'
    )
    out = Compliance()
    for s in influx.query(q, params=params):
        dev = s.tags.get("device", "")
        if devices is not None and dev not in devices:
            continue
        for row in s.rows():
            status = row.get("status") or (
                "pass" if row.get("passed") == 1 else "fail" if row.get("passed") == 0 else "unknown"
            )
            out.verdicts.append(
                Verdict(
                    dev,
                    s.tags.get("check", ""),
                    s.tags.get("mlps_item", ""),
                    s.tags.get("mlps_level", ""),
                    s.tags.get("severity", ""),
                    str(status),
                    str(row.get("detail") or "")[:200],
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
