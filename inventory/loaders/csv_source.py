"""Read a facilities or devices register: a CSV file here, the rows of a worksheet for ``xlsx_source``.

The register's type is recognised from its header: a ``facility`` column makes
it a devices register, a ``county`` column a facilities register.  Headers may
be the English field names or the Chinese ones county staff use (编号, 名称,
类型, 区县代码, 周一 …).  The header is the first row (of the first
``HEADER_SCAN`` non-empty ones) with at least two known column names, so title
rows above it (a merged "金堂县公共数字文化设施登记表", "填报单位：…") are skipped.

CSV comes in UTF-8 (with or without BOM), GB18030/GBK or UTF-16 (``text_encoding``),
and the encoding found is stated in the summary.  Row numbers are file lines (a
quoted cell spanning lines is reported at the line where its row starts) — the
row number Excel shows for a register without such cells; columns are the
letters Excel shows (A, B, … AA).
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from openpyxl.utils import get_column_letter

from inventory.loaders import text_encoding
from inventory.loaders.records import Record, RowLocator
from inventory.loaders.yaml_source import read_bytes
from inventory.models import WEEKDAYS
from inventory.problems import Problem

FACILITY_COLUMNS = (
    "id",
    "name",
    "kind",
    "county",
    "timezone",
    "holiday_calendar",
    "uplink_mbps",
    "address",
    "lat",
    "lon",
    "commissioned",
    *WEEKDAYS,
    "mlps.harm_object",
    "mlps.harm_degree",
    "mlps.system",
)
DEVICE_COLUMNS = (
    "id",
    "name",
    "kind",
    "facility",
    "address",
    "snmp_profile",
    "ssh_profile",
    "agent_url",
    "vendor",
    "uplink_interface",
    "enabled",
    "commissioned",
    "decommissioned",
)
REQUIRED = {"facilities": ("id", "name", "kind", "county"), "devices": ("id", "kind", "facility")}
ATTRIBUTE_PREFIX = "attr."  # facilities: ``attr.digital_library_service`` -> attributes

_WEEKDAYS_ZH = ("一", "二", "三", "四", "五", "六", "日")
HEADER_ALIASES: dict[str, str] = {
    "编号": "id",
    "名称": "name",
    "类型": "kind",
    "区县代码": "county",
    "区县": "county",
    "时区": "timezone",
    "节假日": "holiday_calendar",
    "执行法定节假日": "holiday_calendar",
    "上行带宽": "uplink_mbps",
    "上行带宽mbps": "uplink_mbps",
    "上行带宽(mbps)": "uplink_mbps",
    "地址": "address",
    "纬度": "lat",
    "经度": "lon",
    "投运日期": "commissioned",
    "停用日期": "decommissioned",
    "管理地址": "address",
    "场馆": "facility",
    "场馆编号": "facility",
    "snmp凭据": "snmp_profile",
    "ssh凭据": "ssh_profile",
    "代理地址": "agent_url",
    "厂商": "vendor",
    "上行接口": "uplink_interface",
    "启用": "enabled",
    "定级受侵害客体": "mlps.harm_object",
    "定级侵害程度": "mlps.harm_degree",
    "定级对象": "mlps.system",
    **{f"周{d}": w for d, w in zip(_WEEKDAYS_ZH, WEEKDAYS, strict=True)},
    **{f"星期{d}": w for d, w in zip(_WEEKDAYS_ZH, WEEKDAYS, strict=True)},
}
MAX_ROWS = 200_000  # rows of one register (PDCS_CSV_MAX_ROWS); the file size is bounded by read_bytes
HEADER_SCAN = 30  # non-empty rows searched for the header (title rows sit above it)


def max_rows() -> int:
    try:
        return int(os.environ.get("PDCS_CSV_MAX_ROWS", MAX_ROWS))
    except ValueError:
        return MAX_ROWS


_TRUE = {"true", "yes", "y", "1", "是", "对", "启用"}
_FALSE = {"false", "no", "n", "0", "否", "不", "停用"}
_CLOSED = {"closed", "休息", "闭馆", "不开放", "-"}
# Full-width punctuation that Chinese input methods produce in time ranges.
_SPAN_PUNCT = str.maketrans(
    {"，": ",", "；": ",", ";": ",", "：": ":", "～": "-", "~": "-", "—": "-", "–": "-", "至": "-"}
)


def _column(name: str) -> str:
    key = name.strip().lower().replace(" ", "")
    return HEADER_ALIASES.get(key, key)


def _boolean(text: str) -> object:
    low = text.lower()
    return True if low in _TRUE else False if low in _FALSE else text  # let the model reject anything else


def _attribute(text: str) -> object:
    """An ``attr.NAME`` cell: yes/no words as booleans, whole and decimal numbers as numbers, else the text."""
    value = _boolean(text)
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+\.\d+", value):
        return float(value)
    return value


def _hours(text: str) -> str:
    return "closed" if text.lower() in _CLOSED else text.translate(_SPAN_PUNCT).replace(" ", "")


@dataclass(frozen=True)
class Source:
    """What one register file was, for the summary: ``facilities.csv: CSV, GB18030/GBK, 3 rows``."""

    file: str
    format: str  # "CSV" | "XLSX"
    encoding: str = ""  # CSV only: text_encoding's label
    sheets: tuple[str, ...] = ()  # XLSX only: the worksheets read
    rows: int = 0  # data rows read (facilities and devices)


class RegisterRead(NamedTuple):
    records: list[Record]
    problems: list[Problem]
    source: Source | None  # None when the file could not be read at all


Row = tuple[int, list[str]]  # (the row number the user sees, its cells as text)


def _known_columns(cells: list[str]) -> int:
    known = set(FACILITY_COLUMNS) | set(DEVICE_COLUMNS)
    return sum(1 for c in cells if (col := _column(c)) in known or col.startswith(ATTRIBUTE_PREFIX))


def _find_header(rows: Iterator[Row]) -> tuple[Row | None, Iterator[Row]]:
    """The header row and the rows after it: the first non-empty row naming two known columns among the
    first ``HEADER_SCAN`` non-empty ones, else the first non-empty row (its problems then say what is wrong)."""
    seen: list[Row] = []
    for row in rows:
        if not any(cell.strip() for cell in row[1]):
            continue
        seen.append(row)
        if _known_columns(row[1]) >= 2:
            return row, rows
        if len(seen) >= HEADER_SCAN:
            break
    if not seen:
        return None, iter(())
    return seen[0], itertools.chain(seen[1:], rows)


def records_from_rows(rows: Iterable[Row], display: str) -> tuple[list[Record], list[Problem]]:
    """The records of one register table (a CSV file or a worksheet) and the problems in it."""
    problems: list[Problem] = []
    found, rest = _find_header(iter(rows))
    if found is None:
        return [], []  # an empty register
    header_line, raw_header = found
    while raw_header and not raw_header[-1].strip():
        raw_header = raw_header[:-1]  # trailing empty header cells (a worksheet's formatted columns)
    columns = [_column(c) for c in raw_header]
    letters = {col: get_column_letter(i + 1) for i, col in enumerate(columns)}

    def header_problem(code: str, col: str = "", **params: object) -> Problem:
        return Problem.of(display, header_line, "header", code, letters.get(col, ""), **params)

    section = "devices" if "facility" in columns else "facilities" if "county" in columns else None
    if section is None:
        return [], [header_problem("inventory.register_type")]
    allowed = FACILITY_COLUMNS if section == "facilities" else DEVICE_COLUMNS
    header_ok = True
    for i, (col, raw) in enumerate(zip(columns, raw_header, strict=True)):
        if col not in allowed and not (section == "facilities" and col.startswith(ATTRIBUTE_PREFIX)):
            problems.append(
                Problem.of(
                    display,
                    header_line,
                    "header",
                    f"inventory.unknown_column.{section}",
                    get_column_letter(i + 1),
                    column=raw.strip(),
                    allowed=", ".join(allowed),
                )
            )
    for col in dict.fromkeys(c for c in columns if columns.count(c) > 1):
        problems.append(header_problem("inventory.column_twice", col, column=col))
        header_ok = False
    for col in REQUIRED[section]:
        if col not in columns:
            problems.append(header_problem(f"inventory.missing_column.{section}", column=col))
            header_ok = False
    if not header_ok:
        return [], problems

    records: list[Record] = []
    index = 0
    limit = max_rows()
    for start, row in rest:
        if index >= limit:
            too_many = Problem.of(
                display, start, "csv", "inventory.too_many_rows", limit=limit, variable="PDCS_CSV_MAX_ROWS"
            )
            return [], [*problems, too_many]
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue  # blank lines and comment rows
        if len(row) > len(columns) and any(c.strip() for c in row[len(columns) :]):
            extra_at = next(i for i in range(len(columns), len(row)) if row[i].strip())
            problems.append(
                Problem.of(
                    display,
                    start,
                    f"{section}[{row[0].strip() or index}]",
                    "inventory.row_cells",
                    get_column_letter(extra_at + 1),
                    cells=len(row),
                    columns=len(columns),
                )
            )
        data: dict[str, object] = {}
        hours: dict[str, object] = {}
        attributes: dict[str, object] = {}
        mlps: dict[str, object] = {}
        for col, cell in zip(columns, row, strict=False):
            value = cell.strip()
            if col in WEEKDAYS:
                hours[col] = _hours(value) if value else "closed"
            elif not value or (col not in allowed and not col.startswith(ATTRIBUTE_PREFIX)):
                continue
            elif col.startswith(ATTRIBUTE_PREFIX):
                attributes[col.removeprefix(ATTRIBUTE_PREFIX)] = _attribute(value)
            elif col.startswith("mlps."):
                mlps[col.removeprefix("mlps.")] = value
            elif col in ("holiday_calendar", "enabled"):
                data[col] = _boolean(value)
            else:
                data[col] = value
        if hours:
            data["opening_hours"] = hours
        if attributes:
            data["attributes"] = attributes
        if mlps:
            data["mlps"] = mlps
        records.append(Record(section, data, display, start, index, RowLocator(start, letters)))
        index += 1
    return records, problems


def read_csv(path: Path, display: str) -> RegisterRead:
    data, problems = read_bytes(path, display)
    if data is None:
        return RegisterRead([], problems, None)
    try:
        text, encoding = text_encoding.decode(data)
    except text_encoding.UndecodableError as exc:
        return RegisterRead([], [Problem.of(display, exc.line, "encoding", "inventory.not_text")], None)
    errors: list[Problem] = []
    records, found = records_from_rows(_csv_rows(text, display, errors), display)
    rows = len(records)
    return RegisterRead(records, [*problems, *found, *errors], Source(display, "CSV", encoding=encoding, rows=rows))


def _csv_rows(text: str, display: str, errors: list[Problem]) -> Iterator[Row]:
    """The CSV's rows with the line each starts on; a CSV syntax error ends them and lands in ``errors``."""
    first_line = next((ln for ln in text.splitlines() if ln.strip()), "")
    # Excel's "Unicode text" (UTF-16) and some exports separate cells by tabs
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    last = 0
    try:
        for row in reader:
            start, last = last + 1, reader.line_num
            yield start, row
    except csv.Error as exc:
        errors.append(Problem.of(display, reader.line_num, "csv", "inventory.csv_unreadable", error=str(exc)))
