"""What the boards cannot learn from InfluxQL alone: which devices a collector answers for, and whether
their facility is open right now.

InfluxQL cannot list a series that is missing, so a device that never reported (an SSH-only switch, a
device without an address) would never appear on a board.  Once per cycle the collector writes one
``inventory_device`` point per device it is responsible for (tags: ``Inventory.device_tags``), fields

* ``expected`` = 1 — the boards count these for 设备总数 and list those without ``device_up`` as 未上报;
* ``open`` = 1/0 — the device's facility is within its scheduled opening hours now (supervision/schedule.py,
  the one opening-hours code: weekly hours, holidays, 调休, announced closures), so a board shades closed
  hours and a terminal switched off at night is shown as 闭馆, not as an outage.

Cardinality is that of ``device_up`` (one series per device).
"""

from __future__ import annotations

from collections.abc import Sequence

from inventory.models import Facility, Inventory
from pdcs.points import INVENTORY_DEVICE, FieldValue, Point
from supervision.schedule import HolidayCalendar, official_calendar, service_intervals


def is_open(facility: Facility, at_ns: int, calendar: HolidayCalendar | None = None) -> bool:
    """Whether ``facility`` is within its scheduled service time at ``at_ns``."""
    at_ms = at_ns // 1_000_000
    return bool(service_intervals(facility, at_ms, at_ms + 1, calendar))


def inventory_points(
    inventory: Inventory, regions: Sequence[str], at_ns: int, calendar: HolidayCalendar | None = None
) -> list[Point]:
    """One ``inventory_device`` point per enabled device in ``regions`` (all when empty)."""
    cal = calendar or official_calendar()
    open_now: dict[str, bool] = {}
    out = []
    for dev in inventory.devices_in(list(regions) if regions else None):
        if dev.facility not in open_now:
            open_now[dev.facility] = is_open(inventory.facilities[dev.facility], at_ns, cal)
        fields: dict[str, FieldValue] = {"expected": 1, "open": int(open_now[dev.facility])}
        out.append(Point(INVENTORY_DEVICE, inventory.device_tags(dev), fields, at_ns))
    return out
