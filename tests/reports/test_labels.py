"""A Chinese report says everything in Chinese: no code (``no_data``, ``ios-ssh-v2``, ``high``), no regex, no
English sheet or file name; its PDF carries the generation time in Beijing time and who asked for it."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from devstack.procs import require
from inventory.models import Inventory
from pdcs.i18n import text
from pdcs.storage import InfluxDB
from reports import render
from reports.gather import build_report

from .conftest import PERIOD

# snake_case or kebab-case words: how codes look (check ids, causes, severities, table keys)
IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]*(?:[_-][a-z0-9]+)+\b|^(?:down|mixed|high|low|medium|critical|fail|pass)$")
CJK = re.compile(r"[\u4e00-\u9fff]")
QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")  # configuration lines quoted as evidence are the device's own words
# Columns that show ids on purpose (GB/T 2260 codes, device ids), and the assessment's formula, which names the
# inventory attribute it reads as the inventory file spells it (wireless_coverage), so an editor can find it.
ID_COLUMNS = {text(k, "zh") for k in ("col.code", "col.device", "col.devices", "col.formula")}


def test_no_ascii_identifier_where_a_chinese_label_belongs(scenario: InfluxDB, inventory: Inventory) -> None:
    rep = build_report(scenario, inventory, "510121", PERIOD, "zh")
    rep.generated_at, rep.generated_by = "2026-11-25T02:00:00+00:00", "王检查员"
    offending = []
    for sec in rep.sections:
        for t in sec.tables:
            for row in t.rows:
                for column, value in zip(t.columns, row, strict=True):
                    if column in ID_COLUMNS or not isinstance(value, str):
                        continue
                    bare = QUOTED.sub("", value)
                    if IDENTIFIER.search(bare) or "/^" in value or "no line matches" in value:
                        offending.append(f"{t.title} / {column}: {value}")
    assert not offending, "\n".join(offending)
    causes = {
        r[t.columns.index("原因")]
        for s in rep.sections
        for t in s.tables
        if t.key in ("outages", "no_data")
        for r in t.rows
    }
    assert causes == {"停服", "无数据"}  # jt-wh down on Monday morning; jt-zhaozhen never heard from

    wb = load_workbook(io.BytesIO(render(rep, "xlsx").body))
    assert all(CJK.search(name) for name in wb.sheetnames), wb.sheetnames
    outages = wb[next(n for n in wb.sheetnames if n.startswith("停服"))]
    assert outages.freeze_panes == "A3"
    assert outages["A3"].is_date and outages["A3"].number_format == "yyyy-mm-dd hh:mm"

    with zipfile.ZipFile(io.BytesIO(render(rep, "csv").body)) as z:
        assert all(CJK.search(n) for n in z.namelist()), z.namelist()


def test_pdf_metadata_date_and_stamp_in_beijing_time(scenario: InfluxDB, inventory: Inventory, tmp_path: Path) -> None:
    rep = build_report(scenario, inventory, "510121", PERIOD, "zh")
    rep.generated_at, rep.generated_by = "2026-11-25T02:00:00+00:00", "wang"
    render(rep, "pdf")  # an earlier PDF of the same process, whose font subset lacks 王: must not be reused
    rep.generated_by = "王检查员"
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(render(rep, "pdf").body)
    info = subprocess.run(
        [require("pdfinfo"), "-isodates", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    created = re.search(r"^CreationDate:\s+(\S+)", info, re.M)
    assert created and created.group(1).startswith("2026-11-25T10:00:00+08"), info
    assert re.search(r"^Author:\s+王检查员", info, re.M), info
    body = subprocess.run([require("pdftotext"), str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", "", body)  # table cells wrap where pdftotext likes
    assert "2026-11-2510:00（北京时间）" in flat and "王检查员" in flat
    assert "T00:00:00" not in body  # times read as 2026-11-02 00:00, not ISO
