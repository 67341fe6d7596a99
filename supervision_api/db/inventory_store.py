"""Inventory in SQL: one JSON document per entity, validated by the pydantic models.

``load`` builds an :class:`Inventory` from the rows; ``replace``/``upsert``
write them.  The models in ``inventory/models.py`` stay the truth: a document
is stored only after it validated, and read back through the same model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from inventory.models import Device, Facility, Inventory, Region, SnmpProfile, SshProfile
from supervision_api.db.schema import InventoryItem, Meta, utcnow

# kind -> (model, Inventory attribute)
KINDS: dict[str, tuple[type[BaseModel], str]] = {
    "region": (Region, "regions"),
    "facility": (Facility, "facilities"),
    "device": (Device, "devices"),
    "snmp_profile": (SnmpProfile, "snmp_profiles"),
    "ssh_profile": (SshProfile, "ssh_profiles"),
}


def to_doc(entity: BaseModel) -> dict[str, Any]:
    """The JSON document of an entity, in the same shape as the YAML it came from."""
    doc = entity.model_dump(mode="json", exclude_none=True)
    if isinstance(entity, Facility):
        doc["opening_hours"] = {day: [str(s) for s in spans] for day, spans in entity.opening_hours.items()}
    return doc


def _key(entity: BaseModel) -> str:
    for attr in ("code", "id", "name"):
        if hasattr(entity, attr):
            return str(getattr(entity, attr))
    raise TypeError(f"no key on {type(entity).__name__}")


def region_of(entity: BaseModel, inv: Inventory) -> str:
    """The region code an entity belongs to ("" for credential profiles)."""
    if isinstance(entity, Region):
        return entity.code
    if isinstance(entity, Facility):
        return entity.county
    if isinstance(entity, Device):
        fac = inv.facilities.get(entity.facility)
        return fac.county if fac else ""
    return ""


def load(session: Session, base_dir: Path | None = None) -> Inventory:
    inv = Inventory(base_dir=base_dir)
    rows = session.scalars(select(InventoryItem).order_by(InventoryItem.kind, InventoryItem.key))
    for row in rows:
        model, attr = KINDS[row.kind]
        getattr(inv, attr)[row.key] = model.model_validate(row.doc)
    return inv


def is_empty(session: Session) -> bool:
    return session.scalars(select(InventoryItem.key).limit(1)).first() is None


def replace(session: Session, inv: Inventory) -> None:
    """Make the stored inventory exactly ``inv`` (one bulk INSERT: a national inventory is 10⁵ rows)."""
    session.execute(delete(InventoryItem))
    now = utcnow()
    rows = [
        {"kind": kind, "key": _key(e), "region": region_of(e, inv), "doc": to_doc(e), "updated_at": now}
        for kind, (_model, attr) in KINDS.items()
        for e in getattr(inv, attr).values()
    ]
    if rows:
        session.execute(insert(InventoryItem), rows)


def upsert(session: Session, kind: str, entity: BaseModel, inv: Inventory) -> None:
    row = session.get(InventoryItem, (kind, _key(entity)))
    if row is None:
        session.add(InventoryItem(kind=kind, key=_key(entity), region=region_of(entity, inv), doc=to_doc(entity)))
    else:
        row.doc = to_doc(entity)
        row.region = region_of(entity, inv)


def remove(session: Session, kind: str, key: str) -> bool:
    row = session.get(InventoryItem, (kind, key))
    if row is None:
        return False
    session.delete(row)
    return True


def apply_diff(session: Session, old: Inventory, new: Inventory) -> int:
    """Write only what differs between ``old`` and ``new`` (unchanged entities are the same objects)."""
    n = 0
    for kind, (_model, attr) in KINDS.items():
        before: dict[str, BaseModel] = getattr(old, attr)
        after: dict[str, BaseModel] = getattr(new, attr)
        for key, entity in after.items():
            if before.get(key) is not entity:
                upsert(session, kind, entity, new)
                n += 1
        for key in before.keys() - after.keys():
            remove(session, kind, key)
            n += 1
    # a facility that moved county takes its devices' stored region with it
    moved = {k for k, f in new.facilities.items() if (o := old.facilities.get(k)) is not None and o.county != f.county}
    for dev in new.devices.values():
        if dev.facility in moved and old.devices.get(dev.id) is dev:
            upsert(session, "device", dev, new)
            n += 1
    return n


VERSION_KEY = "inventory_version"


def version(session: Session) -> int:
    row = session.get(Meta, VERSION_KEY)
    return row.value if row else 0


def bump_version(session: Session) -> int:
    row = session.get(Meta, VERSION_KEY, with_for_update=True)
    if row is None:
        row = Meta(key=VERSION_KEY, value=0)
        session.add(row)
    row.value += 1
    return row.value
