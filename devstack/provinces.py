"""``pdcs dev up --provinces N``: the simulated devices spread over N provinces, each with its own InfluxDB.

The example inventory is one county of 四川 (51). For N > 1 the dev inventory gains a county (with a
library and a township centre) in each further province of ``PROVINCES``, and the simulated devices
recorded from real gear move round-robin to them — the first province keeps the devices the README and
the tests name (``sim-lib-core-sw``, ``sim-offline-ap``, the terminal and the server). Every province
gets an InfluxDB of its own and the national summaries store one more; the shard map naming them is
written to ``<workdir>/shards.yaml`` (``PDCS_INFLUX_SHARDS``, pdcs/storage/shards.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# (province, name, city, city name, county, county name): GB/T 2260 codes. The first is the examples' own.
PROVINCES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("51", "四川省", "5101", "成都市", "510121", "金堂县"),
    ("44", "广东省", "4401", "广州市", "440106", "天河区"),
    ("33", "浙江省", "3301", "杭州市", "330106", "西湖区"),
    ("65", "新疆维吾尔自治区", "6501", "乌鲁木齐市", "650102", "天山区"),
    ("11", "北京市", "1101", "北京市市辖区", "110105", "朝阳区"),
    ("53", "云南省", "5301", "昆明市", "530102", "五华区"),
)
MAX_PROVINCES = len(PROVINCES)
# Devices that stay in the first province whatever N: the README's examples and the tests read them there.
STAY = frozenset({"sim-lib-core-sw", "sim-cc-core-sw", "sim-offline-ap", "sim-e-reading-terminal", "sim-server"})
NATIONAL_DB = "pdcs_national"  # NATIONAL.md §2: the national summaries store's database
_OPEN_DAILY = {d: "08:00-22:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def province_codes(n: int) -> list[str]:
    if not 1 <= n <= MAX_PROVINCES:
        raise ValueError(f"--provinces: 1 to {MAX_PROVINCES}, not {n}")
    return [p[0] for p in PROVINCES[:n]]


def spread_devices(inventory: Path, n: int) -> dict[str, list[str]]:
    """Add the further provinces' regions and facilities to the dev ``inventory`` folder and move simulated
    devices there; returns each province's device ids."""
    codes = province_codes(n)
    devices_file = inventory / "simulated-devices.yaml"
    data: dict[str, Any] = yaml.safe_load(devices_file.read_text(encoding="utf-8"))
    regions: list[dict[str, str]] = []
    facilities: list[dict[str, Any]] = []
    for code, name, city, city_name, county, county_name in PROVINCES[1:n]:
        regions += [
            {"code": code, "name": name},
            {"code": city, "name": city_name, "parent": code},
            {"code": county, "name": county_name, "parent": city},
        ]
        for kind, zh in (("public_library", "图书馆"), ("township_centre", "综合文化服务中心")):
            facilities.append(
                {
                    "id": f"dev-{county}-{kind.split('_')[0]}",
                    "name": f"{county_name}{zh}",
                    "kind": kind,
                    "county": county,
                    "uplink_mbps": 100,
                    "opening_hours": _OPEN_DAILY,
                }
            )
    by_province: dict[str, list[str]] = {c: [] for c in codes}
    movable = 0
    for device in data["devices"]:
        index = 0 if device["id"] in STAY else movable % n
        if device["id"] not in STAY:
            movable += 1
        if index:
            county = PROVINCES[index][4]
            wanted = "public_library" if device["kind"] in ("switch", "wireless_controller") else "township_centre"
            device["facility"] = f"dev-{county}-{wanted.split('_')[0]}"
        by_province[codes[index]].append(device["id"])
    if n > 1:
        (inventory / "provinces.yaml").write_text(
            "# further provinces of `pdcs dev up --provinces N` (devstack/provinces.py)\n"
            + yaml.safe_dump({"regions": regions, "facilities": facilities}, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
        devices_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return by_province
