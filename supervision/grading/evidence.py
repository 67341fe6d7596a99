"""The latest ``security_check`` result of every (device, check) in a scope, from InfluxDB."""

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
    q = (
        f'SELECT "status", "detail" FROM "{SECURITY_CHECK}" WHERE {where} '
        'GROUP BY "facility", "device", "check", "mlps_item", "mlps_level", "severity", "source" '
        "ORDER BY time DESC LIMIT 1"
    )
    out: list[CheckResult] = []
    for series in influx.query(q, params=params):
        t = series.tags
        for row in series.rows():
            level = t.get("mlps_level") or ""
            out.append(
                CheckResult(
                    device=t.get("device", ""),
                    check=t.get("check", ""),
                    mlps_item=t.get("mlps_item", ""),
                    mlps_level=int(level) if level.isdigit() else None,
                    severity=t.get("severity", ""),
                    source=t.get("source", ""),
                    status=str(row.get("status") or "unknown"),
                    detail=str(row.get("detail") or ""),
                    time_ms=int(row["time"]),
                    facility=t.get("facility", ""),
                )
            )
    return out
