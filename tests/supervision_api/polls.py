"""Write ``device_up`` polls for test scenarios: one poll a minute, up or down by time range."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from inventory.models import Inventory
from pdcs.points import DEVICE_UP, Point, to_lines
from pdcs.storage import InfluxDB

CN = ZoneInfo("Asia/Shanghai")


def at(day: str, hm: str = "00:00") -> datetime:
    """Beijing time: at("2026-10-01", "09:30")."""
    return datetime.fromisoformat(f"{day}T{hm}:00").replace(tzinfo=CN)


def write_polls(
    influx: InfluxDB,
    inventory: Inventory,
    device: str,
    start: datetime,
    end: datetime,
    down: Sequence[tuple[datetime, datetime]] = (),
    silent: Sequence[tuple[datetime, datetime]] = (),
    step: timedelta = timedelta(minutes=1),
) -> int:
    """Polls every ``step`` in ``[start, end)``: up=0 inside ``down`` ranges, none inside ``silent`` ones."""
    tags = inventory.device_tags(inventory.devices[device]) | {"source": "snmp"}
    points = []
    t = start
    while t < end:
        if not any(a <= t < b for a, b in silent):
            up = 0 if any(a <= t < b for a, b in down) else 1
            points.append(Point(DEVICE_UP, tags, {"up": up}, int(t.timestamp()) * 1_000_000_000))
        t += step
    return influx.write_lines(to_lines(points))
