"""SNMP traps sent by net-snmp's snmptrap (v2c and v3) into the real receiver."""

from __future__ import annotations

import asyncio
from pathlib import Path

from collectors.snmp.collector import SnmpCollector
from collectors.traps import TrapReceiver
from devstack.procs import free_udp_port, require
from devstack.snmpd import SnmpdServer
from inventory.models import Inventory
from pdcs.points import DEVICE_UP, SNMP_TRAP, Point
from tests.collectors.conftest import make_inventory, snmpd_secrets, target, v2c_profile, v3_profile

ENGINE_ID = "0x8000000001020304"


async def snmptrap(*args: str) -> None:
    proc = await asyncio.create_subprocess_exec(
        require("snmptrap"), "-m", "", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()


async def _wait_for(seen: list[Point], n: int) -> None:
    for _ in range(600):
        if len(seen) >= n:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"after 30 s, {len(seen)} of {n} points: {[(p.measurement, dict(p.tags)) for p in seen]}")


def _inventory(tmp_path: Path, snmpd: SnmpdServer) -> Inventory:
    # One device per (host, profile): traps are routed by source address and community / user.
    return make_inventory(
        tmp_path,
        [
            {"id": "sw-v2c", "address": snmpd.address, "snmp_profile": "v2c", "uplink_interface": "lo"},
            {"id": "sw-v3", "address": snmpd.address, "snmp_profile": "v3"},
        ],
        [v2c_profile(timeout_s=2, retries=2), v3_profile(snmpd, timeout_s=2, retries=2)],
        snmpd_secrets(snmpd),
    )


async def test_v2c_and_v3_traps_become_points_at_once(tmp_path: Path, snmpd: SnmpdServer) -> None:
    inv = _inventory(tmp_path, snmpd)
    poller = SnmpCollector(inv.snmp_profiles)
    await poller.collect(target(inv, "sw-v2c"))  # learns ifindex → name and the uplink (lo)
    uplink, names = poller.interface_view("sw-v2c")
    assert uplink is not None and names[uplink] == "lo"
    seen: list[Point] = []

    async def sink(points: list[Point]) -> None:
        seen.extend(points)

    port = free_udp_port()
    rx = TrapReceiver(inv, sink, host="127.0.0.1", port=port, engine_ids=[ENGINE_ID], interfaces=poller.interface_view)
    rx.start()
    try:
        dest = f"127.0.0.1:{port}"
        # v2c linkDown of the uplink: a trap point and device_up up=0 from the trap.
        await snmptrap(
            "-v", "2c", "-c", snmpd.community, dest, "", "1.3.6.1.6.3.1.1.5.3",
            f"1.3.6.1.2.1.2.2.1.1.{uplink}", "i", uplink,
            f"1.3.6.1.2.1.2.2.1.7.{uplink}", "i", "1", f"1.3.6.1.2.1.2.2.1.8.{uplink}", "i", "2",
        )  # fmt: skip
        await _wait_for(seen, 2)
        # v3 authPriv coldStart from the other device.
        await snmptrap(
            "-v", "3", "-e", ENGINE_ID, "-u", snmpd.v3_user, "-l", "authPriv", "-a", "SHA", "-A", snmpd.v3_auth_key,
            "-x", "AES", "-X", snmpd.v3_priv_key, dest, "", "1.3.6.1.6.3.1.1.5.1",
        )  # fmt: skip
        await _wait_for(seen, 3)
        # v3 inform (acknowledged; authenticated with the receiver's own engine ID, no -e needed).
        await snmptrap(
            "-Ci", "-v", "3", "-u", snmpd.v3_user, "-l", "authPriv", "-a", "SHA", "-A", snmpd.v3_auth_key,
            "-x", "AES", "-X", snmpd.v3_priv_key, "-r", "1", "-t", "3", dest, "", "1.3.6.1.6.3.1.1.5.2",
        )  # fmt: skip
        await _wait_for(seen, 4)
        # A wrong community is not a device of ours: counted, nothing written.
        await snmptrap("-v", "2c", "-c", "not-ours", dest, "", "1.3.6.1.6.3.1.1.5.4")
        await asyncio.sleep(0.3)
    finally:
        rx.close()
    traps = [p for p in seen if p.measurement == SNMP_TRAP]
    assert [(p.tags["device"], p.tags["trap"]) for p in traps] == [
        ("sw-v2c", "linkDown"),
        ("sw-v3", "coldStart"),
        ("sw-v3", "warmStart"),
    ]
    assert traps[0].tags["ifindex"] == uplink
    assert "ifName=lo" in str(traps[0].fields["detail"]) and "ifOperStatus=2" in str(traps[0].fields["detail"])
    (down,) = [p for p in seen if p.measurement == DEVICE_UP]
    assert down.tags["source"] == "trap" and down.tags["device"] == "sw-v2c" and down.fields["up"] == 0
    assert rx.counts["written"] == 3


def test_unknown_and_other_traps_are_counted_not_written(tmp_path: Path, snmpd: SnmpdServer) -> None:
    inv = _inventory(tmp_path, snmpd)

    async def sink(points: list[Point]) -> None:
        raise AssertionError("nothing should be written")

    rx = TrapReceiver(inv, sink)
    rx._routes = {("127.0.0.1", "p-v2c"): [target(inv, "sw-v2c")]}
    assert rx.points_for("10.9.9.9", "p-v2c", [("1.3.6.1.6.3.1.1.4.1.0", "1.3.6.1.6.3.1.1.5.3")], 1) == []
    assert rx.points_for("127.0.0.1", "p-v2c", [("1.3.6.1.6.3.1.1.4.1.0", "1.3.6.1.4.1.9.0.1")], 1) == []
    assert (rx.counts["unknown_source"], rx.counts["ignored"]) == (1, 1)
