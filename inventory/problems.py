"""What the loader reports: one :class:`Problem` per mistake, all of them at once."""

from __future__ import annotations

from typing import NamedTuple

from inventory.messages import localise


class Problem(NamedTuple):
    """One mistake in an inventory file; prints as ``file:line: field: message``.

    In a register (CSV or worksheet) ``line`` is the row number Excel/WPS shows and
    ``column`` the column letter, printed ``file:row:column: field: message``
    (``台账.xlsx[设备]:7:C: devices[jt-sw1].kind: …``).

    ``field`` names the object and the field (``devices[jt-lib-sw1].snmp_profile``),
    or ``header``/``yaml``/``csv``/the section name for file-level mistakes.
    Messages never quote a secret's value.
    """

    file: str
    line: int
    field: str
    message: str
    column: str = ""  # spreadsheet column letter in a register; "" in YAML

    @property
    def where(self) -> str:
        """``file:line`` or, in a register, ``file:row:column``."""
        return f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}"

    def text(self, lang: str = "zh") -> str:
        """As ``__str__``, the message in ``lang`` (``zh``: Simplified Chinese; ``en``)."""
        return f"{self.where}: {self.field}: {localise(self.message, lang)}"


class InventoryError(Exception):
    """The inventory has problems; ``problems`` lists every one, sorted by file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line))
        super().__init__(self.text("en"))

    def text(self, lang: str = "zh") -> str:
        """The first 20 problems, in ``lang`` (``zh`` or ``en``), under a count of them all."""
        n, more = len(self.problems), len(self.problems) - 20
        shown = "\n".join(p.text(lang) for p in self.problems[:20])
        if lang == "zh":
            return f"清单有 {n} 处问题：\n{shown}" + (f"\n……另有 {more} 处" if more > 0 else "")
        return f"inventory has {n} problem(s):\n{shown}" + (f"\n… and {more} more" if more > 0 else "")
