"""Inventory files uploaded through the API, read by the same loader as ``pdcs inventory check``.

The upload (YAML files and CSV or .xlsx registers) is merged into the stored inventory:
its objects are added or replace the stored ones with the same id.  Problems
read exactly as on the command line (``file:line: field: message``, the file
being the uploaded file's name); references may point at objects already
stored.  The caller may only touch objects inside their region scope, and only
administrators may change credential profiles (they belong to no region).
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from pydantic import BaseModel

from inventory.load import SUFFIXES, read_file
from inventory.loaders import crosscheck
from inventory.loaders.records import SECTIONS, Record, RowLocator
from inventory.loaders.validate import validate
from inventory.models import Device, Facility, Inventory, Region
from inventory.problems import Problem
from supervision_api.db.users import Principal

# loader section -> Inventory attribute (the same names)
ATTRS = tuple(SECTIONS)


@dataclass
class UploadResult:
    inventory: Inventory | None  # the merged inventory, None when there are problems
    problems: list[Problem] = field(default_factory=list)
    forbidden: list[Problem] = field(default_factory=list)  # objects outside the caller's scope
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)


def _read(files: list[tuple[str, bytes]]) -> tuple[list[Record], list[Problem]]:
    records: list[Record] = []
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory(prefix="pdcs-upload-") as tmp:
        for i, (name, content) in enumerate(files):
            display = PurePath(name.replace("\\", "/")).name or f"upload-{i}"
            suffix = PurePath(display).suffix.lower()
            if suffix not in SUFFIXES:
                problems.append(Problem.of(display, 1, "file", "inventory.not_inventory_file"))
                continue
            path = Path(tmp) / f"{i}{suffix}"  # never a path the client chose
            path.write_bytes(content)
            recs, probs, _ = read_file(path, display)
            records += recs
            problems += probs
    return records, problems


def _stored_as_records(inv: Inventory) -> dict[str, list[tuple[Record, BaseModel]]]:
    """The stored objects in the loader's shape, so uploaded references can point at them."""
    out: dict[str, list[tuple[Record, BaseModel]]] = defaultdict(list)
    for section in ATTRS:
        key = SECTIONS[section]
        for ident, obj in getattr(inv, section).items():
            out[section].append((Record(section, {key: ident}, "<stored>", 0, 0, RowLocator(0)), obj))
    return out


def _region(section: str, obj: BaseModel, facilities: dict[str, Facility]) -> str | None:
    """The region an object belongs to; None for credential profiles."""
    if isinstance(obj, Region):
        return obj.code
    if isinstance(obj, Facility):
        return obj.county
    if isinstance(obj, Device):
        fac = facilities.get(obj.facility)
        return fac.county if fac else ""
    return None


def merge_upload(files: list[tuple[str, bytes]], current: Inventory, who: Principal) -> UploadResult:
    records, problems = _read(files)
    valid: dict[str, list[tuple[Record, BaseModel]]] = defaultdict(list)
    broken: dict[str, set[str]] = defaultdict(set)
    for rec in records:
        obj, probs = validate(rec)
        problems += probs
        if obj is not None:
            valid[rec.section].append((rec, obj))
        elif rec.ident:
            broken[rec.section].add(rec.ident)
    problems += crosscheck.duplicates(records)

    stored = _stored_as_records(current)
    uploaded_ids = {s: {r.ident for r, _ in valid[s]} for s in ATTRS}
    known = {s: [x for x in stored[s] if x[0].ident not in uploaded_ids[s]] + valid[s] for s in ATTRS}
    problems += crosscheck.references(records, known, broken)
    region_view = {"regions": known["regions"], "facilities": valid["facilities"]}
    problems += crosscheck.regions(region_view)
    if problems:
        return UploadResult(None, sorted(set(problems), key=lambda p: (p.file, p.line, p.field)))

    tables: dict[str, dict[str, Any]] = {s: dict(getattr(current, s)) for s in ATTRS}
    created: dict[str, int] = {}
    updated: dict[str, int] = {}
    for section in ATTRS:
        for rec, obj in valid[section]:
            ident = rec.ident or ""
            bucket = updated if ident in tables[section] else created
            bucket[section] = bucket.get(section, 0) + 1
            tables[section][ident] = obj

    # Scope: what the upload touches must lie in the caller's scope, before and after the change.
    forbidden: list[Problem] = []
    for section in ATTRS:
        for rec, obj in valid[section]:
            before = getattr(current, section).get(rec.ident or "")
            regions = [_region(section, obj, tables["facilities"])]
            if before is not None:
                regions.append(_region(section, before, current.facilities))
            if any(r is None for r in regions):
                if not who.is_admin:
                    forbidden.append(Problem.of(rec.file, rec.line, rec.label(), "inventory.admin_only_profiles"))
            elif not all(who.may_see(r or "") for r in regions):
                forbidden.append(
                    Problem.of(rec.file, rec.line, rec.label(), "inventory.outside_scope", scope=who.scope)
                    if who.scope
                    else Problem.of(rec.file, rec.line, rec.label(), "inventory.outside_scope.nation")
                )
    if forbidden:
        return UploadResult(None, forbidden=forbidden)

    merged = Inventory(
        regions=tables["regions"],
        facilities=tables["facilities"],
        devices=tables["devices"],
        snmp_profiles=tables["snmp_profiles"],
        ssh_profiles=tables["ssh_profiles"],
        base_dir=current.base_dir,
    )
    return UploadResult(merged, created=created, updated=updated)
