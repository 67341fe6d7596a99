"""Shared bits of the inventory tests: where the broken inventories are, and where a text sits in them."""

from __future__ import annotations

from pathlib import Path

from inventory.load import read_inventory
from inventory.problems import Problem

DATA = Path(__file__).resolve().parent / "data"


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    """The 1-based line of the ``nth`` line of ``path`` containing ``needle``."""
    hits = [i for i, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1) if needle in line]
    return hits[nth - 1]


def problems(path: Path) -> list[Problem]:
    return read_inventory(path)[1]


def where(path: Path) -> list[tuple[str, int, str]]:
    """(file, line, field) of every problem in ``path``."""
    return [(p.file, p.line, p.field) for p in problems(path)]
