"""Creating, updating and deleting devices, within the caller's region scope.

Administrators anywhere, county staff in their county; inspectors read only.
Each change is stored first, recorded in the audit log, then swapped into the
API's inventory (``access.store.change_inventory``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from inventory.models import Device, Inventory
from supervision_api.access.auth import EditorUser
from supervision_api.access.store import change_inventory
from supervision_api.deps import DeviceDep, LangDep, StateDep
from supervision_api.errors import ApiError
from supervision_api.routes.devices import device_facts
from supervision_api.schemas.devices import DeviceFacts

router = APIRouter(prefix="/devices", tags=["devices"])


def _check(inv: Inventory, device: Device, user: EditorUser) -> str:
    """The device's county, after checking its facility and profiles exist and lie in scope."""
    fac = inv.facilities.get(device.facility)
    if fac is None or not user.may_see(fac.county):  # one answer: other counties' ids are not revealed
        raise ApiError(422, "error.inventory.unknown_facility", id=device.facility)
    problems = []
    if device.snmp_profile and device.snmp_profile not in inv.snmp_profiles:
        problems.append(f"snmp_profile: unknown profile {device.snmp_profile!r}")
    if device.ssh_profile and device.ssh_profile not in inv.ssh_profiles:
        problems.append(f"ssh_profile: unknown profile {device.ssh_profile!r}")
    if problems:
        raise ApiError(422, "error.inventory.invalid", problems="; ".join(problems))
    return fac.county


def _with(inv: Inventory, devices: dict[str, Device]) -> Inventory:
    return inv.model_copy(update={"devices": devices})


@router.post("", status_code=201, response_model=DeviceFacts, summary="Add a device (in a facility inside your scope)")
def create(device: Device, user: EditorUser, state: StateDep, lang: LangDep) -> dict[str, Any]:
    def change(inv: Inventory) -> tuple[Inventory, str, str, dict[str, Any]]:
        if device.id in inv.devices:
            raise ApiError(409, "error.inventory.exists", id=device.id)
        county = _check(inv, device, user)
        return _with(inv, {**inv.devices, device.id: device}), county, device.id, {"facility": device.facility}

    new = change_inventory(state, user, "device.create", change)
    return device_facts(new, new.devices[device.id], lang)


@router.put(
    "/{device_id}", response_model=DeviceFacts, summary="Replace a device's inventory record (inside your scope)"
)
def update(current: DeviceDep, device: Device, user: EditorUser, state: StateDep, lang: LangDep) -> dict[str, Any]:
    if device.id != current.id:
        raise ApiError(422, "error.inventory.invalid", problems=f"id: {device.id!r} differs from the path")

    def change(inv: Inventory) -> tuple[Inventory, str, str, dict[str, Any]]:
        county = _check(inv, device, user)
        before = inv.devices[current.id]
        changed = sorted(k for k in Device.model_fields if getattr(before, k) != getattr(device, k))
        return _with(inv, {**inv.devices, device.id: device}), county, device.id, {"changed": changed}

    new = change_inventory(state, user, "device.update", change)
    return device_facts(new, new.devices[device.id], lang)


@router.delete("/{device_id}", status_code=204, summary="Delete a device (inside your scope)")
def delete(current: DeviceDep, user: EditorUser, state: StateDep) -> Response:
    def change(inv: Inventory) -> tuple[Inventory, str, str, dict[str, Any]]:
        county = inv.county_of(current)
        devices = {k: v for k, v in inv.devices.items() if k != current.id}
        return _with(inv, devices), county, current.id, {"facility": current.facility}

    change_inventory(state, user, "device.delete", change)
    return Response(status_code=204)
