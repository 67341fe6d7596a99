"""The example inventory loads cleanly and the summary counts it right."""

from __future__ import annotations

from pathlib import Path

from inventory.load import load_inventory
from inventory.models import DeviceKind, FacilityKind
from inventory.summary import RegionCount, render, summarise


def test_examples_load_without_problems(examples_dir: Path) -> None:
    inv = load_inventory(examples_dir)
    assert set(inv.regions) == {"51", "5101", "510121"}
    assert {f.county for f in inv.facilities.values()} == {"510121"}
    # the township centres come from the CSV register, the county facilities from YAML
    assert {"jt-zhaozhen", "jt-huaikou", "jt-wufeng"} <= set(inv.facilities)
    assert "mon" not in inv.facilities["jt-lib"].opening_hours  # library closed on Mondays
    assert inv.snmp_profiles["county-v3"].security_level == "authPriv"
    for d in inv.devices.values():
        assert inv.device_tags(d)["county"] == "510121"


def test_summary_counts(examples_dir: Path) -> None:
    s = summarise(load_inventory(examples_dir))
    assert (s.facilities, s.devices, s.snmp_profiles, s.ssh_profiles) == (5, 21, 2, 1)
    assert s.provinces == [RegionCount("51", "四川省", 5, 21)]
    assert s.counties == [RegionCount("510121", "金堂县（成都市）", 5, 21)]
    assert dict(s.facility_kinds) == {
        FacilityKind.PUBLIC_LIBRARY: 1,
        FacilityKind.CULTURAL_CENTRE: 1,
        FacilityKind.TOWNSHIP_CENTRE: 3,
    }
    assert dict(s.device_kinds) == {
        DeviceKind.E_READING_TERMINAL: 6,
        DeviceKind.KIOSK: 3,
        DeviceKind.WIRELESS_AP: 5,
        DeviceKind.WIRELESS_CONTROLLER: 1,
        DeviceKind.SWITCH: 5,
        DeviceKind.SERVER: 1,
    }


def test_summary_of_undeclared_regions_uses_codes(tmp_path: Path) -> None:
    (tmp_path / "inv.yaml").write_text(
        "facilities:\n"
        '  - {id: a, name: A, kind: public_library, county: "510121"}\n'
        '  - {id: b, name: B, kind: border_station, county: "532502"}\n'
        "devices:\n  - {id: d, kind: kiosk, facility: b}\n",
        encoding="utf-8",
    )
    s = summarise(load_inventory(tmp_path))
    assert s.provinces == [RegionCount("51", "51", 1, 0), RegionCount("53", "53", 1, 1)]
    assert [c.code for c in s.counties] == ["510121", "532502"]
    assert "边疆数字文化驿站" in render(s, "inv", "zh")
    assert "border_station" in render(s, "inv", "en")
