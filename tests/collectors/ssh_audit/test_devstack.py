"""``pdcs dev up``'s simulated IOS switches: in the dev inventory, and audited by ``pdcs audit``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from collectors.ssh_audit.rules import load_rules, rules_for
from devstack.fake_ios import dev_ios_devices, start_fake_ios
from devstack.procs import Managed
from devstack.simulated import write_dev_inventory
from devstack.snmpd import SnmpdServer
from devstack.snmpsim import SnmpsimServer
from inventory.load import load_inventory
from tests.conftest import EXAMPLES
from tests.support.cli import pdcs_argv, pdcs_env

N_IOS = len(rules_for(load_rules(), "cisco_ios"))


def test_dev_inventory_carries_auditable_switches(tmp_path: Path, snmpd: SnmpdServer) -> None:
    ios = start_fake_ios(tmp_path / "ios", dev_ios_devices("dev-Pw-1", "dev-En-1"))
    try:
        # No snmpsim process is needed for this: an SnmpsimServer with no recordings adds no device.
        sim = SnmpsimServer("127.0.0.1", 1, tmp_path, (), "u", "a", "p", Managed("none", [], tmp_path / "log"))
        inv_dir = write_dev_inventory(EXAMPLES, tmp_path / "inventory", snmpd, sim, ios=ios)
        inv = load_inventory(inv_dir)
        assert {d.id for d in inv.devices.values() if d.ssh_profile} == {"sim-ios-compliant", "sim-ios-noncompliant"}
        assert "dev-Pw-1" not in "".join(p.read_text(encoding="utf-8") for p in inv_dir.rglob("*.yaml"))
        run = subprocess.run(
            pdcs_argv("audit", "--inventory", str(inv_dir), "--records", str(tmp_path / "rec"), "--json"),
            env=pdcs_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 1, run.stderr
        summary = {r["device"]: r["summary"] for r in json.loads(run.stdout)}
        assert summary["sim-ios-compliant"] == {"pass": N_IOS, "fail": 0, "unknown": 0}
        assert summary["sim-ios-noncompliant"] == {"pass": 0, "fail": N_IOS, "unknown": 0}
    finally:
        ios.stop()
