"""Scheduled service time: a facility's opening hours under China's official holiday calendar.

Rules (docs/architecture.md, "Supervision API"):

* A facility opens on its weekly hours (``Facility.opening_hours``, local
  time in ``Facility.timezone``).
* If it follows the official calendar (``holiday_calendar: true``):
  on a public holiday it is closed; on an adjusted working day (调休上班, a
  Saturday or Sunday that is a working day) it opens with its usual
  working-day hours — the most common Monday–Friday schedule.
* The calendar is the chinese-calendar package, overridden year by year by
  ``data/holidays_cn.yaml`` (the official notices, cited there).  A year that
  neither knows is treated as plain weeks and reported as not covered.

Intervals are ``(start_ms, end_ms)`` in Unix milliseconds, half-open, sorted,
non-overlapping.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path

from inventory.models import WEEKDAYS, Facility, OpeningSpan
from pdcs import yaml_guard

HOLIDAYS_FILE = Path(__file__).parent / "data" / "holidays_cn.yaml"

Interval = tuple[int, int]


class DayKind(StrEnum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"  # 法定节假日（含放假调休的周末）
    ADJUSTED_WORKDAY = "adjusted_workday"  # 调休上班


@dataclass(frozen=True)
class HolidayCalendar:
    holidays: Mapping[date, str] = field(default_factory=dict)
    workdays: Mapping[date, str] = field(default_factory=dict)  # adjusted working days
    years: frozenset[int] = frozenset()
    sources: Mapping[int, str] = field(default_factory=dict)

    def covers(self, year: int) -> bool:
        return year in self.years

    def day_kind(self, day: date) -> DayKind:
        if day in self.holidays:
            return DayKind.HOLIDAY
        if day in self.workdays:
            return DayKind.ADJUSTED_WORKDAY
        return DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WORKDAY


def load_calendar(path: Path | None = HOLIDAYS_FILE, *, use_package: bool = True) -> HolidayCalendar:
    """The package's calendar with the years of ``path`` replacing the package's."""
    holidays: dict[date, str] = {}
    workdays: dict[date, str] = {}
    years: set[int] = set()
    sources: dict[int, str] = {}
    if use_package:
        from chinese_calendar import constants

        for day, name in constants.holidays.items():
            holidays[day] = name
        for day, name in constants.workdays.items():
            if day.weekday() >= 5:  # the package lists every working day's exceptions; keep weekend ones
                workdays[day] = name
        years = {d.year for d in constants.holidays}
        for y in years:
            sources[y] = "chinese-calendar"
    if path is not None and path.exists():
        data = yaml_guard.safe_load(path.read_text(encoding="utf-8")) or {}
        for year, spec in data.items():
            y = int(year)
            holidays = {d: n for d, n in holidays.items() if d.year != y}
            workdays = {d: n for d, n in workdays.items() if d.year != y}
            for h in spec.get("holidays", []):
                day = h["from"]
                while day <= h["to"]:
                    holidays[day] = h.get("name_en") or h["name"]
                    day += timedelta(days=1)
            for w in spec.get("workdays", []):
                workdays[w["date"]] = w.get("name", "")
            years.add(y)
            sources[y] = str(spec.get("source", path.name))
    return HolidayCalendar(holidays, workdays, frozenset(years), sources)


@functools.cache
def official_calendar() -> HolidayCalendar:
    return load_calendar()


def working_day_hours(facility: Facility) -> tuple[OpeningSpan, ...]:
    """The facility's usual working-day hours: the most common Monday–Friday schedule."""
    counts = Counter(facility.opening_hours.get(d, ()) for d in WEEKDAYS[:5])
    best, _ = max(counts.items(), key=lambda kv: (kv[1], bool(kv[0])))
    return best


def day_spans(facility: Facility, day: date, calendar: HolidayCalendar) -> tuple[OpeningSpan, ...]:
    """Opening spans of ``facility`` on local date ``day``."""
    if facility.holiday_calendar:
        kind = calendar.day_kind(day)
        if kind is DayKind.HOLIDAY:
            return ()
        if kind is DayKind.ADJUSTED_WORKDAY:
            return working_day_hours(facility)
    return facility.opening_hours.get(WEEKDAYS[day.weekday()], ())


def _ms(dt: datetime) -> int:
    return round(dt.timestamp() * 1000)


def service_intervals(
    facility: Facility, start_ms: int, end_ms: int, calendar: HolidayCalendar | None = None
) -> list[Interval]:
    """Scheduled service time of ``facility`` within ``[start_ms, end_ms)``."""
    cal = calendar or official_calendar()
    tz = facility.tz
    first = datetime.fromtimestamp(start_ms / 1000, tz).date() - timedelta(days=1)
    last = datetime.fromtimestamp(end_ms / 1000, tz).date()
    out: list[Interval] = []
    day = first
    while day <= last:
        for span in day_spans(facility, day, cal):
            s = _ms(datetime.combine(day, span.start, tzinfo=tz))
            end_day, end_min = divmod(span.end_minute, 1440)
            e = _ms(datetime.combine(day + timedelta(days=end_day), time(end_min // 60, end_min % 60), tzinfo=tz))
            s, e = max(s, start_ms), min(e, end_ms)
            if s >= e:
                continue
            if out and out[-1][1] >= s:
                out[-1] = (out[-1][0], max(out[-1][1], e))
            else:
                out.append((s, e))
        day += timedelta(days=1)
    return out


def total_ms(intervals: list[Interval]) -> int:
    return sum(e - s for s, e in intervals)
