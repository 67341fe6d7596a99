"""Read facilities and devices registers from an Excel workbook (``.xlsx``, as Excel and WPS save it).

Which worksheets: those whose name says what they hold — containing 场馆 / 设施 /
facilit (facilities) or 设备 / device (devices), e.g. ``场馆登记``, ``2026年设备台账``
— and, when no sheet is named so, the first one.  Each sheet is one register, read
by ``csv_source.records_from_rows`` like a CSV: the header row found by its column
names below any (merged) title rows, problems at the sheet's own row number and
column letter, the file shown as ``台账.xlsx[设备]``.

Cells are read as the user sees their value: numbers without a trailing ``.0``
(``510121``), dates as ``2026-03-01``, times as ``08:30``, TRUE/FALSE as true/false.
Formulas give their cached value (openpyxl ``data_only``).  A workbook is a zip:
its unpacked size is bounded (``PDCS_XLSX_MAX_UNPACKED_BYTES``, default 64 MiB)
before openpyxl opens it, so a zip bomb is refused and not inflated.
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from inventory.loaders.csv_source import RegisterRead, Row, Source, records_from_rows
from inventory.loaders.records import Record
from inventory.loaders.yaml_source import read_bytes
from inventory.problems import Problem

MAX_UNPACKED = 64 * 1024 * 1024
SHEET_WORDS = ("场馆", "设施", "facilit", "设备", "device")


def max_unpacked() -> int:
    try:
        return int(os.environ.get("PDCS_XLSX_MAX_UNPACKED_BYTES", MAX_UNPACKED))
    except ValueError:
        return MAX_UNPACKED


def register_sheets(names: list[str]) -> list[str]:
    """The worksheets to read: those named for facilities or devices, else the first."""
    named = [n for n in names if any(w in n.lower() for w in SHEET_WORDS)]
    return named or names[:1]


def cell_text(value: Any) -> str:
    """A cell's value as the text the user sees in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)


def sheet_rows(sheet: Any) -> Iterator[Row]:
    """(row number, cells as text) of a worksheet's non-empty rows (registers, and other tabular imports)."""
    # Some writers (older WPS, scripts) store a wrong <dimension>; read every row that is there instead.
    sheet.reset_dimensions()
    for row in sheet.iter_rows():
        cells = [c for c in row if c.__class__.__name__ != "EmptyCell"]
        if not cells:
            continue
        number = cells[0].row
        width = max(c.column for c in cells)
        texts = [""] * width
        for c in cells:
            texts[c.column - 1] = cell_text(c.value)
        yield number, texts


def read_xls(path: Path, display: str) -> RegisterRead:
    """An Excel 97-2003 workbook is not read; say so rather than pass it over in silence."""
    return RegisterRead([], [Problem.of(display, 1, "xlsx", "inventory.xls")], None)


def read_xlsx(path: Path, display: str) -> RegisterRead:
    data, problems = read_bytes(path, display)
    if data is None:
        return RegisterRead([], problems, None)
    limit = max_unpacked()
    try:
        with zipfile.ZipFile(path) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError):
        return RegisterRead([], [Problem.of(display, 1, "xlsx", "inventory.not_xlsx")], None)
    if unpacked > limit:
        variable = "PDCS_XLSX_MAX_UNPACKED_BYTES"
        too_large = Problem.of(display, 1, "xlsx", "inventory.xlsx_too_large", limit=limit, variable=variable)
        return RegisterRead([], [too_large], None)

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        return RegisterRead([], [Problem.of(display, 1, "xlsx", "inventory.xlsx_unreadable", error=str(exc))], None)
    records: list[Record] = []
    sheets = register_sheets(book.sheetnames)
    try:
        for name in sheets:
            sheet_display = f"{display}[{name}]"
            recs, probs = records_from_rows(sheet_rows(book[name]), sheet_display)
            # indexes run on across sheets, so objects without an id stay apart
            records += [
                Record(r.section, r.data, r.file, r.line, len(records) + i, r.locator) for i, r in enumerate(recs)
            ]
            problems += probs
    finally:
        book.close()
    return RegisterRead(records, problems, Source(display, "XLSX", sheets=tuple(sheets), rows=len(records)))
