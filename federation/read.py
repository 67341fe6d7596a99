"""Reading the national summaries store: totals by level, and which provinces are late and since when.

For the boards, the API and the bench (NATIONAL.md §2).  Everything here reads the summaries
(``county_summary``, ``province_summary``, ``federation_status``), never raw points.

* :func:`tier` — the retention policy for a range: the 5-minute tier for ranges up to 7 days
  that it still holds (40 days), the hourly tier beyond.
* :func:`national_totals` — per province (``level="province"``), per county (``"county"``) or
  for the nation (``"nation"``, key ``""``): the seconds summed over the period (so
  ``device_up_s`` over a day is exactly what ``supervision.availability`` answers from raw
  points) and the levels of the latest bucket in the period (devices up, facilities serving …).
* :func:`federation_status` — per province the end of the last complete bucket it shipped
  (``through``), when it shipped it, how far behind it is and whether that is late; a
  province expected but never heard of is late since ever (``through`` None).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from federation.schema import (
    COUNTY_SUMMARY,
    FEDERATION_STATUS,
    FLOAT_LEVELS,
    INT_LEVELS,
    PROVINCE_SUMMARY,
    SECONDS,
    SUMMARY_LONG_RP,
    SUMMARY_RP,
)
from pdcs.settings import DEFAULT_FEDERATION_LATE_AFTER_S
from pdcs.storage import InfluxDB
from supervision.periods import Period, from_ms

Level = Literal["nation", "province", "county"]
FIVE_MINUTE_TIER_MAX_MS = 7 * 86_400_000
FIVE_MINUTE_TIER_KEPT_MS = 40 * 86_400_000  # the summary RP's duration
DEFAULT_LATE_AFTER_S = DEFAULT_FEDERATION_LATE_AFTER_S  # one default: pdcs/settings.py


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def tier(start_ms: int, end_ms: int, now_ms: int | None = None) -> str:
    """``summary`` (5-minute) for ranges ≤ 7 days within its 40 days, else ``summary_long`` (hourly)."""
    now = _now_ms() if now_ms is None else now_ms
    if end_ms - start_ms <= FIVE_MINUTE_TIER_MAX_MS and start_ms >= now - FIVE_MINUTE_TIER_KEPT_MS:
        return SUMMARY_RP
    return SUMMARY_LONG_RP


@dataclass
class Totals:
    """One region's figures over a period from the summaries."""

    code: str
    seconds: dict[str, float] = field(default_factory=dict)  # summed over the period
    levels: dict[str, float] = field(default_factory=dict)  # of the latest bucket in the period
    latest_ms: int | None = None  # that bucket's start

    def share(self, part: str, whole: str, unknown: str) -> float | None:
        """``part ÷ (whole − unknown)`` — over the known time; None (无数据) when nothing is known."""
        known = self.seconds.get(whole, 0.0) - self.seconds.get(unknown, 0.0)
        return self.seconds.get(part, 0.0) / known if known > 0 else None

    @property
    def device_availability(self) -> float | None:
        return self.share("device_up_s", "device_scheduled_s", "device_unknown_s")

    @property
    def serving_rate(self) -> float | None:
        return self.share("serving_s", "scheduled_s", "unknown_s")


def _ms(period: Period) -> tuple[int, int]:
    return period.start_ns // 1_000_000, period.end_ns // 1_000_000


def national_totals(
    db: InfluxDB, period: Period, level: Level = "province", now_ms: int | None = None
) -> dict[str, Totals]:
    """Totals per region of ``level`` (the nation: one entry, key ``""``) over ``period``."""
    start, end = _ms(period)
    rp = tier(start, end, now_ms)
    measurement, by = (COUNTY_SUMMARY, "county") if level == "county" else (PROVINCE_SUMMARY, "province")
    cond = f"time >= {start}ms AND time < {end}ms"
    sums = ", ".join(f'sum("{f}") AS "{f}"' for f in SECONDS)
    out: dict[str, Totals] = {}
    for s in db.query(f'SELECT {sums} FROM "{rp}"."{measurement}" WHERE {cond} GROUP BY "{by}"'):
        code = s.tags.get(by, "")
        for row in s.rows():
            out.setdefault(code, Totals(code)).seconds = {f: float(row[f]) for f in SECONDS if row[f] is not None}
    # the latest bucket of each region: its time, then its levels
    latest: dict[str, int] = {}
    for s in db.query(f'SELECT last("devices") FROM "{rp}"."{measurement}" WHERE {cond} GROUP BY "{by}"'):
        for t, _ in s.values:
            latest[s.tags.get(by, "")] = int(t)
    # one query per distinct latest time (late provinces' regions end earlier; usually a handful)
    levels = ", ".join(f'"{f}"' for f in INT_LEVELS + FLOAT_LEVELS)
    for t in sorted(set(latest.values())):
        q = f'SELECT {levels} FROM "{rp}"."{measurement}" WHERE time = {t}ms GROUP BY "{by}"'
        for s in db.query(q):
            code = s.tags.get(by, "")
            if latest.get(code) != t:
                continue
            for row in s.rows():
                tot = out.setdefault(code, Totals(code))
                tot.latest_ms = t
                tot.levels = {f: row[f] for f in INT_LEVELS + FLOAT_LEVELS if row.get(f) is not None}
    if level != "nation":
        return out
    nation = Totals("")
    for tot in out.values():
        for k, v in tot.seconds.items():
            nation.seconds[k] = nation.seconds.get(k, 0.0) + v
        for k, lv in tot.levels.items():
            nation.levels[k] = nation.levels.get(k, 0) + lv
        if tot.latest_ms is not None:
            nation.latest_ms = max(nation.latest_ms or 0, tot.latest_ms)
    return {"": nation}


class ProvinceLag(BaseModel):
    """One province's shipping state as the national store sees it (an API answer's shape)."""

    province: str
    through: datetime | None = Field(description="end of the last complete 5-minute bucket received; None: never")
    shipped_at: datetime | None = Field(description="when the province queued that status")
    behind_s: float | None = Field(description="now − through, seconds; None when never received")
    late: bool
    late_since: datetime | None = Field(description="late: the national figures lack this province from here on")


class FederationState(BaseModel):
    """Which provinces are late (an API answer's shape)."""

    now: datetime
    late_after_s: float
    provinces: list[ProvinceLag]
    late: list[str]


def federation_status(
    db: InfluxDB,
    now_ms: int | None = None,
    late_after_s: float = DEFAULT_LATE_AFTER_S,
    expected: Iterable[str] = (),
) -> FederationState:
    """Each province's latest ``federation_status``; late when its data ends more than ``late_after_s`` ago.

    ``expected``: provinces that must report (e.g. the inventory's); one never heard of is late.
    """
    now = _now_ms() if now_ms is None else now_ms
    seen: dict[str, tuple[int, int]] = {}
    # max, not last: a status re-sent from the spool after a newer one must not move ``through`` back
    q = (
        'SELECT max("through_ms") AS "through_ms", max("shipped_at_ms") AS "shipped_at_ms" '
        f'FROM "{SUMMARY_RP}"."{FEDERATION_STATUS}" GROUP BY "province"'
    )
    for s in db.query(q):
        for row in s.rows():
            if row["through_ms"] is not None:
                seen[s.tags.get("province", "")] = (int(row["through_ms"]), int(row["shipped_at_ms"] or 0))
    rows: list[ProvinceLag] = []
    for code in sorted(seen.keys() | set(expected)):
        if code not in seen:
            rows.append(
                ProvinceLag(province=code, through=None, shipped_at=None, behind_s=None, late=True, late_since=None)
            )
            continue
        through, shipped = seen[code]
        behind = (now - through) / 1000
        late = behind > late_after_s
        rows.append(
            ProvinceLag(
                province=code,
                through=from_ms(through),
                shipped_at=from_ms(shipped),
                behind_s=behind,
                late=late,
                late_since=from_ms(through) if late else None,
            )
        )
    return FederationState(
        now=from_ms(now), late_after_s=late_after_s, provinces=rows, late=[r.province for r in rows if r.late]
    )
