"""The common shape both readers produce: one raw object from a file, and where its fields are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

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


class RowLocator:
    """A CSV row: every field sits on the row's line."""

    __slots__ = ("line",)

    def __init__(self, line: int) -> None:
        self.line = line

    def line_of(self, path: Path_) -> int:
        return self.line


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
