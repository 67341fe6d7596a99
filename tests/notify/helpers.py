"""Realistic notices for the notifier tests, made by the evaluator's own code (``notice_body``)."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from alert_rules.load import load_rules
from alert_rules.message import MessageContext
from alert_rules.model import Rule
from alert_rules.notice import OPEN, RESOLVE, notice_body
from alert_rules.state import FIRING, AlertState
from inventory.models import Device, DeviceKind, Facility, FacilityKind, Inventory, OpeningSpan, Region

BEIJING = dt.timezone(dt.timedelta(hours=8))
# Tuesday 1 December 2026, 10:00 Beijing time: a working day, libraries open.
T0 = dt.datetime(2026, 12, 1, 10, 0, tzinfo=BEIJING).timestamp()

HOURS: dict[str, tuple[OpeningSpan, ...]] = {
    d: (OpeningSpan.parse("09:00-17:00"),) for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
}


def county_inventory(devices: int = 500, per_facility: int = 10) -> Inventory:
    regions = [
        Region(code="51", name="四川省"),
        Region(code="5101", name="成都市"),
        Region(code="510121", name="金堂县"),
        Region(code="510116", name="双流区"),
    ]
    facilities = [
        Facility(
            id=f"JT{i:03d}",
            name=f"金堂县第{i + 1}服务点",
            kind=FacilityKind.TOWNSHIP_CENTRE if i else FacilityKind.PUBLIC_LIBRARY,
            county="510121",
            opening_hours=HOURS,
        )
        for i in range(max(1, devices // per_facility))
    ] + [
        Facility(
            id="SL001", name="双流区图书馆", kind=FacilityKind.PUBLIC_LIBRARY, county="510116", opening_hours=HOURS
        )
    ]
    devs = [
        Device(
            id=f"JT-D{i:04d}",
            name=f"阅览终端{i:04d}",
            kind=DeviceKind.E_READING_TERMINAL,
            facility=f"JT{i // per_facility:03d}",
        )
        for i in range(devices)
    ] + [Device(id="SL-SW", name="核心交换机", kind=DeviceKind.SWITCH, facility="SL001")]
    return Inventory(
        regions={r.code: r for r in regions},
        facilities={f.id: f for f in facilities},
        devices={d.id: d for d in devs},
    )


@functools.cache
def rule(name: str = "device_down") -> Rule:
    return next(r for r in load_rules() if r.name == name)


def notice(
    inv: Inventory, device: str, since: float, now: float, *, resolve: bool = False, rule_name: str = "device_down"
) -> dict[str, Any]:
    d = inv.devices[device]
    state = AlertState(
        rule_name,
        device,
        rule_name,
        FIRING,
        since,
        info={"tags": inv.device_tags(d), "columns": {"value": 0, "error": "SNMP 请求超时（2 s × 2 次）"}},
    )
    ctx = MessageContext(inv, "开发", "pdcs-alerts/test", 3600)
    return notice_body(rule(rule_name), state, ctx, RESOLVE if resolve else OPEN, now)
