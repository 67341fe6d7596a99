"""Registers as counties keep them: .xlsx workbooks made by openpyxl (merged title rows, Chinese
headers, several sheets) and CSV saved as GBK, UTF-16 or UTF-8 — each with a mistake, reported at
the file, the row the user sees and the column letter; the encoding found stated in the summary."""

from __future__ import annotations

import codecs
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from inventory.cli import app
from inventory.load import read_inventory, read_inventory_with_sources
from inventory.loaders import text_encoding
from inventory.models import DeviceKind, FacilityKind

runner = CliRunner()

REGIONS = """regions:
  - {code: "51", name: 四川省}
  - {code: "5101", name: 成都市}
  - {code: "510121", name: 金堂县}
"""
FACILITY_HEADER = [
    "编号",
    "名称",
    "类型",
    "区县代码",
    "上行带宽(Mbps)",
    "周一",
    "周二",
    "周六",
    "执行法定节假日",
    "attr.e_reading_seats",
]
DEVICE_HEADER = ["编号", "名称", "类型", "场馆编号", "管理地址", "厂商", "启用", "投运日期"]


def _folder(tmp_path: Path) -> Path:
    (tmp_path / "regions.yaml").write_text(REGIONS, encoding="utf-8")
    return tmp_path


def _workbook(path: Path) -> None:
    """A county register as it is kept: a 说明 sheet first, then 场馆登记 and 设备台账 with merged
    title rows above a Chinese header, numbers typed as numbers, and one mistake in each sheet."""
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "说明"
    notes.append(["本表由县文化馆填写，每季度更新。"])

    fac = book.create_sheet("场馆登记")
    fac.append(["金堂县公共数字文化设施登记表"])
    fac.merge_cells("A1:J1")
    fac.append(["填报单位：金堂县文化馆", None, None, None, None, "填报日期：", date(2026, 11, 20)])
    fac.merge_cells("A2:E2")
    fac.append(FACILITY_HEADER)
    fac.append(["jt-lib", "金堂县图书馆", "公共图书馆", 510121, 200.0, "休息", "09:00-17:00", "09:00-17:00", "是", 48])
    fac.append(
        [
            "jt-zz",
            "赵镇街道综合文化服务中心",
            "乡镇综合文化服务中心",
            510121,
            100,
            "08:30-12:00，14:00-17:30",
            "08:30-12:00",
            None,
            "是",
            None,
        ]
    )
    fac.append(
        ["jt-museum", "金堂县博物馆", "博物馆", 510121, None, "09:00-17:00", None, None, "否", None]
    )  # row 6: kind

    dev = book.create_sheet("设备台账")
    dev.append(["金堂县公共数字文化设备台账（2026年）"])
    dev.merge_cells("A1:H1")
    dev.append(DEVICE_HEADER)
    dev.append(
        ["jt-lib-sw01", "图书馆核心交换机", "交换机/路由器", "jt-lib", "10.51.121.1", "huawei", "是", date(2026, 3, 1)]
    )
    dev.append(["jt-lib-ert01", "电子阅览终端01", "电子阅览终端", "jt-lib", "10.51.121.31", None, True, "2026-04-15"])
    dev.append(["jt-zz-ap01", "赵镇AP", "无线接入点", "jt-libb", "10.51.123.11", "h3c", "是"])  # row 5: facility
    dev.append(["jt-lib-sw01", "重复的交换机", "交换机/路由器", "jt-lib", "10.51.121.2", "huawei", "是"])  # row 6: id
    book.save(path)


def test_an_xlsx_register_with_merged_titles_and_chinese_headers(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    _workbook(folder / "台账.xlsx")
    inv, problems, sources = read_inventory_with_sources(folder)

    fac_sheet, dev_sheet = f"{folder / '台账.xlsx'}[场馆登记]", f"{folder / '台账.xlsx'}[设备台账]"
    assert [(p.file, p.line, p.column, p.field) for p in problems] == [
        (fac_sheet, 6, "C", "facilities[jt-museum].kind"),
        (dev_sheet, 5, "D", "devices[jt-zz-ap01].facility"),
        (dev_sheet, 6, "A", "devices[jt-lib-sw01]"),
    ]
    assert str(problems[1]) == (
        f"{dev_sheet}:5:D: devices[jt-zz-ap01].facility: unknown facility 'jt-libb'; did you mean 'jt-lib'?"
    )
    assert problems[1].text("zh").endswith("未定义的场馆 'jt-libb'；是否应为 'jt-lib'？")
    assert problems[0].text("zh").startswith(f"{fac_sheet}:6:C: facilities[jt-museum].kind: ")

    lib, zz = inv.facilities["jt-lib"], inv.facilities["jt-zz"]
    assert lib.kind is FacilityKind.PUBLIC_LIBRARY and lib.county == "510121" and lib.uplink_mbps == 200
    assert "mon" not in lib.opening_hours and [str(s) for s in lib.opening_hours["tue"]] == ["09:00-17:00"]
    assert lib.attributes == {"e_reading_seats": 48}
    assert [str(s) for s in zz.opening_hours["mon"]] == ["08:30-12:00", "14:00-17:30"]  # full-width comma
    assert inv.devices["jt-lib-ert01"].kind is DeviceKind.E_READING_TERMINAL and inv.devices["jt-lib-ert01"].enabled
    # 投运日期 as a date cell and as text
    assert inv.devices["jt-lib-sw01"].commissioned == date(2026, 3, 1)
    assert inv.devices["jt-lib-ert01"].commissioned == date(2026, 4, 15)
    assert "说明" not in {s for src in sources for s in src.sheets}
    assert [(s.format, s.sheets, s.rows) for s in sources] == [("XLSX", ("场馆登记", "设备台账"), 7)]


def test_a_workbook_without_named_sheets_is_read_from_its_first_sheet(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Sheet1"
    ws.append(["id", "name", "kind", "county"])
    ws.append(["f1", "Library", "public_library", "510121"])
    ws.append(["f2", "Centre", "cultural_centre", "51012"])  # row 3: county code
    book.create_sheet("Sheet2").append(["id", "kind", "facility"])  # not read: the first sheet only
    book.save(folder / "register.xlsx")
    inv, problems = read_inventory(folder)
    assert [(p.line, p.column, p.field) for p in problems] == [(3, "D", "facilities[f2].county")]
    assert set(inv.facilities) == {"f1"}


def _csv(rows: list[str]) -> str:
    return "\r\n".join(rows) + "\r\n"


FACILITIES_CSV = _csv(
    [
        "金堂县乡镇综合文化服务中心登记表,,,,",
        "编号,名称,类型,区县代码,周一",
        "jt-hk,淮口街道综合文化服务中心,乡镇综合文化服务中心,510121,08:30-17:30",
        "jt-wf,五凤镇综合文化服务中心,文化站,510121,09:00-17:00",  # row 4: kind
    ]
)


@pytest.mark.parametrize(
    ("encoding", "data", "stated"),
    [
        ("gbk", FACILITIES_CSV.encode("gbk"), text_encoding.GB18030),
        ("gb18030", FACILITIES_CSV.encode("gb18030"), text_encoding.GB18030),
        ("utf-16 with BOM", codecs.BOM_UTF16_LE + FACILITIES_CSV.encode("utf-16-le"), text_encoding.UTF16LE),
        ("utf-16-be with BOM", codecs.BOM_UTF16_BE + FACILITIES_CSV.encode("utf-16-be"), text_encoding.UTF16BE),
        ("utf-16 without BOM", FACILITIES_CSV.encode("utf-16-le"), text_encoding.UTF16LE),
        ("utf-8", FACILITIES_CSV.encode("utf-8"), text_encoding.UTF8),
        ("utf-8 with BOM", codecs.BOM_UTF8 + FACILITIES_CSV.encode("utf-8"), text_encoding.UTF8_BOM),
        (
            "utf-16 tab-separated",
            (codecs.BOM_UTF16_LE + FACILITIES_CSV.replace(",", "\t").encode("utf-16-le")),
            text_encoding.UTF16LE,
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 30 else "",
)
def test_csv_registers_in_every_encoding_excel_saves(tmp_path: Path, encoding: str, data: bytes, stated: str) -> None:
    folder = _folder(tmp_path)
    (folder / "乡镇.csv").write_bytes(data)
    inv, problems, sources = read_inventory_with_sources(folder)
    f = str(folder / "乡镇.csv")
    assert [(p.where, p.field) for p in problems] == [(f"{f}:4:C", "facilities[jt-wf].kind")]
    assert inv.facilities["jt-hk"].name == "淮口街道综合文化服务中心"
    assert [(s.format, s.encoding, s.rows) for s in sources] == [("CSV", stated, 2)]


def test_the_summary_states_each_registers_encoding_and_sheets(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "乡镇.csv").write_bytes(FACILITIES_CSV.replace("文化站", "乡镇综合文化服务中心").encode("gbk"))
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "设备"
    ws.append(DEVICE_HEADER)
    ws.append(["jt-hk-sw", "淮口交换机", "交换机/路由器", "jt-hk", "10.0.0.1", "h3c", "是", None])
    book.save(folder / "设备.xlsx")
    zh = runner.invoke(app, ["check", str(folder)])
    assert zh.exit_code == 0, zh.output
    assert "登记表" in zh.output and "CSV，GB18030/GBK 编码，2 行" in zh.output
    assert "Excel 工作簿，工作表 设备，1 行" in zh.output
    en = runner.invoke(app, ["check", str(folder), "--lang", "en"])
    assert "CSV, GB18030/GBK, 2 rows" in en.output and "Excel workbook, sheets 设备, 1 rows" in en.output


def test_a_zip_bomb_workbook_is_refused_unopened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path)
    monkeypatch.setenv("PDCS_XLSX_MAX_UNPACKED_BYTES", "100000")
    with zipfile.ZipFile(folder / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * 5_000_000)  # 5 MB of zeros packs to a few KB
    assert (folder / "bomb.xlsx").stat().st_size < 100_000
    _, problems = read_inventory(folder)
    assert [(p.line, p.field) for p in problems] == [(1, "xlsx")]
    assert "PDCS_XLSX_MAX_UNPACKED_BYTES" in problems[0].message and "上限" in problems[0].text("zh")
    (folder / "bomb.xlsx").write_bytes(b"not a zip")
    assert "Excel" in read_inventory(folder)[1][0].message
    (folder / "bomb.xlsx").unlink()
    (folder / "旧台账.xls").write_bytes(b"\xd0\xcf\x11\xe0")  # an OLE2 (Excel 97-2003) file is named, not skipped
    [old] = read_inventory(folder)[1]
    assert old.file.endswith("旧台账.xls") and ".xlsx" in old.message and "另存为" in old.text("zh")


def test_export_writes_a_workbook_that_loads_back_to_the_same_inventory(
    tmp_path: Path, examples_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PDCS_SECRET_SNMP_COUNTY", "s3cret-community-value")
    out = tmp_path / "export" / "金堂县台账.xlsx"
    result = runner.invoke(app, ["export", str(examples_dir), "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("regions.yaml", "profiles.yaml"):  # regions and profiles stay in YAML
        (out.parent / name).write_text((examples_dir / name).read_text(encoding="utf-8"), encoding="utf-8")

    again, problems = read_inventory(out.parent)
    original, _ = read_inventory(examples_dir)
    assert problems == []
    assert {k: v.model_dump() for k, v in again.facilities.items()} == {
        k: v.model_dump() for k, v in original.facilities.items()
    }
    assert {k: v.model_dump() for k, v in again.devices.items()} == {
        k: v.model_dump() for k, v in original.devices.items()
    }

    with zipfile.ZipFile(out) as z:
        xml = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    assert "env:PDCS_SECRET_SNMP_COUNTY" in xml  # the reference, for the reader
    assert "s3cret-community-value" not in xml  # never the value


def test_export_keeps_commissioning_dates_coordinates_and_mlps(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    src = _folder(tmp_path / "src")
    (src / "inv.yaml").write_text(
        """facilities:
  - {id: jt-lib, name: 金堂县图书馆, kind: public_library, county: "510121", lat: 30.86, lon: 104.41,
     commissioned: 2026-01-05, opening_hours: {tue: "09:00-12:00,14:00-17:30"},
     mlps: {harm_object: 社会秩序公共利益, harm_degree: 一般损害}, attributes: {e_reading_seats: 48, wifi: true}}
devices:
  - {id: jt-lib-sw01, kind: switch, facility: jt-lib, commissioned: 2026-01-05, decommissioned: 2026-11-30}
""",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    out.mkdir()
    (out / "regions.yaml").write_text(REGIONS, encoding="utf-8")
    for lang in ("zh", "en"):
        result = runner.invoke(app, ["export", str(src), "-o", str(out / "台账.xlsx"), "--lang", lang])
        assert result.exit_code == 0, result.output
        again, problems = read_inventory(out)
        original, _ = read_inventory(src)
        assert problems == []
        assert again.facilities["jt-lib"].model_dump() == original.facilities["jt-lib"].model_dump()
        assert again.devices["jt-lib-sw01"].model_dump() == original.devices["jt-lib-sw01"].model_dump()
