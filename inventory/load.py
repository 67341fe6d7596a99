"""Load an inventory: a folder of YAML files and registers (CSV, .xlsx; searched recursively), or one file.

``load_inventory(path)`` returns a checked :class:`~inventory.models.Inventory`
or raises :class:`~inventory.problems.InventoryError` listing *every* problem
as ``file:line: field: message``.  ``read_inventory`` returns both, for
callers (``pdcs inventory check``) that want to report rather than raise.

Secrets files are not inventory files: files named ``secrets.yaml`` or
``*.secrets.yaml``, files under a ``secrets/`` folder, and any file a profile
names in ``{file: …, key: …}`` are skipped.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from inventory.loaders import crosscheck
from inventory.loaders.csv_source import RegisterRead, Source, read_csv
from inventory.loaders.records import Record
from inventory.loaders.validate import SECRET_FIELDS, validate
from inventory.loaders.xlsx_source import read_xls, read_xlsx
from inventory.loaders.yaml_source import read_yaml
from inventory.models import Inventory
from inventory.problems import InventoryError, Problem

__all__ = ["InventoryError", "Problem", "Source", "find_files", "load_inventory", "read_file", "read_inventory"]

YAML_SUFFIXES = {".yaml", ".yml"}
REGISTER_SUFFIXES = {".csv", ".xlsx", ".xls"}  # .xls: found to be refused with a hint
SUFFIXES = YAML_SUFFIXES | REGISTER_SUFFIXES


def read_file(path: Path, display: str) -> RegisterRead:
    """One inventory file's records and problems (and, for a register, what it was: format, encoding, sheets)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path, display)
    if suffix == ".xlsx":
        return read_xlsx(path, display)
    if suffix == ".xls":
        return read_xls(path, display)
    return RegisterRead(*read_yaml(path, display), None)


def _is_secrets_file(rel: Path) -> bool:
    name = rel.name.lower()
    stem = name.rsplit(".", 1)[0]
    return stem == "secrets" or stem.endswith(".secrets") or "secrets" in (p.lower() for p in rel.parts[:-1])


def find_files(path: Path) -> list[Path]:
    """The inventory files under ``path`` in a stable order (hidden files and secrets files left out)."""
    if path.is_file():
        return [path]
    found = []
    for f in path.rglob("*"):
        rel = f.relative_to(path)
        if f.suffix.lower() not in SUFFIXES or any(p.startswith(".") for p in rel.parts) or not f.is_file():
            continue
        if not _is_secrets_file(rel):
            found.append(f)
    return sorted(found)


def _secret_files(records: list[Record], base_dir: Path) -> set[Path]:
    """Files that profiles name as secrets files (resolved like ``SecretRef.resolve`` does)."""
    out = set()
    for rec in records:
        for name in SECRET_FIELDS.get(rec.section, ()):
            ref = rec.data.get(name)
            if isinstance(ref, dict) and isinstance(ref.get("file"), str):
                p = Path(ref["file"])
                out.add((p if p.is_absolute() else base_dir / p).resolve())
    return out


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Loading builds millions of small objects and no cycles; the cycle collector would
    re-scan them over and over (50,000 devices: ~8 s of CPU instead of ~2 s)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_inventory(path: Path, *, resolve_secrets: bool = False) -> tuple[Inventory, list[Problem]]:
    """The inventory at ``path`` (only its valid objects) and every problem found, sorted by file and line.

    With ``resolve_secrets`` every secret reference must also resolve now (variable set, file and key
    present); a problem names the reference, never a value.
    """
    inventory, problems, _ = read_inventory_with_sources(path, resolve_secrets=resolve_secrets)
    return inventory, problems


def read_inventory_with_sources(
    path: Path, *, resolve_secrets: bool = False
) -> tuple[Inventory, list[Problem], list[Source]]:
    """As :func:`read_inventory`, with what each register was (CSV and its encoding, workbook sheets)."""
    if not path.exists():
        raise FileNotFoundError(f"inventory path {path} does not exist")
    with _gc_paused():
        return _read(path, resolve_secrets)


def _read(path: Path, resolve_secrets: bool) -> tuple[Inventory, list[Problem], list[Source]]:
    base_dir = path if path.is_dir() else path.parent
    per_file: list[tuple[Path, list[Record], list[Problem]]] = []
    sources: list[Source] = []
    for f in find_files(path):
        display = str(f if path.is_file() else path / f.relative_to(path))
        recs, probs, source = read_file(f, display)
        per_file.append((f.resolve(), recs, probs))
        if source is not None:
            sources.append(source)

    secrets = _secret_files([r for _, recs, _ in per_file for r in recs], base_dir)
    records: list[Record] = []
    problems: list[Problem] = []
    for f, recs, probs in per_file:
        if f not in secrets or path.is_file():
            records += recs
            problems += probs

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
    problems += crosscheck.references(records, valid, broken)
    problems += crosscheck.regions(valid)
    if resolve_secrets:
        problems += crosscheck.secrets(valid, base_dir)

    def table(section: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for rec, obj in valid.get(section, []):
            out.setdefault(rec.ident or "", obj)  # a repeat is already a problem; the first one stands
        return out

    # Already validated object by object: no need to check them again.
    inventory = Inventory.model_construct(
        regions=table("regions"),
        facilities=table("facilities"),
        devices=table("devices"),
        snmp_profiles=table("snmp_profiles"),
        ssh_profiles=table("ssh_profiles"),
        base_dir=base_dir.resolve(),
    )
    problems.sort(key=lambda p: (p.file, p.line, p.field))
    return inventory, problems, sources


def load_inventory(path: Path | str) -> Inventory:
    """The checked inventory at ``path``; raises ``InventoryError`` with every problem, ``FileNotFoundError``."""
    inventory, problems = read_inventory(Path(path))
    if problems:
        raise InventoryError(problems)
    return inventory
