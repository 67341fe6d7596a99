"""``pdcs audit`` in a child process against the simulated switches."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from collectors.ssh_audit.rules import load_rules, rules_for
from devstack.fake_ios import FakeIosServer
from devstack.influxdb import InfluxServer
from pdcs.storage import InfluxDB
from tests.support.cli import pdcs_argv, pdcs_env

from .conftest import ENABLE, PASSWORD

N_IOS = len(rules_for(load_rules(), "cisco_ios"))
UP = "vendor: cisco, uplink_interface: Vlan100"  # the seeds' routed uplink (GB/T 22239 8.1.3.1 rule)


def _inventory(folder: Path, fake_ios: FakeIosServer) -> Path:
    folder.mkdir()
    (folder / "secrets.yaml").write_text(f"ssh: '{PASSWORD}'\nenable: '{ENABLE}'\n", encoding="utf-8")
    (folder / "inv.yaml").write_text(
        f"""regions:
  - {{code: "51", name: 四川省}}
facilities:
  - {{id: lib, name: 县图书馆, kind: public_library, county: "510121"}}
  - {{id: town, name: 镇文化站, kind: township_centre, county: "510122"}}
ssh_profiles:
  - name: ios
    username: admin
    password: {{file: secrets.yaml, key: ssh}}
    secret: {{file: secrets.yaml, key: enable}}
    timeout_s: 5
devices:
  - {{id: lib-sw, kind: switch, facility: lib, address: "{fake_ios.address("good")}", ssh_profile: ios, {UP}}}
  - {{id: town-sw, kind: switch, facility: town, address: "{fake_ios.address("bad")}", ssh_profile: ios, {UP}}}
  - {{id: town-ap, kind: wireless_ap, facility: town, vendor: huawei}}
""",
        encoding="utf-8",
    )
    return folder


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(pdcs_argv("audit", *args), env=pdcs_env(**env), capture_output=True, text=True, timeout=120)


def test_audit_command(tmp_path: Path, fake_ios: FakeIosServer, influx_server: InfluxServer) -> None:
    inv = _inventory(tmp_path / "inv", fake_ios)
    records = tmp_path / "records"
    db = "audit_cli"
    env = {"PDCS_INFLUX_URL": influx_server.url, "PDCS_INFLUX_DB": db,
           "PDCS_CONFIG_HISTORY_DIR": str(tmp_path / "history")}  # fmt: skip

    everything = _run("--inventory", str(inv), "--records", str(records), "--write", **env)
    assert everything.returncode == 1, everything.stderr  # town-sw fails
    assert "town-sw（cisco_ios）：通过 0 项" in everything.stdout
    assert f"lib-sw（cisco_ios）：通过 {N_IOS} 项，不通过 0 项" in everything.stdout
    assert "[2/2]" in everything.stderr  # progress
    assert {p.name for p in records.iterdir()} == {"lib-sw.json", "town-sw.json"}
    assert {p.name for p in (tmp_path / "history").glob("*.cfg")} == {"lib-sw.cfg", "town-sw.cfg"}  # versions kept
    assert PASSWORD not in everything.stdout + everything.stderr
    with InfluxDB(url=influx_server.url, database=db) as client:
        counts = client.query('SELECT count("status") FROM "security_check" GROUP BY "device"')
        assert {s.tags["device"]: s.rows()[0]["count"] for s in counts} == {"lib-sw": N_IOS, "town-sw": N_IOS}
        client.execute(f'DROP DATABASE "{db}"')

    county = _run("--inventory", str(inv), "--records", str(records), "--region", "510121", "--json", "--lang", "en",
                  PDCS_CONFIG_HISTORY_DIR=str(tmp_path / "history"))  # fmt: skip
    assert county.returncode == 0, county.stdout + county.stderr
    data = json.loads(county.stdout)
    assert [d["device"] for d in data] == ["lib-sw"] and data[0]["summary"]["fail"] == 0

    assert _run("--inventory", str(tmp_path / "missing")).returncode == 2
    assert _run("--inventory", str(inv), "--device", "town-ap").returncode == 2  # no SSH profile: nothing to audit
