"""Counts of an inventory by province, county, facility kind and device kind, in Chinese or English."""

from __future__ import annotations

from collections import Counter
from typing import Literal, NamedTuple

import inventory.texts  # noqa: F401  (registers the inventory texts)
from inventory.loaders.csv_source import Source
from inventory.models import DEVICE_KIND_ZH, FACILITY_KIND_ZH, DeviceKind, FacilityKind, Inventory
from pdcs.i18n import text

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


def _pad(text: str, width: int) -> str:
    """Left-justify counting CJK characters as two columns, so tables line up in a terminal."""
    cols = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return text + " " * max(1, width - cols)


def render_sources(sources: list[Source], lang: Lang = "zh") -> list[str]:
    """One line per register: its format, the encoding found (CSV) or the sheets read (workbook), its rows."""
    out = []
    for src in sources:
        if src.format == "XLSX":
            sheets = text("inventory.summary.sep", lang).join(src.sheets)
            what = text("inventory.summary.xlsx", lang, sheets=sheets, n=src.rows)
        else:
            what = text("inventory.summary.csv", lang, enc=src.encoding, n=src.rows)
        out.append(f"  {_pad(src.file, 40)}{what}")
    return ["", text("inventory.summary.registers", lang), *out] if out else []


def render(s: Summary, path: str, lang: Lang = "zh", sources: list[Source] | None = None) -> str:
    out = [
        text("inventory.summary.ok", lang, path=path),
        text("inventory.summary.totals", lang, f=s.facilities, d=s.devices, s=s.snmp_profiles, h=s.ssh_profiles),
    ]
    for key, region_rows in (("provinces", s.provinces), ("counties", s.counties)):
        out += ["", text(f"inventory.summary.{key}", lang)]
        out += [
            f"  {_pad(f'{r.code} {r.name}', 32)}"
            + text("inventory.summary.region_row", lang, f=r.facilities, d=r.devices)
            for r in region_rows
        ]
    out += ["", text("inventory.summary.facility_kinds", lang)]
    out += [f"  {_pad(FACILITY_KIND_ZH[k] if lang == 'zh' else k.value, 24)}{n:>5}" for k, n in s.facility_kinds]
    out += ["", text("inventory.summary.device_kinds", lang)]
    out += [f"  {_pad(DEVICE_KIND_ZH[k] if lang == 'zh' else k.value, 24)}{n:>5}" for k, n in s.device_kinds]
    out += render_sources(sources or [], lang)
    return "\n".join(out)
