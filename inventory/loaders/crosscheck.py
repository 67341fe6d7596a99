"""Checks no single record can make: duplicate ids, references between records, declared regions."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from pydantic import BaseModel

from inventory.loaders.records import SECTIONS, Record
from inventory.loaders.validate import SECRET_FIELDS
from inventory.models import Facility, Region, SecretRef, region_level
from inventory.problems import Problem

Valid = Mapping[str, list[tuple[Record, BaseModel]]]


def duplicates(records: Iterable[Record]) -> list[Problem]:
    """Every repeat of an id within a section, naming where it was first defined."""
    first: dict[tuple[str, str], Record] = {}
    problems = []
    for rec in records:
        ident = rec.ident
        if ident is None:
            continue
        prev = first.setdefault((rec.section, ident), rec)
        if prev is not rec:
            where = f"{prev.file}:{prev.line}"
            problems.append(
                Problem.of(
                    rec.file,
                    rec.line,
                    rec.label(),
                    f"inventory.duplicate.{rec.section}",
                    rec.locator.column_of((SECTIONS[rec.section],)),  # the id's column, in a register
                    id=ident,
                    where=where,
                )
            )
    return problems


def _unknown(rec: Record, attr: str, name: str, known: Iterable[str]) -> Problem:
    """An unknown reference, with the closest defined name, else the names defined."""
    names = sorted(known)
    code = f"inventory.unknown.{attr}"
    close = difflib.get_close_matches(name, names, n=1)
    if close:
        return rec.problem((attr,), f"{code}.close", name=name, close=close[0])
    if names:
        listed = ", ".join(names[:10]) + (", …" if len(names) > 10 else "")
        return rec.problem((attr,), f"{code}.known", name=name, known=listed)
    return rec.problem((attr,), f"{code}.none", name=name)


def references(records: Iterable[Record], valid: Valid, broken: Mapping[str, set[str]]) -> list[Problem]:
    """Devices must name a defined facility and defined profiles.

    Checked on every device record, valid or not, so one run shows all mistakes.
    ``broken`` holds the ids of objects that exist but failed their own checks:
    a reference to one of those is not reported again.
    """
    problems = []
    names: dict[str, set[str]] = defaultdict(set)
    for section in SECTIONS:
        names[section] = {rec.ident for rec, _ in valid.get(section, []) if rec.ident} | broken.get(section, set())
    refs = (("facility", "facilities"), ("snmp_profile", "snmp_profiles"), ("ssh_profile", "ssh_profiles"))
    for rec in records:
        if rec.section != "devices":
            continue
        for attr, section in refs:
            target = rec.data.get(attr)
            if not isinstance(target, str) or not target.strip():
                continue  # missing or mistyped: the record's own check says so
            target = target.strip()
            known = names[section]
            if target in known:
                continue
            problems.append(_unknown(rec, attr, target, known))
    return problems


def regions(valid: Valid) -> list[Problem]:
    """A facility's county must be declared when its city is (a mistyped county code shows up here)."""
    declared: dict[str, Region] = {}
    for _, obj in valid.get("regions", []):
        assert isinstance(obj, Region)
        declared.setdefault(obj.code, obj)
    problems = []
    for rec, obj in valid.get("facilities", []):
        assert isinstance(obj, Facility)
        county, city = obj.county, obj.county[:4]
        if county in declared or city not in declared:
            continue
        under = [
            f"{c} {r.name}" for c, r in sorted(declared.items()) if c.startswith(city) and region_level(c) == "county"
        ]
        code = "inventory.county_not_declared" + ("" if under else ".none")
        problems.append(
            rec.problem(
                ("county",), code, county=county, city_name=declared[city].name, city=city, counties=", ".join(under)
            )
        )
    return problems


def secrets(valid: Valid, base_dir: Path) -> list[Problem]:
    """Every secret reference of every profile resolves now (the value itself is dropped at once)."""
    problems = []
    for section in ("snmp_profiles", "ssh_profiles"):
        for rec, profile in valid.get(section, []):
            for name in SECRET_FIELDS[section]:
                ref = getattr(profile, name)
                if not isinstance(ref, SecretRef):
                    continue
                try:
                    ref.resolve(base_dir)
                except LookupError as exc:  # its message names the reference, not a value
                    problems.append(rec.problem_from((name,), exc))
    return problems
