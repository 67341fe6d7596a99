"""Facility and device registers kept as spreadsheets: header and row mistakes at their file lines."""

from __future__ import annotations

from pathlib import Path

from inventory.load import load_inventory, read_inventory
from inventory.models import DeviceKind, FacilityKind
from tests.inventory.helpers import DATA, line_of, problems, where


def test_unknown_column_is_a_header_problem_and_rows_still_load() -> None:
    f = DATA / "csv_unknown_column.csv"
    inv, got = read_inventory(f)
    assert [(p.file, p.line, p.field) for p in got] == [(str(f), 1, "header")]
    assert "unknown column 'colour' in a facilities register" in got[0].message
    assert list(inv.facilities) == ["f1"]


def test_register_type_not_recognised() -> None:
    f = DATA / "csv_unknown_type.csv"
    [p] = problems(f)
    assert (p.line, p.field) == (1, "header")
    assert "'county' column" in p.message and "'facility' column" in p.message


def test_missing_required_column() -> None:
    f = DATA / "csv_missing_column.csv"
    [p] = problems(f)
    assert (p.line, p.field, p.message) == (1, "header", "missing column 'kind' for a devices register")


def test_bad_rows_reported_at_their_file_lines() -> None:
    f = DATA / "csv_bad_rows.csv"
    got = problems(f)
    # The first row's quoted address spans two lines, so later rows sit one line further down.
    assert [(p.line, p.field) for p in got] == [
        (line_of(f, "jt-huaikou"), "facilities[jt-huaikou].kind"),
        (line_of(f, "jt-wufeng"), "facilities[jt-wufeng].county"),
        (line_of(f, "jt-wufeng"), "facilities[jt-wufeng].holiday_calendar"),
        (line_of(f, "jt-wufeng"), "facilities[jt-wufeng].opening_hours.mon"),
        (line_of(f, "jt-extra"), "facilities[jt-extra]"),
    ]
    assert line_of(f, "jt-huaikou") == 4
    assert "'township_centre'" in got[0].message
    assert "overlap" in got[3].message
    assert got[4].message == "row has 16 cells but the header has 15 columns"


def test_good_row_of_a_register_with_bad_rows_loads() -> None:
    inv, _ = read_inventory(DATA / "csv_bad_rows.csv")
    fac = inv.facilities["jt-zhaozhen"]
    assert fac.address == "四川省成都市金堂县\n赵镇街道"
    assert fac.kind is FacilityKind.TOWNSHIP_CENTRE
    assert "mon" not in fac.opening_hours
    assert [str(s) for s in fac.opening_hours["tue"]] == ["08:30-12:00", "14:00-17:30"]


def test_chinese_headers_bom_and_fullwidth_punctuation() -> None:
    inv = load_inventory(DATA / "csv_chinese_bom.csv")
    fac = inv.facilities["jt-lib"]
    assert fac.name == "金堂县图书馆" and fac.kind is FacilityKind.PUBLIC_LIBRARY
    assert "mon" not in fac.opening_hours  # 休息
    assert [str(s) for s in fac.opening_hours["sat"]] == ["09:00-17:30"]
    assert [str(s) for s in fac.opening_hours["sun"]] == ["09:00-12:00", "14:00-17:30"]


def test_devices_register(tmp_path: Path) -> None:
    (tmp_path / "facilities.yaml").write_text(
        'facilities:\n  - {id: f1, name: 图书馆, kind: public_library, county: "510121"}\n', encoding="utf-8"
    )
    (tmp_path / "devices.csv").write_text(
        "id,name,kind,facility,address,snmp_profile,enabled\n"
        "t1,终端1,电子阅览终端,f1,10.0.0.31,,是\n"
        "sw1,交换机,交换机,f1,10.0.0.1,,no\n"
        "sw2,交换机2,switch,f9,10.0.0.2,nope,\n",
        encoding="utf-8",
    )
    inv, got = read_inventory(tmp_path)
    f = str(tmp_path / "devices.csv")
    assert [(p.file, p.line, p.field) for p in got] == [
        (f, 4, "devices[sw2].facility"),
        (f, 4, "devices[sw2].snmp_profile"),
    ]
    assert inv.devices["t1"].kind is DeviceKind.E_READING_TERMINAL and inv.devices["t1"].enabled
    assert inv.devices["sw1"].kind is DeviceKind.SWITCH and not inv.devices["sw1"].enabled


def test_a_register_in_no_known_encoding_is_refused_with_a_hint(tmp_path: Path) -> None:
    f = tmp_path / "facilities.csv"
    f.write_bytes(b"id,name,kind,county\nf1,\xff\xfe\xff library,public_library,510121\n")
    assert where(f) == [(str(f), 2, "encoding")]
    assert "GB18030/GBK" in problems(f)[0].message


def test_blank_and_comment_rows_are_skipped(tmp_path: Path) -> None:
    f = tmp_path / "facilities.csv"
    f.write_text(
        "\nid,name,kind,county\n# 说明行\n\nf1,图书馆,public_library,510121\nf2,文化馆,x,510121\n", encoding="utf-8"
    )
    assert where(f) == [(str(f), 6, "facilities[f2].kind")]
