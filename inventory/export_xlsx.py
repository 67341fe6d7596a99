"""Write an inventory as an Excel workbook a county can edit and load back (``pdcs inventory export``).

Sheets ``场馆`` and ``设备`` are registers: a merged title row, then the header in
Chinese (English field names with ``lang="en"``), one row per facility or device, a
drop-down of the kinds; put the workbook in an inventory folder in place of the
facilities and devices it came from and it loads to the same objects
(``xlsx_source`` reads exactly the sheets named 场馆/设备).  ``行政区划`` and
``凭据`` list regions and credential profiles for reference only — they stay in
YAML — and a profile's secrets appear as references (``env:NAME``,
``file:PATH#key``), never as values: nothing here resolves a secret.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from inventory.loaders.csv_source import ATTRIBUTE_PREFIX, DEVICE_COLUMNS, FACILITY_COLUMNS
from inventory.models import (
    DEVICE_KIND_ZH,
    FACILITY_KIND_ZH,
    WEEKDAYS,
    Device,
    Facility,
    Inventory,
    SecretRef,
    SnmpProfile,
    SshProfile,
)
from inventory.summary import Lang

# The Chinese header of each register column; each is one of csv_source.HEADER_ALIASES, so it loads back.
HEADERS_ZH: dict[str, str] = {
    "id": "编号",
    "name": "名称",
    "kind": "类型",
    "county": "区县代码",
    "timezone": "时区",
    "holiday_calendar": "执行法定节假日",
    "uplink_mbps": "上行带宽(Mbps)",
    "address": "地址",
    "lat": "纬度",
    "lon": "经度",
    "commissioned": "投运日期",
    "decommissioned": "停用日期",
    "facility": "场馆编号",
    "snmp_profile": "SNMP凭据",
    "ssh_profile": "SSH凭据",
    "agent_url": "代理地址",
    "vendor": "厂商",
    "uplink_interface": "上行接口",
    "enabled": "启用",
    "mlps.harm_object": "定级受侵害客体",
    "mlps.harm_degree": "定级侵害程度",
    "mlps.system": "定级对象",
    **{w: f"周{d}" for w, d in zip(WEEKDAYS, "一二三四五六日", strict=True)},
}
SHEETS = {
    "zh": ("场馆", "设备", "行政区划", "凭据", "说明"),
    "en": ("facilities", "devices", "regions", "credentials", "notes"),
}
_TITLE = {
    "zh": ("{what}登记表（pdcs 导出，{when}，来源 {source}）", "场馆", "设备"),
    "en": ("{what} register (pdcs export, {when}, from {source})", "Facilities", "Devices"),
}
_NOTES = {
    "zh": [
        "本工作簿由 pdcs inventory export 生成。",
        "“场馆”“设备”两张表是登记表：可直接修改、增删行，"
        "放回清单目录（替换原来的场馆、设备文件）后由 pdcs inventory check 检查。",
        "表头所在行之上的标题行不会被读取；以 # 开头的行是注释。",
        "营业时间写作 08:30-12:00,14:00-17:30；休息日写“休息”或留空。",
        "“行政区划”“凭据”两张表仅供查阅，不会被读取：它们仍以 YAML 文件为准。",
        "凭据表中的密钥只写引用位置（env:环境变量名 或 file:文件#键名），从不写出密钥本身。",
    ],
    "en": [
        "Written by pdcs inventory export.",
        "The facilities and devices sheets are registers: edit them, add or remove rows, put the workbook back in "
        "the inventory folder (in place of the facility and device files) and run pdcs inventory check.",
        "Title rows above the header are not read; rows starting with # are comments.",
        "Opening hours read 08:30-12:00,14:00-17:30; a closed day is 'closed' or empty.",
        "The regions and credentials sheets are for reference only and are not read: YAML stays the truth for them.",
        "Secrets in the credentials sheet are references (env:VARIABLE or file:PATH#key), never values.",
    ],
}
_YES_NO = {"zh": ("是", "否"), "en": ("yes", "no")}
_CLOSED = {"zh": "休息", "en": "closed"}
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _header(col: str, lang: Lang) -> str:
    return HEADERS_ZH.get(col, col) if lang == "zh" else col


def _yes_no(value: bool, lang: Lang) -> str:
    return _YES_NO[lang][0 if value else 1]


def facility_row(f: Facility, columns: list[str], lang: Lang) -> list[object]:
    """The cells of ``f`` under ``columns``: plain fields as they are (a column added to the register
    is exported without a change here), kinds and yes/no in ``lang``, a cell per weekday, MLPS and attributes."""
    hours = f.opening_hours
    values: dict[str, object] = {
        **f.model_dump(exclude_none=True, exclude={"opening_hours", "attributes", "mlps"}),
        "kind": FACILITY_KIND_ZH[f.kind] if lang == "zh" else f.kind.value,
        "holiday_calendar": _yes_no(f.holiday_calendar, lang),
        **{w: ",".join(str(s) for s in hours[w]) if w in hours else _CLOSED[lang] for w in WEEKDAYS},
    }
    if f.mlps is not None:
        values |= {
            "mlps.harm_object": f.mlps.harm_object.value,
            "mlps.harm_degree": f.mlps.harm_degree.value,
            "mlps.system": f.mlps.system,
        }
    for name, value in f.attributes.items():
        values[ATTRIBUTE_PREFIX + name] = _yes_no(value, lang) if isinstance(value, bool) else value
    return [values.get(c) for c in columns]


def device_row(d: Device, lang: Lang) -> list[object]:
    """The cells of ``d`` under the devices register's columns."""
    values: dict[str, object] = {
        **d.model_dump(exclude_none=True),
        "kind": DEVICE_KIND_ZH[d.kind] if lang == "zh" else d.kind.value,
        "enabled": _yes_no(d.enabled, lang),
    }
    return [values.get(c) for c in DEVICE_COLUMNS]


def _ref(ref: SecretRef | None) -> str:
    return ref.describe() if ref is not None else ""


def _profile_rows(inv: Inventory) -> list[list[object]]:
    rows: list[list[object]] = []
    for p in inv.snmp_profiles.values():
        assert isinstance(p, SnmpProfile)
        secrets = "; ".join(
            f"{n}={_ref(r)}"
            for n, r in (("community", p.community), ("auth_key", p.auth_key), ("priv_key", p.priv_key))
            if r
        )
        rows.append([p.name, f"SNMP v{p.version}", p.user or "", p.port, secrets])
    for s in inv.ssh_profiles.values():
        assert isinstance(s, SshProfile)
        secrets = "; ".join(f"{n}={_ref(r)}" for n, r in (("password", s.password), ("secret", s.secret)) if r)
        rows.append([s.name, "SSH", s.username, s.port, secrets])
    return rows


def _table(ws: Worksheet, title: str, header: list[str], rows: list[list[object]]) -> None:
    ws.append([title])
    if len(header) > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(header)
    for cell in ws[2]:
        cell.font, cell.fill = _BOLD, _HEADER_FILL
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "B3"
    for i, name in enumerate(header, 1):
        width = max([len(str(name)) * 2, *(len(str(r[i - 1] or "")) + 2 for r in rows[:200])], default=8)
        ws.column_dimensions[get_column_letter(i)].width = min(max(width, 8), 48)


def _kind_dropdown(ws: Worksheet, column: int, choices: list[str], rows: int) -> None:
    letter = get_column_letter(column)
    dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=False)
    dv.error, dv.errorTitle = "请从列表中选择类型 / choose a kind from the list", "类型 / kind"
    ws.add_data_validation(dv)
    dv.add(f"{letter}3:{letter}{max(rows + 2, 3) + 500}")  # room for rows the county adds


def write_workbook(inv: Inventory, out: Path, lang: Lang = "zh", source: str = "", now: datetime | None = None) -> None:
    """Write ``inv`` to ``out`` (.xlsx) as described above."""
    when = (now or datetime.now()).strftime("%Y-%m-%d %H:%M")
    names, (title, fac_word, dev_word) = SHEETS[lang], _TITLE[lang]
    attrs = sorted({a for f in inv.facilities.values() for a in f.attributes})
    fac_columns = [*FACILITY_COLUMNS, *(ATTRIBUTE_PREFIX + a for a in attrs)]
    facilities = sorted(inv.facilities.values(), key=lambda f: (f.county, f.id))
    devices = sorted(inv.devices.values(), key=lambda d: (d.facility, d.id))

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = names[0]
    _table(
        ws,
        title.format(what=fac_word, when=when, source=source),
        [_header(c, lang) for c in fac_columns],
        [facility_row(f, fac_columns, lang) for f in facilities],
    )
    kinds = [FACILITY_KIND_ZH[k] if lang == "zh" else k.value for k in FACILITY_KIND_ZH]
    _kind_dropdown(ws, fac_columns.index("kind") + 1, kinds, len(facilities))

    ws = book.create_sheet(names[1])
    _table(
        ws,
        title.format(what=dev_word, when=when, source=source),
        [_header(c, lang) for c in DEVICE_COLUMNS],
        [device_row(d, lang) for d in devices],
    )
    kinds = [DEVICE_KIND_ZH[k] if lang == "zh" else k.value for k in DEVICE_KIND_ZH]
    _kind_dropdown(ws, DEVICE_COLUMNS.index("kind") + 1, kinds, len(devices))

    ws = book.create_sheet(names[2])
    header = ["代码", "名称", "上级"] if lang == "zh" else ["code", "name", "parent"]
    regions: list[list[object]] = [
        [r.code, r.name, r.parent or ""] for r in sorted(inv.regions.values(), key=lambda r: r.code)
    ]
    _table(ws, names[2], header, regions)

    ws = book.create_sheet(names[3])
    header = (
        ["名称", "类型", "用户名", "端口", "密钥（仅引用）"]
        if lang == "zh"
        else [
            "name",
            "type",
            "user",
            "port",
            "secrets (references only)",
        ]
    )
    _table(ws, names[3], header, _profile_rows(inv))

    ws = book.create_sheet(names[4])
    for line in _NOTES[lang]:
        ws.append([line])
    ws.column_dimensions["A"].width = 120
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
