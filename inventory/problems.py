"""What the loader reports: one :class:`Problem` per mistake, all of them at once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from inventory.texts import CodedError, render
from pdcs.i18n import Lang, text

Params = tuple[tuple[str, object], ...]  # sorted (name, value) pairs: a problem stays hashable


def _params(values: Mapping[str, object]) -> Params:
    return tuple(sorted(values.items()))


class Problem(NamedTuple):
    """One mistake in an inventory file; prints as ``file:line: field: message``.

    In a register (CSV or worksheet) ``line`` is the row number Excel/WPS shows and
    ``column`` the column letter, printed ``file:row:column: field: message``
    (``台账.xlsx[设备]:7:C: devices[jt-sw1].kind: …``).

    ``field`` names the object and the field (``devices[jt-lib-sw1].snmp_profile``),
    or ``header``/``yaml``/``csv``/the section name for file-level mistakes.
    ``message`` is the English text; ``code`` and ``params`` key it in the catalogue
    (``inventory/texts.py``) for the other language. Messages never quote a secret's value.
    """

    file: str
    line: int
    field: str
    message: str
    column: str = ""  # spreadsheet column letter in a register; "" in YAML
    code: str = ""  # catalogue key: inventory.*, pydantic.<error type>, yaml.*
    params: Params = ()

    @classmethod
    def of(cls, file: str, line: int, field: str, code: str, letter: str = "", /, **params: object) -> Problem:
        """A problem keyed by ``code`` (``letter``: the register column); its English message from the catalogue."""
        return cls(file, line, field, render(code, params, "en") or code, letter, code, _params(params))

    @classmethod
    def from_error(cls, file: str, line: int, field: str, exc: Exception, column: str = "") -> Problem:
        """A problem from an error a check raised (keyed when it is a ``CodedError``)."""
        if isinstance(exc, CodedError):
            return cls(file, line, field, str(exc), column, exc.code, _params(exc.params))
        return cls(file, line, field, str(exc), column)

    @property
    def where(self) -> str:
        """``file:line`` or, in a register, ``file:row:column``."""
        return f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}"

    def text(self, lang: str = "zh") -> str:
        """As ``__str__``, the message in ``lang`` (``zh``: Simplified Chinese; ``en``: the message itself).

        A problem without a catalogue entry shows its English message, never nothing."""
        shown = render(self.code, dict(self.params), "zh") if lang == "zh" and self.code else None
        return f"{self.where}: {self.field}: {shown or self.message}"


class InventoryError(Exception):
    """The inventory has problems; ``problems`` lists every one, sorted by file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line))
        super().__init__(self.text("en"))

    def text(self, lang: str = "zh") -> str:
        """The first 20 problems, in ``lang`` (``zh`` or ``en``), under a count of them all."""
        lg: Lang = "zh" if lang == "zh" else "en"
        n, more = len(self.problems), len(self.problems) - 20
        lines = [text("inventory.problems", lg, n=n), *(p.text(lg) for p in self.problems[:20])]
        return "\n".join(lines + ([text("inventory.problems.more", lg, more=more)] if more > 0 else []))
