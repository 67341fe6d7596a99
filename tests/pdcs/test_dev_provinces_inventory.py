"""The dev inventory spread over provinces (devstack/provinces.py), loaded by the real inventory loader."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from devstack.provinces import MAX_PROVINCES, STAY, province_codes, spread_devices
from devstack.simulated import _copy_facilities
from inventory.load import load_inventory

EXAMPLES = Path(__file__).resolve().parents[2] / "inventory" / "examples"


def _dev_inventory(dest: Path) -> Path:
    """The examples' regions and facilities with simulated devices as write_dev_inventory names them."""
    _copy_facilities(EXAMPLES, dest)
    ids = [*sorted(STAY), *(f"sim-rec-{n}" for n in range(8))]
    devices = [{"id": i, "name": i, "kind": "switch", "facility": "jt-lib", "address": "127.0.0.1:1"} for i in ids]
    (dest / "simulated-devices.yaml").write_text(yaml.safe_dump({"devices": devices}), encoding="utf-8")
    return dest


def test_three_provinces_each_get_devices_and_the_named_ones_stay(tmp_path: Path) -> None:
    inventory = _dev_inventory(tmp_path / "inventory")
    spread = spread_devices(inventory, 3)
    assert list(spread) == ["51", "44", "33"]
    assert set(spread["51"]) >= STAY and spread["44"] and spread["33"]
    inv = load_inventory(inventory)
    for code, ids in spread.items():
        assert {inv.device_tags(inv.devices[i])["province"] for i in ids} == {code}
    assert inv.regions["440106"].name == "天河区" and inv.regions["44"].name == "广东省"


def test_one_province_leaves_the_inventory_as_it_is(tmp_path: Path) -> None:
    inventory = _dev_inventory(tmp_path / "inventory")
    before = (inventory / "simulated-devices.yaml").read_text(encoding="utf-8")
    assert set(spread_devices(inventory, 1)) == {"51"}
    assert (inventory / "simulated-devices.yaml").read_text(encoding="utf-8") == before
    assert not (inventory / "provinces.yaml").exists()


def test_the_number_of_provinces_is_bounded() -> None:
    assert len(province_codes(MAX_PROVINCES)) == len(set(province_codes(MAX_PROVINCES))) == MAX_PROVINCES
    with pytest.raises(ValueError, match="--provinces: 1 to 6, not 7"):
        province_codes(7)
