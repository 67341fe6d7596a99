"""Spreadsheet cells that cannot run: text starting like a formula is written as text.

OWASP's CSV-injection guidance (https://owasp.org/www-community/attacks/CSV_Injection):
a cell beginning with ``=``, ``+``, ``-``, ``@``, tab (0x09) or carriage return (0x0D) is
read by Excel, WPS and LibreOffice as a formula — a facility named
``=HYPERLINK("http://…"&B2,"详情")`` imported by county staff would run in an inspector's
spreadsheet. In CSV such text gets a leading single quote (the spreadsheet then shows it as
text); in XLSX it is stored as a string cell, never a formula, so the text stays exact.
Numbers are numbers: ``-3.5`` is not text and is left alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl.workbook.workbook import Workbook

from reports.content import Value

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def csv_cell(value: Value) -> str:
    """The CSV text of a value; text that could be read as a formula gets OWASP's leading quote."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if formula_like(value) else value
    return str(value)


def csv_row(values: Iterable[Value]) -> list[str]:
    return [csv_cell(v) for v in values]


def xlsx_text_only(wb: Workbook) -> None:
    """Make every cell that openpyxl took for a formula (or that starts like one) a plain string cell."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and (c.data_type == "f" or formula_like(c.value)):
                    c.data_type = "s"
