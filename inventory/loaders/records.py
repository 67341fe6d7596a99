"""The common shape both readers produce: one raw object from a file, and where its fields are."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from inventory.problems import Problem

# Section name -> the field that identifies an object of that section.
SECTIONS: dict[str, str] = {
    "regions": "code",
    "facilities": "id",
    "devices": "id",
    "snmp_profiles": "name",
    "ssh_profiles": "name",
}

Path_ = tuple[str | int, ...]


class Locator(Protocol):
    def line_of(self, path: Path_) -> int:
        """The line of the deepest part of ``path`` found in the object (the object's line if none)."""
        ...

    def column_of(self, path: Path_) -> str:
        """The spreadsheet column (``C``) holding ``path``'s field; "" where files have no columns (YAML)."""
        ...


class RowLocator:
    """A register row (CSV or worksheet): every field sits on the row's line, each in its column.

    ``columns`` maps a field (``kind``, ``mon`` for opening hours, ``attr.NAME`` for attributes)
    to the column letter Excel/WPS shows for it; it is shared by every row of one table.
    """

    __slots__ = ("columns", "line")

    def __init__(self, line: int, columns: Mapping[str, str] | None = None) -> None:
        self.line = line
        self.columns = columns or {}

    def line_of(self, path: Path_) -> int:
        return self.line

    def column_of(self, path: Path_) -> str:
        if not path:
            return ""
        head = str(path[0])
        if head == "opening_hours" and len(path) > 1:
            head = str(path[1])
        elif head == "attributes" and len(path) > 1:
            head = f"attr.{path[1]}"
        elif head == "mlps" and len(path) > 1:
            head = f"mlps.{path[1]}"
        return self.columns.get(head, "")


@dataclass(slots=True)
class Record:
    section: str
    data: dict[str, object]
    file: str
    line: int
    index: int  # position within its section in the file, for objects without a usable id
    locator: Locator

    @property
    def ident(self) -> str | None:
        value = self.data.get(SECTIONS[self.section])
        return str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else None

    def label(self, path: Path_ = ()) -> str:
        """``devices[jt-lib-sw1].snmp_profile`` — the ``field`` part of a problem."""
        head = f"{self.section}[{self.ident or self.index}]"
        return head + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)

    def problem(self, path: Path_, code: str, /, **params: object) -> Problem:
        """A problem ``code`` with ``path``'s field of this object, at its line (and column, in a register)."""
        line, label, column = self.locator.line_of(path), self.label(path), self.locator.column_of(path)
        return Problem.of(self.file, line, label, code, column, **params)

    def problem_from(self, path: Path_, exc: Exception) -> Problem:
        """As :meth:`problem`, from an error a check raised."""
        line, label, column = self.locator.line_of(path), self.label(path), self.locator.column_of(path)
        return Problem.from_error(self.file, line, label, exc, column)
