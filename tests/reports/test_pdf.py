"""The PDF report rendered to images (pdftoppm) and read back (pdftotext): Chinese text, real embedded font."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from devstack.procs import require
from inventory.models import Inventory
from pdcs.storage import InfluxDB
from reports import render
from reports.gather import build_report

from .conftest import PERIOD

HEADINGS_ZH = [
    "公共数字文化远程监管报告",
    "一、开放时段服务可用率",
    "二、出口带宽",
    "三、安全合规检查",
    "四、等级保护定级与测评",
    "五、年度考核",
]


def test_pdf_in_chinese_with_an_embedded_cjk_font(scenario: InfluxDB, inventory: Inventory, tmp_path: Path) -> None:
    rep = build_report(scenario, inventory, "510121", PERIOD, "zh")
    rep.generated_at, rep.generated_by = "2026-11-25T02:00:00+00:00", "王检查员"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render(rep, "pdf").body)

    subprocess.run([require("pdftoppm"), "-r", "60", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert pages and all(p.stat().st_size > 10_000 for p in pages)  # drawn pages, not blank ones

    text = subprocess.run(
        [require("pdftotext"), "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for heading in HEADINGS_ZH:
        assert heading in text, heading
    for words in ("金堂县", "金堂县文化馆", "计算方法", "数据覆盖率", "王检查员", rep.content_sha256):
        assert words in text, words
    assert re.search(r"第\s*1\s*页", text)  # the page footer
    assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 300
    assert "\u25a1" not in text and "\ufffd" not in text and "\u0000" not in text  # no missing-glyph boxes

    fonts = subprocess.run([require("pdffonts"), str(pdf)], check=True, capture_output=True, text=True).stdout
    noto = [line for line in fonts.splitlines() if "NotoSans" in line]
    assert noto and all(" yes " in line for line in noto)  # embedded
    assert "STSong" not in fonts  # not the CID fallback
    info = subprocess.run([require("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True).stdout
    assert f"content_sha256={rep.content_sha256}" in info


def test_pdf_in_english(scenario: InfluxDB, inventory: Inventory, tmp_path: Path) -> None:
    rep = build_report(scenario, inventory, "510121", PERIOD, "en")
    pdf = tmp_path / "en.pdf"
    pdf.write_bytes(render(rep, "pdf").body)
    text = subprocess.run([require("pdftotext"), str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "1. Availability in opening hours" in text and "Uplink bandwidth" in text
    assert "金堂县" in text  # names stay as registered
