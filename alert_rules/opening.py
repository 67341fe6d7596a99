"""Is a facility open at a moment?  The one function the evaluator asks.

This is a minimal weekly-hours check with China's holiday calendar
(``chinese_calendar``): a statutory holiday is closed; an adjusted working
weekend follows that weekday's hours, or the Monday hours when the facility
is normally closed that day.  The supervision API's schedule module
(scheduled service time) is the authority; when it lands, ``is_open`` points
at it so alerts and availability agree on what "opening hours" are.
"""

from __future__ import annotations

import datetime as dt

from inventory.models import WEEKDAYS, Facility


def _holiday_status(day: dt.date) -> str:
    """``holiday``, ``workday`` (an adjusted working weekend) or ``normal``."""
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - a declared dependency
        return "normal"
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        workday = chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the calendar does not cover yet
        return "normal"
    if on_holiday and name is not None:
        return "holiday"
    if workday and day.weekday() >= 5:
        return "workday"
    return "normal"


def is_open(facility: Facility, when: dt.datetime) -> bool:
    """True when ``facility`` is scheduled to serve at ``when`` (an aware datetime)."""
    local = when.astimezone(facility.tz)
    day = local.date()
    weekday = WEEKDAYS[local.weekday()]
    spans = facility.opening_hours.get(weekday, ())
    if facility.holiday_calendar:
        status = _holiday_status(day)
        if status == "holiday":
            return False
        if status == "workday" and not spans:
            spans = facility.opening_hours.get("mon", ())
    minute = local.hour * 60 + local.minute
    return any(s.start_minute <= minute < s.end_minute for s in spans)
