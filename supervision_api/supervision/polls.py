"""Raw poll facts from ``device_up``: last status, and the share of polls answered."""

from __future__ import annotations

from typing import Any, NamedTuple

from pdcs.points import DEVICE_UP
from pdcs.storage import InfluxDB
from supervision_api.supervision.periods import Period


class PollShare(NamedTuple):
    polls: int
    answered: int

    @property
    def share(self) -> float | None:
        return self.answered / self.polls if self.polls else None


def time_clause(period: Period) -> str:
    # Integers we computed ourselves: no quoting question.
    return f"time >= {period.start_ns} AND time < {period.end_ns}"


def poll_share(influx: InfluxDB, device_id: str, period: Period) -> PollShare:
    series = influx.query(
        f"SELECT count(up) AS polls, sum(up) AS answered FROM {DEVICE_UP} WHERE device = $d AND {time_clause(period)}",
        params={"d": device_id},
    )
    for s in series:
        for row in s.rows():
            return PollShare(int(row["polls"] or 0), int(row["answered"] or 0))
    return PollShare(0, 0)


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
