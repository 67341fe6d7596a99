"""Display names from an inventory: region codes, facility and device ids → Chinese names."""

from __future__ import annotations

from dashboards.common import Names
from inventory.models import Inventory


def names_from_inventory(inventory: Inventory) -> Names:
    by_value: dict[str, str] = {code: r.name for code, r in inventory.regions.items()}
    by_value.update({f.id: f.name for f in inventory.facilities.values()})
    by_value.update({d.id: d.name for d in inventory.devices.values() if d.name})
    return Names(by_value)
