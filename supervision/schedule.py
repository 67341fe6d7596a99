"""Scheduled service time: a facility's opening hours under China's official holiday calendar.

Rules (docs/architecture.md, "Supervision API"), in this order for a local day:

* A dated closure or special hours the facility announced (``special_days``, each with its
  reason: 闭馆公告, 除夕闭馆, 延时开放) decide that day.
* A facility not following the calendar (``holiday_calendar: false``) keeps its weekly hours.
* On a statutory holiday — national, or regional for its province
  (``data/holidays_regional.yaml``: 新疆 肉孜节/古尔邦节, 西藏 藏历新年, 广西 三月三, 宁夏
  开斋节/古尔邦节 …) — a facility *open on holidays* keeps that weekday's hours, or its
  ``holiday_hours``; one *closed on holidays* is closed.  Which applies is ``Facility.holidays``,
  else the kind's default (:data:`OPEN_ON_HOLIDAYS`): public libraries and cultural centres
  open — 《中华人民共和国公共图书馆法》第三十三条: 公共图书馆应当……在公休日应当开放，在国家
  法定节假日应当有开放时间; cultural centres are expected to extend hours on holidays — while
  township centres, e-reading rooms and the rest, usually in government buildings, follow the
  official calendar and close.
* On an adjusted working day (调休上班, a Saturday or Sunday that is a working day) a facility
  closed on holidays works like an office: its usual working-day hours (the most common
  Monday–Friday schedule); a facility open on holidays keeps that weekday's own hours (the
  调休 moves staff days, not the public's: a Saturday stays a Saturday for readers).
* Otherwise the weekly hours (``Facility.opening_hours``, local time in ``Facility.timezone``).
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

from inventory.models import WEEKDAYS, Facility, FacilityKind, OpeningSpan
from pdcs import yaml_guard

HOLIDAYS_FILE = Path(__file__).parent / "data" / "holidays_cn.yaml"
REGIONAL_FILE = Path(__file__).parent / "data" / "holidays_regional.yaml"
# Facility kinds open on statutory holidays unless they say otherwise (see the module's docstring).
OPEN_ON_HOLIDAYS = frozenset({FacilityKind.PUBLIC_LIBRARY, FacilityKind.CULTURAL_CENTRE})

Interval = tuple[int, int]


class DayKind(StrEnum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"  # 法定节假日（含放假调休的周末）
    ADJUSTED_WORKDAY = "adjusted_workday"  # 调休上班


@dataclass(frozen=True)
class RegionalDays:
    """A province's own holidays and adjusted working days (少数民族习惯节日)."""

    holidays: Mapping[date, str] = field(default_factory=dict)
    workdays: Mapping[date, str] = field(default_factory=dict)
    sources: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HolidayCalendar:
    holidays: Mapping[date, str] = field(default_factory=dict)
    workdays: Mapping[date, str] = field(default_factory=dict)  # adjusted working days
    years: frozenset[int] = frozenset()
    sources: Mapping[int, str] = field(default_factory=dict)
    regional: Mapping[str, RegionalDays] = field(default_factory=dict)  # province code → its days

    def covers(self, year: int) -> bool:
        return year in self.years

    def day_kind(self, day: date, province: str = "") -> DayKind:
        """The kind of ``day`` nationally, or in ``province`` (its regional days first)."""
        region = self.regional.get(province)
        if region is not None:
            if day in region.holidays:
                return DayKind.HOLIDAY
            if day in region.workdays:
                return DayKind.ADJUSTED_WORKDAY
        if day in self.holidays:
            return DayKind.HOLIDAY
        if day in self.workdays:
            return DayKind.ADJUSTED_WORKDAY
        return DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WORKDAY


def _days(spec: list[dict[str, object]], key_from: str = "from") -> dict[date, str]:
    out: dict[date, str] = {}
    for h in spec:
        day, last = h[key_from], h.get("to", h[key_from])
        assert isinstance(day, date) and isinstance(last, date)
        while day <= last:
            out[day] = str(h.get("name_en") or h.get("name") or "")
            day += timedelta(days=1)
    return out


def load_regional(path: Path = REGIONAL_FILE) -> dict[str, RegionalDays]:
    data = yaml_guard.safe_load(path.read_text(encoding="utf-8")) or {}
    out: dict[str, RegionalDays] = {}
    for province, spec in data.items():
        holidays: dict[date, str] = {}
        workdays: dict[date, str] = {}
        sources: dict[int, str] = {}
        for year, ys in (spec.get("years") or {}).items():
            holidays |= _days(ys.get("holidays", []))
            workdays |= _days(ys.get("workdays", []), "date")
            sources[int(year)] = str(ys.get("source", ""))
        out[str(province)] = RegionalDays(holidays, workdays, sources)
    return out


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
    regional = load_regional() if path == HOLIDAYS_FILE else {}
    return HolidayCalendar(holidays, workdays, frozenset(years), sources, regional)


@functools.cache
def official_calendar() -> HolidayCalendar:
    return load_calendar()


def working_day_hours(facility: Facility) -> tuple[OpeningSpan, ...]:
    """The facility's usual working-day hours: the most common Monday–Friday schedule."""
    counts = Counter(facility.opening_hours.get(d, ()) for d in WEEKDAYS[:5])
    best, _ = max(counts.items(), key=lambda kv: (kv[1], bool(kv[0])))
    return best


def open_on_holidays(facility: Facility) -> bool:
    if facility.holidays is not None:
        return facility.holidays == "open"
    return facility.kind in OPEN_ON_HOLIDAYS


def day_spans(facility: Facility, day: date, calendar: HolidayCalendar) -> tuple[OpeningSpan, ...]:
    """Opening spans of ``facility`` on local date ``day`` (rules in the module's docstring)."""
    for special in facility.special_days:
        if special.covers(day):
            return special.hours
    weekly = facility.opening_hours.get(WEEKDAYS[day.weekday()], ())
    if not facility.holiday_calendar:
        return weekly
    kind = calendar.day_kind(day, facility.county[:2])
    if kind is DayKind.HOLIDAY:
        if not open_on_holidays(facility):
            return ()
        return facility.holiday_hours if facility.holiday_hours is not None else weekly
    if kind is DayKind.ADJUSTED_WORKDAY and not open_on_holidays(facility):
        return working_day_hours(facility)
    return weekly


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
