"""Is a facility open at a moment?  The one function the evaluator asks.

It asks the supervision API's schedule module (``supervision.schedule``:
weekly hours in the facility's time zone under China's official holiday
calendar, adjusted working weekends included), so alerts and availability
figures agree on what "opening hours" are.
"""

from __future__ import annotations

import datetime as dt

from inventory.models import Facility
from supervision.schedule import day_spans, official_calendar


def is_open(facility: Facility, when: dt.datetime) -> bool:
    """True when ``facility`` is scheduled to serve at ``when`` (an aware datetime)."""
    local = when.astimezone(facility.tz)
    minute = local.hour * 60 + local.minute
    return any(s.start_minute <= minute < s.end_minute for s in day_spans(facility, local.date(), official_calendar()))
