"""The report's content: sections of headline figures, tables and charts, each with its method.

Plain dataclasses that turn into JSON; numbers are rounded when they are put
in (``num``), so the same inputs give byte-identical content.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

Value = int | float | str | None


def num(x: float | None, digits: int = 4) -> float | None:
    """A float fit for the content: rounded, and -0.0 made 0.0 (so hashes do not depend on it)."""
    if x is None:
        return None
    r = round(float(x), digits)
    return 0.0 if r == 0 else r


def pct(ratio: float | None) -> float | None:
    return num(ratio * 100, 2) if ratio is not None else None


def mbps(bps: float | None) -> float | None:
    return num(bps / 1e6, 3) if bps is not None else None


def floats(values: Iterable[Value]) -> list[float | None]:
    """Chart values: the numbers, None for text (无数据)."""
    return [float(v) if isinstance(v, int | float) else None for v in values]


@dataclass
class Headline:
    label: str
    value: Value
    unit: str = ""


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Value]]
    key: str = ""  # a short name for CSV/XLSX (e.g. "availability_children")


@dataclass
class Chart:
    title: str
    labels: list[str]
    values: list[float | None]
    unit: str = "%"
    max_value: float | None = 100.0


@dataclass
class Section:
    key: str  # availability | bandwidth | security | grading | assessment
    title: str
    method: str
    available: bool = True  # False: no data or no computation for this section (said in ``notes``)
    headline: list[Headline] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    title: str
    language: str
    region: dict[str, str]  # code, name, level
    period: dict[str, Any]  # start, end (ISO 8601), days, timezone
    coverage: dict[str, Any]  # devices, devices_with_data, share, method
    sections: list[Section]
    # not part of the hashed content:
    generated_at: str = ""
    generated_by: str = ""
    content_sha256: str = ""

    def content(self) -> dict[str, Any]:
        """What the hash covers: everything but the generation stamp and the hash itself."""
        d = asdict(self)
        for k in STAMP_FIELDS:
            d.pop(k)
        return d

    def as_dict(self) -> dict[str, Any]:
        d = self.content()
        d["generated_at"] = self.generated_at
        d["generated_by"] = self.generated_by
        d["content_sha256"] = self.content_sha256
        d["hash_method"] = HASH_METHOD
        return d


STAMP_FIELDS = ("generated_at", "generated_by", "content_sha256")
HASH_METHOD = (
    "SHA-256 of the report content as canonical JSON (UTF-8, keys sorted, no spaces), "
    "excluding generated_at, generated_by, content_sha256 and hash_method"
)
