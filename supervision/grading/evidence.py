"""The latest definitive ``security_check`` result of every (device, check) in a scope, from InfluxDB."""

from __future__ import annotations

from pdcs.points import SECURITY_CHECK
from pdcs.storage import InfluxDB
from supervision.grading.evaluate import CheckResult

_SCOPE_TAG = {2: "province", 4: "city", 6: "county"}


def latest_checks(
    influx: InfluxDB,
    *,
    facility: str | None = None,
    region: str | None = None,
    days: int = 30,
    between_ms: tuple[int, int] | None = None,
) -> list[CheckResult]:
    """Latest result per series, for one facility or one region (GB/T 2260 code; "" is the nation).

    The window is the last ``days`` days, or ``between_ms`` (start inclusive, end exclusive,
    epoch milliseconds) when a report asks about a fixed period.
    """
    if (facility is None) == (region is None):
        raise ValueError("give a facility or a region")
    scope: list[str] = []
    params: dict[str, str] = {}
    if facility is not None:
        scope, params = ['"facility" = $scope'], {"scope": facility}
    elif region:
        if len(region) not in _SCOPE_TAG:
            raise ValueError(f"region code {region!r} is not 2, 4 or 6 digits")
        scope, params = [f'"{_SCOPE_TAG[len(region)]}" = $scope'], {"scope": region}
    window = f"time >= {between_ms[0]}ms AND time < {between_ms[1]}ms" if between_ms else f"time > now() - {int(days)}d"
    where = " AND ".join([*scope, window])
    group = 'GROUP BY "facility", "device", "check", "mlps_item", "mlps_level", "severity", "source"'
    latest = _rows(
        influx,
        f'SELECT "status", "detail", "passed" FROM "{SECURITY_CHECK}" WHERE {where} {group} ORDER BY time DESC LIMIT 1',
        params,
    )
    definitive = _rows(
        influx,
        f'SELECT "status", "detail", "passed" FROM "{SECURITY_CHECK}" WHERE {where} AND "passed" >= 0 {group} '
        "ORDER BY time DESC LIMIT 1",
        params,
    )
    return latest_definitive(latest, definitive)


def latest_definitive(latest: list[CheckResult], definitive: list[CheckResult]) -> list[CheckResult]:
    """Per (device, check): the latest definitive row (under its own tags), noting a later ``unknown``.

    ``latest`` and ``definitive`` hold the latest row of every series (tag set), of any status and
    with a verdict respectively.  A (device, check) never judged keeps its latest ``unknown`` row.
    """
    best: dict[tuple[str, str], CheckResult] = {}
    for r in definitive:
        key = (r.device, r.check)
        if key not in best or r.time_ms > best[key].time_ms:
            best[key] = r
    last_unknown: dict[tuple[str, str], CheckResult] = {}
    for r in latest:
        key = (r.device, r.check)
        if r.status == "unknown" and (key not in last_unknown or r.time_ms > last_unknown[key].time_ms):
            last_unknown[key] = r
    out = []
    for key, r in best.items():
        u = last_unknown.get(key)
        out.append(
            r._replace(unknown_after_ms=u.time_ms, unknown_detail=u.detail) if u and u.time_ms > r.time_ms else r
        )
    out.extend(u for key, u in last_unknown.items() if key not in best)
    return sorted(out, key=lambda r: (r.facility, r.device, r.check))


def _rows(influx: InfluxDB, q: str, params: dict[str, str]) -> list[CheckResult]:
    out: list[CheckResult] = []
    for series in influx.query(q, params=params):
        t = series.tags
        for row in series.rows():
            level = t.get("mlps_level") or ""
            passed = row.get("passed")
            status = row.get("status") or ("pass" if passed == 1 else "fail" if passed == 0 else "unknown")
            out.append(
                CheckResult(
                    device=t.get("device", ""),
                    check=t.get("check", ""),
                    mlps_item=t.get("mlps_item", ""),
                    mlps_level=int(level) if level.isdigit() else None,
                    severity=t.get("severity", ""),
                    source=t.get("source", ""),
                    status=str(status),
                    detail=str(row.get("detail") or ""),
                    time_ms=int(row["time"]),
                    facility=t.get("facility", ""),
                )
            )
    return out
