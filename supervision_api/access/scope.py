"""The inventory as a caller of one region scope sees it.

Routes that list or sum things read ``InventoryDep``; handing them this view
instead of the whole inventory is what filters every list and total to the
caller's scope, without each route having to remember to.
"""

from __future__ import annotations

from inventory.models import Inventory


def scoped_inventory(inv: Inventory, scope: str) -> Inventory:
    """Regions, facilities and devices inside ``scope`` ("" = everything); profiles are kept (no region)."""
    if scope == "":
        return inv
    facilities = {k: f for k, f in inv.facilities.items() if f.county.startswith(scope)}
    return Inventory(
        regions={k: r for k, r in inv.regions.items() if k.startswith(scope)},
        facilities=facilities,
        devices={k: d for k, d in inv.devices.items() if d.facility in facilities},
        snmp_profiles=inv.snmp_profiles,
        ssh_profiles=inv.ssh_profiles,
        base_dir=inv.base_dir,
    )


class ScopedViews:
    """One cached view per scope, rebuilt when the inventory object is replaced."""

    def __init__(self) -> None:
        self._source: Inventory | None = None
        self._views: dict[str, Inventory] = {}

    def cached(self, inv: Inventory, scope: str) -> Inventory | None:
        """The view if already built for this inventory (no work), else None."""
        if scope == "":
            return inv
        return self._views.get(scope) if inv is self._source else None

    def get(self, inv: Inventory, scope: str) -> Inventory:
        if inv is not self._source:
            self._source, self._views = inv, {}
        view = self._views.get(scope)
        if view is None:
            view = self._views[scope] = scoped_inventory(inv, scope)
        return view
