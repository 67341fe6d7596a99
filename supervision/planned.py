"""Planned maintenance in the availability answers: which outages fell inside a maintenance window.

The figures do not change: planned maintenance inside opening hours still counts
against availability (docs/architecture.md, "Maintenance windows and availability").
An answer gains ``maintenance`` (the window occurrences concerning its device,
facility or region in the period) and each outage ``planned_maintenance`` (the
first occurrence it overlaps that covers one of its devices, its facility or its
region; null otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from inventory.models import Inventory
from supervision.maintenance import MaintenanceSchedule, Window, load_maintenance
from supervision.periods import Period


def load_schedule(path: Path | None) -> MaintenanceSchedule:
    """The windows file named by ``PDCS_MAINTENANCE_FILE``; none named: no windows.

    A bad file raises ``MaintenanceError`` (every problem as ``file:line: field: message``)."""
    return load_maintenance(path) if path is not None else MaintenanceSchedule()


@dataclass(frozen=True)
class Scope:
    """What an answer is about: a region (``code``; "" the nation), a facility or a device."""

    code: str = ""
    facility: str | None = None
    device: str | None = None


@dataclass(frozen=True)
class Occurrence:
    window: Window
    start: float  # epoch seconds
    end: float

    def as_dict(self) -> dict[str, Any]:
        w = self.window
        return {
            "name": w.name,
            "reason": w.reason,
            "start": datetime.fromtimestamp(self.start, w.tz).isoformat(),
            "end": datetime.fromtimestamp(self.end, w.tz).isoformat(),
            "device": w.device,
            "facility": w.facility,
            "region": w.region,
        }


def _concerns(w: Window, inventory: Inventory, scope: Scope) -> bool:
    if w.device is not None:
        d = inventory.devices.get(w.device)
        if d is None or (scope.device is not None and d.id != scope.device):
            return False
        if scope.facility is not None:
            return d.facility == scope.facility
        fac = inventory.facilities.get(d.facility)
        return fac is not None and fac.county.startswith(scope.code)
    if w.facility is not None:
        fac = inventory.facilities.get(w.facility)
        if fac is None:
            return False
        return fac.id == scope.facility if scope.facility is not None else fac.county.startswith(scope.code)
    region = w.region or ""
    return scope.code.startswith(region) or region.startswith(scope.code)


def occurrences(schedule: MaintenanceSchedule, inventory: Inventory, scope: Scope, period: Period) -> list[Occurrence]:
    """Every window occurrence concerning ``scope`` within the period, in order of start."""
    out = [
        Occurrence(w, a.timestamp(), b.timestamp())
        for w in schedule.windows
        if _concerns(w, inventory, scope)
        for a, b in w.occurrences(period.start, period.end)
    ]
    return sorted(out, key=lambda o: (o.start, o.window.name))


def _covers(o: Occurrence, inventory: Inventory, facility: str | None, devices: list[str]) -> bool:
    w = o.window
    if w.device is not None:
        return w.device in devices
    facilities = {facility} if facility else set()
    facilities |= {inventory.devices[d].facility for d in devices if d in inventory.devices}
    if w.facility is not None:
        return w.facility in facilities
    region = w.region or ""
    return any(f in inventory.facilities and inventory.facilities[f].county.startswith(region) for f in facilities)


def mark_outages(outages: list[dict[str, Any]], found: list[Occurrence], inventory: Inventory, scope: Scope) -> None:
    """Set ``planned_maintenance`` on each outage (an ``Outage.as_dict``): the occurrence it overlaps, or None."""
    own = [scope.device] if scope.device else []
    for outage in outages:
        t0 = datetime.fromisoformat(outage["start"]).timestamp()
        t1 = datetime.fromisoformat(outage["end"]).timestamp()
        hit = next(
            (
                o
                for o in found
                if o.start < t1
                and t0 < o.end
                and _covers(o, inventory, outage.get("facility") or scope.facility, outage.get("devices") or own)
            ),
            None,
        )
        outage["planned_maintenance"] = (
            None if hit is None else {k: v for k, v in hit.as_dict().items() if k in ("name", "reason", "start", "end")}
        )


def mark_answer(
    body: dict[str, Any], schedule: MaintenanceSchedule, inventory: Inventory, scope: Scope, period: Period
) -> dict[str, Any]:
    """An availability answer (``supervision.answers``) with its planned maintenance marked; figures unchanged."""
    found = occurrences(schedule, inventory, scope, period)
    body["maintenance"] = [o.as_dict() for o in found]
    outages = body["service"]["outages"] if "service" in body else body["outages"]
    mark_outages(outages, found, inventory, scope)
    return body


def device_scope(inventory: Inventory, device_id: str) -> Scope:
    d = inventory.devices[device_id]
    return Scope(inventory.facilities[d.facility].county, d.facility, d.id)


def facility_scope(inventory: Inventory, facility_id: str) -> Scope:
    return Scope(inventory.facilities[facility_id].county, facility_id)
