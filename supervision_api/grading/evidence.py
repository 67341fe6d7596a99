"""The latest ``security_check`` result of every (device, check) in a scope, from InfluxDB."""

from __future__ import annotations

from pdcs.points import SECURITY_CHECK
from pdcs.storage import InfluxDB
from supervision_api.grading.evaluate import CheckResult

_SCOPE_TAG = {2: "province", 4: "city", 6: "county"}


def latest_checks(
    influx: InfluxDB, *, facility: str | None = None, region: str | None = None, days: int = 30
) -> list[CheckResult]:
    """Latest result per series within ``days``, for one facility or one region (GB/T 2260 code)."""
    if (facility is None) == (region is None):
        raise ValueError("give a facility or a region")
    if facility is not None:
        where, params = '"facility" = $scope', {"scope": facility}
    else:
        assert region is not None
        if len(region) not in _SCOPE_TAG:
            raise ValueError(f"region code {region!r} is not 2, 4 or 6 digits")
        where, params = f'"{_SCOPE_TAG[len(region)]}" = $scope', {"scope": region}
    q = (
        f'SELECT "status", "detail" FROM "{SECURITY_CHECK}" WHERE {where} AND time > now() - {int(days)}d '
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
