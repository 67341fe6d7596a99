"""The collector's ``inventory_device`` points: every device it answers for, and its facility's scheduled state."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from collectors.inventory_state import inventory_points
from inventory.load import load_inventory
from pdcs.points import INVENTORY_DEVICE

BEIJING = ZoneInfo("Asia/Shanghai")


def _ns(year: int, month: int, day: int, hour: int, minute: int) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=BEIJING).timestamp()) * 10**9


def _open_by_facility(examples_dir: Path, at_ns: int) -> dict[str, int]:
    inv = load_inventory(examples_dir)
    return {p.tags["facility"]: int(p.fields["open"]) for p in inventory_points(inv, (), at_ns)}


def test_one_point_per_enabled_device_with_its_tags(examples_dir: Path) -> None:
    inv = load_inventory(examples_dir)
    at = _ns(2026, 12, 1, 10, 0)
    points = inventory_points(inv, ["510121"], at)
    devices = inv.devices_in(["510121"])
    assert [p.tags for p in points] == [inv.device_tags(d) for d in devices]
    assert {p.measurement for p in points} == {INVENTORY_DEVICE}
    assert all(p.fields["expected"] == 1 and p.time_ns == at for p in points)
    assert inventory_points(inv, ["990000"], at) == []  # a region the collector does not answer for


def test_open_follows_the_opening_hours_and_the_holiday_calendar(examples_dir: Path) -> None:
    # Tuesday 1 December 2026: the county library opens 09:00-20:30.
    assert _open_by_facility(examples_dir, _ns(2026, 12, 1, 10, 0))["jt-lib"] == 1
    assert _open_by_facility(examples_dir, _ns(2026, 12, 1, 3, 0))["jt-lib"] == 0  # night: closed, not an outage
    assert _open_by_facility(examples_dir, _ns(2026, 11, 30, 10, 0))["jt-lib"] == 0  # closed on Mondays
    # National Day (a statutory holiday, Thursday 1 October 2026): the public library stays open
    # (公共图书馆法 第三十三条); a township centre follows the official calendar and closes.
    assert _open_by_facility(examples_dir, _ns(2026, 10, 15, 10, 0))["jt-zhaozhen"] == 1  # an ordinary Thursday
    holiday = _open_by_facility(examples_dir, _ns(2026, 10, 1, 10, 0))
    assert holiday["jt-lib"] == 1
    assert holiday["jt-zhaozhen"] == 0


def test_state_does_not_count_a_device_down_while_its_facility_is_closed(examples_dir: Path) -> None:
    """state: 1 up, 0 down while open (离线设备), 2 down while closed (闭馆, not counted); absent if not polled."""
    inv = load_inventory(examples_dir)
    lib = sorted(d.id for d in inv.devices_in(["510121"]) if d.facility == "jt-lib")
    up = {lib[0]: 1, lib[1]: 0}  # lib[2:] wrote no device_up this cycle

    def states(at_ns: int) -> dict[str, object]:
        return {p.tags["device"]: p.fields.get("state") for p in inventory_points(inv, ["510121"], at_ns, up=up)}

    open_day = states(_ns(2026, 12, 1, 10, 0))
    night = states(_ns(2026, 12, 1, 3, 0))
    assert (open_day[lib[0]], open_day[lib[1]]) == (1, 0)  # down while open: an outage
    assert (night[lib[0]], night[lib[1]]) == (1, 2)  # down at night: switched off, not down
    assert open_day[lib[2]] is None and night[lib[2]] is None
    assert sum(1 for s in night.values() if s == 0) == 0  # nothing counted as 离线设备 at night
    down_open = {
        p.tags["device"]: p.fields.get("down_open")
        for p in inventory_points(inv, ["510121"], _ns(2026, 12, 1, 3, 0), up=up)
    }
    assert (down_open[lib[0]], down_open[lib[1]], down_open[lib[2]]) == (0, 0, None)
