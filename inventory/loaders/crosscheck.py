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

_NOUN = {
    "regions": "region code",
    "facilities": "facility id",
    "devices": "device id",
    "snmp_profiles": "SNMP profile name",
    "ssh_profiles": "SSH profile name",
}


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
            problems.append(
                Problem(
                    rec.file,
                    rec.line,
                    rec.label(),
                    f"duplicate {_NOUN[rec.section]} {ident!r}; first defined at {prev.file}:{prev.line}",
                )
            )
    return problems


def _unknown(what: str, name: str, known: Iterable[str]) -> str:
    names = sorted(known)
    close = difflib.get_close_matches(name, names, n=1)
    if close:
        hint = f"; did you mean {close[0]!r}?"
    elif names:
        hint = f"; known: {', '.join(names[:10])}" + (", …" if len(names) > 10 else "")
    else:
        hint = f"; no {what} is defined"
    return f"unknown {what} {name!r}{hint}"


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
    refs = (
        ("facility", "facilities", "facility"),
        ("snmp_profile", "snmp_profiles", "SNMP profile"),
        ("ssh_profile", "ssh_profiles", "SSH profile"),
    )
    for rec in records:
        if rec.section != "devices":
            continue
        for attr, section, what in refs:
            target = rec.data.get(attr)
            if not isinstance(target, str) or not target.strip():
                continue  # missing or mistyped: the record's own check says so
            target = target.strip()
            known = names[section]
            if target in known:
                continue
            problems.append(rec.problem((attr,), _unknown(what, target, known)))
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
        listing = f"declared counties there: {', '.join(under)}" if under else "no counties are declared there"
        problems.append(
            rec.problem(
                ("county",), f"county {county!r} is not declared under {declared[city].name} ({city}); {listing}"
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
                    problems.append(rec.problem((name,), str(exc)))
    return problems
