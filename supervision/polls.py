"""Raw poll facts from ``device_up``: a device's last status."""

from __future__ import annotations

from typing import Any

from pdcs.points import DEVICE_UP
from pdcs.storage import InfluxDB


def last_status(influx: InfluxDB, device_id: str) -> dict[str, Any] | None:
    """The newest ``device_up`` point of a device (time in ms, fields and the ``source`` tag), or None."""
    series = influx.query(
        f"SELECT * FROM {DEVICE_UP} WHERE device = $d ORDER BY time DESC LIMIT 1",
        params={"d": device_id},
    )
    for s in series:
        for row in s.rows():
            out: dict[str, Any] = {"time_ms": row["time"]}
            for key in ("up", "uptime_s", "rtt_ms", "error", "source"):
                if row.get(key) is not None:
                    out[key] = row[key]
            return out
    return None
