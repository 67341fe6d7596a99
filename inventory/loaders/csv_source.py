"""Read a facilities or devices register kept as a spreadsheet (CSV, UTF-8 with or without BOM).

The register's type is recognised from its header: a ``facility`` column makes
it a devices register, a ``county`` column a facilities register.  Headers may
be the English field names or the Chinese ones county staff use (编号, 名称,
类型, 区县代码, 周一 …).  Line numbers are file lines; a quoted cell spanning
lines is reported at the line where its row starts.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from inventory.loaders.records import Record, RowLocator
from inventory.loaders.yaml_source import read_text
from inventory.models import WEEKDAYS
from inventory.problems import Problem

FACILITY_COLUMNS = ("id", "name", "kind", "county", "timezone", "holiday_calendar", "uplink_mbps", "address", *WEEKDAYS)
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
    "管理地址": "address",
    "场馆": "facility",
    "场馆编号": "facility",
    "snmp凭据": "snmp_profile",
    "ssh凭据": "ssh_profile",
    "代理地址": "agent_url",
    "厂商": "vendor",
    "上行接口": "uplink_interface",
    "启用": "enabled",
    **{f"周{d}": w for d, w in zip(_WEEKDAYS_ZH, WEEKDAYS, strict=True)},
    **{f"星期{d}": w for d, w in zip(_WEEKDAYS_ZH, WEEKDAYS, strict=True)},
}
MAX_ROWS = 200_000  # rows of one register (PDCS_CSV_MAX_ROWS); the file size is bounded by read_text


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


def _hours(text: str) -> str:
    return "closed" if text.lower() in _CLOSED else text.translate(_SPAN_PUNCT).replace(" ", "")


def read_csv(path: Path, display: str) -> tuple[list[Record], list[Problem]]:
    text, problems = read_text(path, display)
    if text is None:
        return [], problems
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    header_line = 0
    last = 0
    try:
        for row in reader:
            start, last = last + 1, reader.line_num
            if any(cell.strip() for cell in row):
                header, header_line = row, start
                break
    except csv.Error as exc:
        return [], [Problem(display, reader.line_num, "csv", f"cannot be read as CSV: {exc}")]
    if header is None:
        return [], []  # an empty register

    columns = [_column(c) for c in header]
    section = "devices" if "facility" in columns else "facilities" if "county" in columns else None
    if section is None:
        return [], [
            Problem(
                display,
                header_line,
                "header",
                "cannot tell the register's type: a facilities register has a 'county' column, "
                "a devices register a 'facility' column",
            )
        ]
    allowed = FACILITY_COLUMNS if section == "facilities" else DEVICE_COLUMNS
    header_ok = True
    for col, raw in zip(columns, header, strict=True):
        if col not in allowed and not (section == "facilities" and col.startswith(ATTRIBUTE_PREFIX)):
            extra = f", or {ATTRIBUTE_PREFIX}NAME for attributes" if section == "facilities" else ""
            problems.append(
                Problem(
                    display,
                    header_line,
                    "header",
                    f"unknown column {raw.strip()!r} in a {section} register; allowed: {', '.join(allowed)}{extra}",
                )
            )
    for col in dict.fromkeys(c for c in columns if columns.count(c) > 1):
        problems.append(Problem(display, header_line, "header", f"column {col!r} appears more than once"))
        header_ok = False
    for col in REQUIRED[section]:
        if col not in columns:
            problems.append(Problem(display, header_line, "header", f"missing column {col!r} for a {section} register"))
            header_ok = False
    if not header_ok:
        return [], problems

    records: list[Record] = []
    index = 0
    limit = max_rows()
    try:
        for row in reader:
            start, last = last + 1, reader.line_num
            if index >= limit:
                return [], [
                    *problems,
                    Problem(display, start, "csv", f"more than {limit} rows (limit PDCS_CSV_MAX_ROWS)"),
                ]
            if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
                continue  # blank lines and comment rows
            if len(row) > len(columns) and any(c.strip() for c in row[len(columns) :]):
                problems.append(
                    Problem(
                        display,
                        start,
                        f"{section}[{row[0].strip() or index}]",
                        f"row has {len(row)} cells but the header has {len(columns)} columns",
                    )
                )
            data: dict[str, object] = {}
            hours: dict[str, object] = {}
            attributes: dict[str, object] = {}
            for col, cell in zip(columns, row, strict=False):
                value = cell.strip()
                if col in WEEKDAYS:
                    hours[col] = _hours(value) if value else "closed"
                elif not value or (col not in allowed and not col.startswith(ATTRIBUTE_PREFIX)):
                    continue
                elif col.startswith(ATTRIBUTE_PREFIX):
                    attributes[col.removeprefix(ATTRIBUTE_PREFIX)] = _boolean(value)
                elif col in ("holiday_calendar", "enabled"):
                    data[col] = _boolean(value)
                else:
                    data[col] = value
            if hours:
                data["opening_hours"] = hours
            if attributes:
                data["attributes"] = attributes
            records.append(Record(section, data, display, start, index, RowLocator(start)))
            index += 1
    except csv.Error as exc:
        problems.append(Problem(display, reader.line_num, "csv", f"cannot be read as CSV: {exc}"))
    return records, problems
