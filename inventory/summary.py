"""Counts of an inventory by province, county, facility kind and device kind, in Chinese or English."""

from __future__ import annotations

from collections import Counter
from typing import Literal, NamedTuple

from inventory.loaders.csv_source import Source
from inventory.models import DEVICE_KIND_ZH, FACILITY_KIND_ZH, DeviceKind, FacilityKind, Inventory

Lang = Literal["zh", "en"]


class RegionCount(NamedTuple):
    code: str
    name: str  # "金堂县（成都市）"; the code again when the region is not declared
    facilities: int
    devices: int


class Summary(NamedTuple):
    facilities: int
    devices: int
    snmp_profiles: int
    ssh_profiles: int
    provinces: list[RegionCount]
    counties: list[RegionCount]
    facility_kinds: list[tuple[FacilityKind, int]]
    device_kinds: list[tuple[DeviceKind, int]]


def summarise(inv: Inventory) -> Summary:
    fac_by_region: Counter[str] = Counter()
    dev_by_region: Counter[str] = Counter()
    for f in inv.facilities.values():
        fac_by_region[f.county[:2]] += 1
        fac_by_region[f.county] += 1
    for d in inv.devices.values():
        county = inv.facilities[d.facility].county
        dev_by_region[county[:2]] += 1
        dev_by_region[county] += 1

    def name(code: str) -> str:
        region = inv.regions.get(code)
        if region is None:
            return code
        city = inv.regions.get(code[:4]) if len(code) == 6 else None
        return f"{region.name}（{city.name}）" if city else region.name

    def rows(width: int) -> list[RegionCount]:
        codes = sorted(c for c in fac_by_region if len(c) == width)
        return [RegionCount(c, name(c), fac_by_region[c], dev_by_region[c]) for c in codes]

    fkinds = Counter(f.kind for f in inv.facilities.values())
    dkinds = Counter(d.kind for d in inv.devices.values())
    return Summary(
        facilities=len(inv.facilities),
        devices=len(inv.devices),
        snmp_profiles=len(inv.snmp_profiles),
        ssh_profiles=len(inv.ssh_profiles),
        provinces=rows(2),
        counties=rows(6),
        facility_kinds=[(k, fkinds[k]) for k in FacilityKind if fkinds[k]],
        device_kinds=[(k, dkinds[k]) for k in DeviceKind if dkinds[k]],
    )


_TEXT = {
    "zh": {
        "ok": "{path}：没有发现问题。",
        "totals": "场馆 {f} 个，设备 {d} 台，SNMP 凭据 {s} 个，SSH 凭据 {h} 个。",
        "provinces": "按省份",
        "counties": "按区县",
        "facility_kinds": "按场馆类型",
        "device_kinds": "按设备类型",
        "region_row": "场馆 {f:>4}  设备 {d:>5}",
        "registers": "登记表",
        "csv": "CSV，{enc} 编码，{n} 行",
        "xlsx": "Excel 工作簿，工作表 {sheets}，{n} 行",
        "sep": "、",
    },
    "en": {
        "ok": "{path}: no problems found.",
        "totals": "facilities: {f}, devices: {d}, SNMP profiles: {s}, SSH profiles: {h}.",
        "provinces": "By province",
        "counties": "By county",
        "facility_kinds": "By facility kind",
        "device_kinds": "By device kind",
        "region_row": "facilities {f:>4}  devices {d:>5}",
        "registers": "Registers",
        "csv": "CSV, {enc}, {n} rows",
        "xlsx": "Excel workbook, sheets {sheets}, {n} rows",
        "sep": ", ",
    },
}


def _pad(text: str, width: int) -> str:
    """Left-justify counting CJK characters as two columns, so tables line up in a terminal."""
    cols = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return text + " " * max(1, width - cols)


def render_sources(sources: list[Source], lang: Lang = "zh") -> list[str]:
    """One line per register: its format, the encoding found (CSV) or the sheets read (workbook), its rows."""
    t = _TEXT[lang]
    out = []
    for src in sources:
        if src.format == "XLSX":
            what = t["xlsx"].format(sheets=t["sep"].join(src.sheets), n=src.rows)
        else:
            what = t["csv"].format(enc=src.encoding, n=src.rows)
        out.append(f"  {_pad(src.file, 40)}{what}")
    return ["", t["registers"], *out] if out else []


def render(s: Summary, path: str, lang: Lang = "zh", sources: list[Source] | None = None) -> str:
    t = _TEXT[lang]
    out = [
        t["ok"].format(path=path),
        t["totals"].format(f=s.facilities, d=s.devices, s=s.snmp_profiles, h=s.ssh_profiles),
    ]
    for key, region_rows in (("provinces", s.provinces), ("counties", s.counties)):
        out += ["", t[key]]
        out += [
            f"  {_pad(f'{r.code} {r.name}', 32)}{t['region_row'].format(f=r.facilities, d=r.devices)}"
            for r in region_rows
        ]
    out += ["", t["facility_kinds"]]
    out += [f"  {_pad(FACILITY_KIND_ZH[k] if lang == 'zh' else k.value, 24)}{n:>5}" for k, n in s.facility_kinds]
    out += ["", t["device_kinds"]]
    out += [f"  {_pad(DEVICE_KIND_ZH[k] if lang == 'zh' else k.value, 24)}{n:>5}" for k, n in s.device_kinds]
    out += render_sources(sources or [], lang)
    return "\n".join(out)
