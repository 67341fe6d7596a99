"""The SNMP collector against the real snmpd: v2c, v3 authPriv, failures, rates."""

from __future__ import annotations

import asyncio
from pathlib import Path

import yaml

from collectors.snmp.collector import SnmpCollector
from inventory.models import Inventory
from pdcs.points import DEVICE_UP, INTERFACE, Point
from tests.collectors.conftest import target


def _up(points: list[Point]) -> Point:
    (up,) = [p for p in points if p.measurement == DEVICE_UP]
    return up


async def test_v2c_poll_reads_system_and_interfaces(lab: Inventory) -> None:
    col = SnmpCollector(lab.snmp_profiles)
    points = await col.collect(target(lab, "sw-v2c"))
    up = _up(points)
    assert up.fields["up"] == 1
    assert float(up.fields["uptime_s"]) > 0
    assert up.tags["source"] == "snmp" and up.tags["county"] == "510121" and up.tags["province"] == "51"
    ifs = {p.tags["ifname"]: p for p in points if p.measurement == INTERFACE}
    assert "lo" in ifs
    lo = ifs["lo"]
    assert lo.tags["uplink"] == "1"
    assert all(p.tags["uplink"] == "0" for n, p in ifs.items() if n != "lo")
    assert lo.fields["oper_up"] == 1
    assert isinstance(lo.fields["in_octets"], int) and lo.fields["in_octets"] > 0
    assert "in_bps" not in lo.fields  # no previous sample yet


async def test_v3_authpriv_poll(lab: Inventory) -> None:
    col = SnmpCollector(lab.snmp_profiles)
    points = await col.collect(target(lab, "sw-v3"))
    assert _up(points).fields["up"] == 1
    assert any(p.measurement == INTERFACE for p in points)


async def test_wrong_community_and_dead_device_are_down_with_error(lab: Inventory) -> None:
    col = SnmpCollector(lab.snmp_profiles)
    for dev in ("sw-wrong", "sw-dead"):
        up = _up(await col.collect(target(lab, dev)))
        assert up.fields["up"] == 0
        assert str(up.fields["error"]).startswith("timeout:")
    assert col.failures["timeout"] == 2


async def test_second_poll_writes_rates_that_are_sane(lab: Inventory) -> None:
    col = SnmpCollector(lab.snmp_profiles)
    await col.collect(target(lab, "sw-v2c"))
    # snmpd caches IF-MIB for a few seconds; traffic on lo between polls makes counters move.
    await asyncio.sleep(1.2)
    points = await col.collect(target(lab, "sw-v2c"))
    rated = [p for p in points if p.measurement == INTERFACE and "in_bps" in p.fields]
    assert rated, "no interface got a rate on the second poll"
    for p in rated:
        assert float(p.fields["in_bps"]) >= 0 and float(p.fields["out_bps"]) >= 0
        if "in_util_pct" in p.fields:
            assert 0 <= float(p.fields["in_util_pct"]) <= 100


async def test_secret_never_in_error(lab: Inventory, tmp_path: Path) -> None:
    # A profile whose secret is missing reports the reference, not a value.
    (tmp_path / "secrets.yaml").write_text(yaml.safe_dump({"other": "x"}), encoding="utf-8")
    col = SnmpCollector(lab.snmp_profiles)
    up = _up(await col.collect(target(lab, "sw-v2c")))
    assert up.fields["up"] == 0
    assert str(up.fields["error"]).startswith("credentials:")
    assert "community" in str(up.fields["error"])
    assert "public" not in str(up.fields["error"])
