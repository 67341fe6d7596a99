"""What the boards cannot learn from InfluxQL alone: which devices a collector answers for, and whether
their facility is open right now.

InfluxQL cannot list a series that is missing, so a device that never reported (an SSH-only switch, a
device without an address) would never appear on a board.  Once per cycle the collector writes one
``inventory_device`` point per device it is responsible for (tags: ``Inventory.device_tags``), fields

* ``expected`` = 1 — the boards count these for 设备总数 and list those without ``device_up`` as 未上报;
* ``open`` = 1/0 — the device's facility is within its scheduled opening hours now (supervision/schedule.py,
  the one opening-hours code: weekly hours, holidays, 调休, announced closures), so a board shades closed
  hours and a terminal switched off at night is shown as 闭馆, not as an outage;
* ``state`` — ``up`` and ``open`` combined, which InfluxQL cannot do across two measurements: 1 = the device's
  latest ``device_up`` this cycle was up, 0 = down while its facility is open (an outage: red),
  2 = down while closed (switched off: 闭馆, grey); ``down_open`` = 1 when ``state`` is 0, else 0 (the
  离线设备 counter sums it, so a night with every terminal off reads 0, and no data stays no data).
  Both are absent when the device wrote no ``device_up`` this cycle (SSH-only, skipped): the boards keep
  its last known state or list it as 未上报.

Cardinality is that of ``device_up`` (one series per device).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from inventory.models import Facility, Inventory
from pdcs.points import INVENTORY_DEVICE, FieldValue, Point
from supervision.schedule import HolidayCalendar, official_calendar, service_intervals


def is_open(facility: Facility, at_ns: int, calendar: HolidayCalendar | None = None) -> bool:
    """Whether ``facility`` is within its scheduled service time at ``at_ns``."""
    at_ms = at_ns // 1_000_000
    return bool(service_intervals(facility, at_ms, at_ms + 1, calendar))


STATE_UP, STATE_DOWN_OPEN, STATE_DOWN_CLOSED = 1, 0, 2


def device_state(up: int, open_now: bool) -> int:
    """The ``state`` field: 1 up, 0 down while open (an outage), 2 down while closed (switched off)."""
    if up:
        return STATE_UP
    return STATE_DOWN_OPEN if open_now else STATE_DOWN_CLOSED


def inventory_points(
    inventory: Inventory,
    regions: Sequence[str],
    at_ns: int,
    calendar: HolidayCalendar | None = None,
    up: Mapping[str, int] | None = None,
) -> list[Point]:
    """One ``inventory_device`` point per enabled device in ``regions`` (all when empty); ``up`` is each
    device's latest ``device_up.up`` this cycle (by device id), giving the ``state`` field."""
    cal = calendar or official_calendar()
    open_now: dict[str, bool] = {}
    out = []
    for dev in inventory.devices_in(list(regions) if regions else None):
        if dev.facility not in open_now:
            open_now[dev.facility] = is_open(inventory.facilities[dev.facility], at_ns, cal)
        fields: dict[str, FieldValue] = {"expected": 1, "open": int(open_now[dev.facility])}
        if up is not None and dev.id in up:
            fields["state"] = device_state(up[dev.id], open_now[dev.facility])
            fields["down_open"] = int(fields["state"] == STATE_DOWN_OPEN)
        out.append(Point(INVENTORY_DEVICE, inventory.device_tags(dev), fields, at_ns))
    return out
