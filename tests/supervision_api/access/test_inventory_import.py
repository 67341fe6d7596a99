"""Inventory files uploaded through the API: merged and stored, same messages as the CLI, scope enforced."""

from __future__ import annotations

from pathlib import Path

from inventory.load import read_inventory
from supervision_api.db.users import Role

from .conftest import Api

DEVICES_YAML = """devices:
  - {id: jt-lib-ap9, name: 九楼AP, kind: wireless_ap, facility: jt-lib}
  - {id: jt-wh-k1, name: 文化馆一体机（新）, kind: kiosk, facility: jt-wh}
"""

FACILITIES_CSV = """id,name,kind,county,uplink_mbps,mon,tue,wed,thu,fri,sat,sun
jt-new,金堂县新馆,公共图书馆,510121,100,09:00-17:00,09:00-17:00,09:00-17:00,09:00-17:00,09:00-17:00,closed,closed
"""

BROKEN_YAML = """devices:
  - {id: jt-x1, kind: wireless_ap, facility: jt-lbi}
  - {id: jt-x2, kind: toaster, facility: jt-lib}
"""


def test_import_merges_and_is_audited(api: Api) -> None:
    staff = api.client(Role.COUNTY_STAFF, "510121", name="jt-it")
    files = [
        ("files", ("devices.yaml", DEVICES_YAML.encode(), "application/yaml")),
        ("files", ("facilities.csv", FACILITIES_CSV.encode(), "text/csv")),
    ]
    r = staff.post("/inventory/import", files=files)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == {"devices": 1, "facilities": 1}
    assert r.json()["updated"] == {"devices": 1}
    assert staff.get("/devices/jt-lib-ap9").json()["name"] == "九楼AP"
    assert staff.get("/devices/jt-wh-k1").json()["name"] == "文化馆一体机（新）"
    assert staff.get("/facilities/jt-new").json()["name"] == "金堂县新馆"
    assert "jt-lib-ap9" in api.state.inventory.devices  # the API's inventory follows the store
    entry = api.client(Role.ADMIN).get("/audit-log?action=inventory.import").json()["data"][0]
    assert entry["user"] == "jt-it" and entry["details"]["files"] == ["devices.yaml", "facilities.csv"]


def test_import_problems_read_as_on_the_command_line(api: Api, tmp_path: Path) -> None:
    admin = api.client(Role.ADMIN)
    r = admin.post("/inventory/import", files=[("files", ("devices.yaml", BROKEN_YAML.encode(), "application/yaml"))])
    assert r.status_code == 422
    body = r.json()
    assert body["detail"] == "清单有 2 处问题"
    # the CLI's loader on the same file, beside the stored facilities, says the same
    (tmp_path / "devices.yaml").write_text(BROKEN_YAML, encoding="utf-8")
    (tmp_path / "facilities.yaml").write_text(
        "facilities:\n  - {id: jt-lib, name: 金堂县图书馆, kind: public_library, county: '510121'}\n", encoding="utf-8"
    )
    _inv, cli_problems = read_inventory(tmp_path)
    cli = sorted(p.text("zh").replace(str(tmp_path) + "/", "") for p in cli_problems if "devices.yaml" in p.file)
    assert sorted(body["problems"]) == cli
    assert any(p.startswith("devices.yaml:2: devices[jt-x1].facility: 未定义的场馆 'jt-lbi'") for p in cli)
    assert any(p.startswith("devices.yaml:3: devices[jt-x2].kind: 应为") for p in body["problems"])
    english = admin.post(
        "/inventory/import?lang=en", files=[("files", ("devices.yaml", BROKEN_YAML.encode(), "application/yaml"))]
    ).json()
    assert any(
        p.startswith("devices.yaml:2: devices[jt-x1].facility: unknown facility 'jt-lbi'") for p in english["problems"]
    )
    assert "jt-x1" not in api.state.inventory.devices  # nothing stored
    bad = admin.post("/inventory/import", files=[("files", ("notes.txt", b"hello", "text/plain"))])
    assert bad.status_code == 422 and bad.json()["problems"][0].startswith("notes.txt:1: file:")


def test_import_outside_scope_is_refused(api: Api) -> None:
    staff = api.client(Role.COUNTY_STAFF, "510121")
    other = "devices:\n  - {id: dy-lib-ap9, kind: wireless_ap, facility: dy-lib}\n"
    r = staff.post("/inventory/import", files=[("files", ("d.yaml", other.encode(), "application/yaml"))])
    assert r.status_code == 403 and "超出您的权限范围" in r.json()["detail"]
    assert r.json()["problems"] == ["d.yaml:2: devices[dy-lib-ap9]: 超出您的权限范围（510121）"]
    # moving a device of another county into one's own is refused too
    steal = "devices:\n  - {id: dy-lib-sw1, kind: switch, facility: jt-lib}\n"
    r = staff.post("/inventory/import", files=[("files", ("d.yaml", steal.encode(), "application/yaml"))])
    assert r.status_code == 403
    assert api.state.inventory.devices["dy-lib-sw1"].facility == "dy-lib"
    assert api.client(Role.PROVINCE_INSPECTOR, "51").post("/inventory/import", files=[]).status_code in (403, 422)


def test_import_takes_a_gbk_csv_and_an_xlsx_register(api: Api) -> None:
    """What a county office has at hand: a CSV saved by Excel on Chinese Windows and a workbook."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "设备台账"
    ws.append(["金堂县设备台账"])
    ws.merge_cells("A1:D1")
    ws.append(["编号", "名称", "类型", "场馆编号"])
    ws.append(["jt-new-ap1", "新馆AP", "无线接入点", "jt-new"])
    ws.append(["jt-new-ap2", "新馆AP2", "烤面包机", "jt-new"])  # row 4: kind
    xlsx = io.BytesIO()
    book.save(xlsx)
    files = [
        ("files", ("场馆.csv", FACILITIES_CSV.encode("gbk"), "text/csv")),
        ("files", ("设备.xlsx", xlsx.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
    ]
    admin = api.client(Role.ADMIN)
    r = admin.post("/inventory/import", files=files)
    assert r.status_code == 422
    assert [p.split(": ")[0] + ": " + p.split(": ")[1] for p in r.json()["problems"]] == [
        "设备.xlsx[设备台账]:4:C: devices[jt-new-ap2].kind"
    ]
    ws.delete_rows(4)
    xlsx = io.BytesIO()
    book.save(xlsx)
    files[1] = ("files", ("设备.xlsx", xlsx.getvalue(), "application/octet-stream"))
    r = admin.post("/inventory/import", files=files)
    assert r.status_code == 200, r.text
    assert admin.get("/facilities/jt-new").json()["name"] == "金堂县新馆"
    assert admin.get("/devices/jt-new-ap1").json()["name"] == "新馆AP"
