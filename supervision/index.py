"""Look-ups the inventory model does not index: devices of a facility (built once per inventory)."""

from __future__ import annotations

from collections import defaultdict

from inventory.models import Device, Inventory

_CACHE: dict[int, tuple[Inventory, dict[str, list[Device]]]] = {}


def devices_by_facility(inventory: Inventory) -> dict[str, list[Device]]:
    """All devices (enabled or not) per facility id, sorted by id; cached while the inventory lives."""
    hit = _CACHE.get(id(inventory))
    if hit is not None and hit[0] is inventory:
        return hit[1]
    index: dict[str, list[Device]] = defaultdict(list)
    for d in sorted(inventory.devices.values(), key=lambda d: d.id):
        index[d.facility].append(d)
    if len(_CACHE) > 8:  # tests build many inventories; keep the cache small
        _CACHE.clear()
    _CACHE[id(inventory)] = (inventory, dict(index))
    return _CACHE[id(inventory)][1]
