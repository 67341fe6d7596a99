"""Residents' satisfaction (群众满意度) from third-party surveys: import, store, read per year.

The plan asks the annual assessment to bring in residents' satisfaction
through third-party evaluation (群众满意度第三方评价).  Survey firms deliver a
table per survey round, CSV or Excel; pdcs reads one row per facility and
period:

| column (any of) | meaning |
| --- | --- |
| ``facility`` / ``设施`` / ``设施编号`` | the inventory facility id |
| ``period`` / ``调查期间`` / ``期间`` | ``2026``, ``2026-H1``, ``2026-Q3``, ``2026-05`` |
| ``respondents`` / ``受访人数`` / ``样本量`` | number of people asked (integer > 0) |
| ``score`` / ``得分`` / ``满意度`` | the facility's score on the survey's scale |
| ``scale_max`` / ``满分`` (or ``--scale``) | the top of the scale (e.g. 100, 5); scores are 0 … scale_max |

Every problem is reported as ``file:line: column: message`` (the line or
Excel row the user sees) and nothing is stored unless the whole file is
right.  Rows are stored in InfluxDB (``satisfaction``, retention policy
``rollup``; time = the period's start, Beijing; tags as ``facility_daily`` plus
``period``): ``respondents``, ``score``, ``scale_max``, ``share`` (score ÷
scale_max).  Importing the same facility and period again replaces it.  The
assessment scores the respondent-weighted mean share of the year's rounds.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from inventory.loaders import text_encoding
from inventory.loaders.xlsx_source import max_unpacked, sheet_rows
from inventory.models import Inventory
from pdcs.points import Point, to_lines
from pdcs.settings import ROLLUP_RP
from pdcs.storage import InfluxDB
from supervision.periods import year_period
from supervision.rollup import facility_row_tags
from supervision.timeline import tag_where

SATISFACTION = "satisfaction"
CN = ZoneInfo("Asia/Shanghai")
COLUMNS: dict[str, tuple[str, ...]] = {
    "facility": ("facility", "设施", "设施编号", "场馆", "场馆编号"),
    "period": ("period", "调查期间", "期间", "调查周期"),
    "respondents": ("respondents", "受访人数", "样本量", "有效样本"),
    "score": ("score", "得分", "满意度", "满意度得分"),
    "scale_max": ("scale_max", "满分", "量表满分"),
}
_PERIOD = re.compile(r"^(\d{4})(?:-(H[12]|Q[1-4]|\d{2}))?$")


class SurveyError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class SurveyRow:
    facility: str
    period: str
    start: date
    respondents: int
    score: float
    scale_max: float

    @property
    def share(self) -> float:
        return self.score / self.scale_max


def period_start(text: str) -> date:
    m = _PERIOD.match(text.strip().upper())
    if not m:
        raise ValueError("write the period as 2026, 2026-H1, 2026-Q3 or 2026-05")
    year, part = int(m.group(1)), m.group(2)
    if part is None:
        return date(year, 1, 1)
    if part.startswith("H"):
        return date(year, 1 if part == "H1" else 7, 1)
    if part.startswith("Q"):
        return date(year, 3 * (int(part[1]) - 1) + 1, 1)
    month = int(part)
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} does not exist")
    return date(year, month, 1)


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line or Excel row, cells) of a CSV (UTF-8, GB18030, UTF-16) or the first worksheet of an .xlsx."""
    if path.suffix.lower() == ".xlsx":
        with zipfile.ZipFile(path) as z:
            if sum(i.file_size for i in z.infolist()) > max_unpacked():
                raise SurveyError([f"{path}:1: xlsx: unpacks to more than {max_unpacked()} bytes"])
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            yield from sheet_rows(book[book.sheetnames[0]])
        finally:
            book.close()
        return
    text, _ = text_encoding.decode(path.read_bytes())
    for n, cells in enumerate(csv.reader(io.StringIO(text)), 1):
        if any(c.strip() for c in cells):
            yield n, cells


def read_survey(path: Path, inventory: Inventory, scale_max: float | None = None) -> list[SurveyRow]:
    """The rows of a survey file; :class:`SurveyError` listing every problem as ``file:line: column: message``."""
    try:
        rows = list(_rows(path))
    except (OSError, zipfile.BadZipFile, text_encoding.UndecodableError) as exc:
        raise SurveyError([f"{path}:1: file: cannot be read: {exc}"]) from None
    if not rows:
        raise SurveyError([f"{path}:1: header: the file is empty"])
    head_line, header = rows[0]
    names = [h.strip().lstrip("\ufeff").lower() for h in header]
    index: dict[str, int] = {}
    for key, aliases in COLUMNS.items():
        for i, name in enumerate(names):
            if name in aliases:
                index[key] = i
                break
    problems = [
        f"{path}:{head_line}: header: no column {key} ({' / '.join(COLUMNS[key])})"
        for key in ("facility", "period", "respondents", "score")
        if key not in index
    ]
    if "scale_max" not in index and scale_max is None:
        problems.append(f"{path}:{head_line}: header: state the scale: a 满分/scale_max column or --scale")
    if problems:
        raise SurveyError(problems)
    out: list[SurveyRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, cells in rows[1:]:

        def cell(key: str, cells: list[str] = cells) -> str:
            i = index.get(key)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        def bad(key: str, message: str, line: int = line) -> None:
            problems.append(f"{path}:{line}: {key}: {message}")

        fid = cell("facility")
        if fid not in inventory.facilities:
            bad("facility", f"unknown facility {fid!r}" if fid else "empty")
        try:
            start = period_start(cell("period"))
        except ValueError as exc:
            bad("period", f"{cell('period')!r}: {exc}")
            start = None
        try:
            n = int(cell("respondents"))
            if n <= 0:
                raise ValueError
        except ValueError:
            bad("respondents", f"{cell('respondents')!r} is not a whole number > 0")
            n = 0
        top = scale_max
        if "scale_max" in index:
            try:
                top = float(cell("scale_max"))
                if top <= 0:
                    raise ValueError
            except ValueError:
                bad("scale_max", f"{cell('scale_max')!r} is not a number > 0")
                top = None
        try:
            score = float(cell("score"))
            if top is not None and not 0 <= score <= top:
                bad("score", f"{score:g} is outside the scale 0–{top:g}")
        except ValueError:
            bad("score", f"{cell('score')!r} is not a number")
            score = -1.0
        once = (fid, cell("period").upper())
        if once in seen:
            bad("period", f"{fid} {cell('period')} already given on line {seen[once]}")
        seen[once] = line
        if start is not None and n > 0 and top is not None and 0 <= score <= top and fid in inventory.facilities:
            out.append(SurveyRow(fid, cell("period").upper(), start, n, score, top))
    if problems:
        raise SurveyError(problems)
    return out


def store(influx: InfluxDB, inventory: Inventory, rows: Iterable[SurveyRow]) -> int:
    points = []
    for r in rows:
        tags = {**facility_row_tags(inventory.facilities[r.facility]), "period": r.period}
        t_ns = int(datetime.combine(r.start, datetime.min.time(), tzinfo=CN).timestamp()) * 1_000_000_000
        fields: dict[str, float | int] = {
            "respondents": r.respondents,
            "score": r.score,
            "scale_max": r.scale_max,
            "share": r.share,
        }
        points.append(Point(SATISFACTION, tags, fields, t_ns))
    return influx.write_lines(to_lines(points), retention_policy=ROLLUP_RP)


@dataclass
class Satisfaction:
    respondents: int = 0
    weighted_share: float = 0.0  # Σ share × respondents
    rounds: int = 0

    @property
    def share(self) -> float | None:
        return self.weighted_share / self.respondents if self.respondents else None


def read_satisfaction(influx: InfluxDB, tags: dict[str, str], year: int) -> dict[str, Satisfaction]:
    """Per facility, the survey rounds whose period starts in ``year``."""
    where, params = tag_where(tags)
    p = year_period(year)
    cond = f"time >= {p.start_ns // 1_000_000}ms AND time < {p.end_ns // 1_000_000}ms" + (
        f" AND {where}" if where else ""
    )
    out: dict[str, Satisfaction] = {}
    q = f'SELECT "respondents", "share", "facility" FROM "{ROLLUP_RP}"."{SATISFACTION}" WHERE {cond}'
    for s in influx.query(q, params=params):
        for row in s.rows():
            r = out.setdefault(row["facility"], Satisfaction())
            r.respondents += int(row["respondents"])
            r.weighted_share += float(row["share"]) * int(row["respondents"])
            r.rounds += 1
    return out
