"""Opening hours with China's holiday calendar (the minimal check the evaluator uses)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from alert_rules.opening import is_open
from inventory.models import Facility, FacilityKind, OpeningSpan

CST = dt.timezone(dt.timedelta(hours=8))


def library(holidays: bool = True, on_holidays: Literal["open", "closed"] | None = "closed") -> Facility:
    return Facility(
        id="L",
        name="图书馆",
        kind=FacilityKind.PUBLIC_LIBRARY,
        county="510116",
        opening_hours={
            "tue": (OpeningSpan.parse("09:00-12:00"), OpeningSpan.parse("14:00-21:00")),
            "wed": (OpeningSpan.parse("09:00-21:00"),),
            "thu": (OpeningSpan.parse("09:00-21:00"),),
            "fri": (OpeningSpan.parse("09:00-21:00"),),
            "sat": (OpeningSpan.parse("09:00-17:00"),),
        },
        holiday_calendar=holidays,
        holidays=on_holidays,  # this library announced closure on holidays (the kind's default is open)
    )


def test_weekly_hours_in_local_time() -> None:
    f = library()
    assert is_open(f, dt.datetime(2026, 11, 24, 10, 0, tzinfo=CST))  # Tuesday morning
    assert not is_open(f, dt.datetime(2026, 11, 24, 13, 0, tzinfo=CST))  # lunch break
    assert not is_open(f, dt.datetime(2026, 11, 23, 10, 0, tzinfo=CST))  # Monday: closed
    # 01:30 UTC on Tuesday is 09:30 in Beijing
    assert is_open(f, dt.datetime(2026, 11, 24, 1, 30, tzinfo=dt.UTC))


def test_holiday_closed_and_adjusted_working_weekend() -> None:
    f = library()
    # 2026-10-07 is a Wednesday inside the National Day holiday: closed, though Wednesdays are open
    assert not is_open(f, dt.datetime(2026, 10, 7, 10, 0, tzinfo=CST))
    assert is_open(library(holidays=False), dt.datetime(2026, 10, 7, 10, 0, tzinfo=CST))
    # 2026-09-20 is a Sunday made a working day: the usual working-day hours apply (09:00-21:00 here)
    assert is_open(f, dt.datetime(2026, 9, 20, 19, 0, tzinfo=CST))
    assert not is_open(library(holidays=False), dt.datetime(2026, 9, 20, 19, 0, tzinfo=CST))


def test_library_open_on_holidays_by_default() -> None:
    # 《公共图书馆法》第三十三条: a library without an announced closure keeps its Wednesday hours on
    # Wed 7 Oct 2026 (National Day); on the adjusted working Sunday 20 Sep it keeps its Sunday (closed).
    f = library(on_holidays=None)
    assert is_open(f, dt.datetime(2026, 10, 7, 10, 0, tzinfo=CST))
    assert not is_open(f, dt.datetime(2026, 9, 20, 19, 0, tzinfo=CST))
