"""``pdcs discover`` in network namespaces the test creates, against real agents on several addresses.

Target namespace: net-snmp on .2 (in the inventory), snmpsim serving a Cisco
C3560 recording (CDP neighbours) on .3 and an H3C E528 recording (LLDP) on .5,
an address answering only ICMP on .4; the sweep runs inside the probe
namespace, where no route leads anywhere else.
"""

from __future__ import annotations

import bz2
import csv
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from collectors.discovery.guess import kind_of, vendor_of
from collectors.discovery.sweep import RangeError, targets
from devstack.netns import ProbeLab, probe_lab
from devstack.procs import require
from devstack.snmpsim import recordings_root, trim
from inventory.models import DeviceKind

KEEP = ("1.3.6.1.4.1.9.9.23.1.2.1.1", "1.0.8802.1.1.2.1.4")


def _snmpsim(lab: ProbeLab, base: Path, rec: str, address: str) -> None:
    data = base / f"data-{address}"
    data.mkdir(parents=True)
    raw = bz2.decompress((recordings_root() / f"{rec}.snmprec.bz2").read_bytes())
    (data / "public.snmprec").write_bytes(trim(raw, KEEP))  # community "public" = this file
    exe = Path(sys.executable).parent / "snmpsim-command-responder"
    cache = base / f"cache-{address}"
    lab.target.start(["env", "SNMPSIM_ALLOW_ROOT=true", str(exe), f"--data-dir={data}", f"--cache-dir={cache}",
                      f"--agent-udpv4-endpoint={address}:161"])  # fmt: skip


def _snmp_ready(lab: ProbeLab, address: str) -> bool:
    r = lab.probe.run(["snmpget", "-v2c", "-c", "public", "-t", "1", "-r", "0", "-Oqv", address, "1.3.6.1.2.1.1.5.0"])
    return r.returncode == 0


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ProbeLab, Path]]:
    base = tmp_path_factory.mktemp("discover")
    with probe_lab() as lab:
        net = f"10.77.{lab.n}"
        for host in (3, 4, 5):
            subprocess.run(["ip", "-n", lab.target.name, "addr", "add", f"{net}.{host}/24", "dev", "p1"], check=True)
        conf = base / "snmpd.conf"
        conf.write_text("rocommunity public\nsysName ns-snmpd\nsysLocation lab\n", encoding="utf-8")
        (base / "persist").mkdir()
        lab.target.start(["env", f"SNMP_PERSISTENT_DIR={base / 'persist'}", require("snmpd"), "-f", "-C", "-c",
                          str(conf), "-Lf", str(base / "snmpd.log"), "-p", str(base / "snmpd.pid"),
                          f"udp:{net}.2:161"])  # fmt: skip
        _snmpsim(lab, base, "network/switch/cisco-c3560", f"{net}.3")
        _snmpsim(lab, base, "network/switch/h3c-e528-2", f"{net}.5")
        deadline = time.monotonic() + 90
        while not all(_snmp_ready(lab, f"{net}.{h}") for h in (2, 3, 5)):
            assert time.monotonic() < deadline, "agents in the namespace did not answer"
            time.sleep(0.5)
        inv = base / "inventory"
        inv.mkdir()
        (inv / "secrets.yaml").write_text("community: public\n", encoding="utf-8")
        (inv / "inventory.yaml").write_text(
            yaml.safe_dump(
                {
                    "regions": [
                        {"code": "51", "name": "四川省"},
                        {"code": "5101", "name": "成都市"},
                        {"code": "510121", "name": "金堂县"},
                    ],
                    "facilities": [
                        {"id": "jt-lib", "name": "金堂县图书馆", "kind": "public_library", "county": "510121"}
                    ],
                    "snmp_profiles": [
                        {
                            "name": "county-v2c",
                            "version": "2c",
                            "timeout_s": 2,
                            "retries": 1,
                            "community": {"file": "secrets.yaml", "key": "community"},
                        }
                    ],
                    "devices": [
                        {
                            "id": "jt-core",
                            "kind": "switch",
                            "facility": "jt-lib",
                            "address": f"{net}.2",
                            "snmp_profile": "county-v2c",
                        }
                    ],
                },
                allow_unicode=True,
            ),
            encoding="utf-8",
        )
        yield lab, inv


def test_discover_finds_agents_and_proposes_rows(lab: tuple[ProbeLab, Path], tmp_path: Path) -> None:
    ns, inv = lab
    net = f"10.77.{ns.n}"
    out = tmp_path / "register.csv"
    r = ns.probe.python(["-m", "pdcs", "discover", "--subnet", f"{net}.0/29", "--profile", "county-v2c",
                         "--inventory", str(inv), "--out", str(out), "--rate", "200", "--timeout", "0.5"],
                        timeout=120)  # fmt: skip
    assert r.returncode == 0, r.stderr
    lines = {ln.split()[0]: ln for ln in r.stdout.splitlines() if ln.startswith("10.")}
    assert set(lines) == {f"{net}.{h}" for h in (1, 2, 3, 4, 5)}  # .1 is the probe namespace itself
    assert "清单中：jt-core" in lines[f"{net}.2"] and "ns-snmpd" in lines[f"{net}.2"]
    assert "仅 ICMP" in lines[f"{net}.4"] and "不在清单中" in lines[f"{net}.4"]
    assert "cisco switch" in lines[f"{net}.3"] and "h3c switch" in lines[f"{net}.5"]
    neighbours = [ln for ln in r.stdout.splitlines() if ln.startswith("    邻居")]
    assert len(neighbours) >= 10  # the C3560's CDP cache (9) and the E528's LLDP neighbour
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert {row["address"] for row in rows} == {f"{net}.{h}" for h in (1, 3, 4, 5)}  # jt-core is known
    cisco = next(row for row in rows if row["address"] == f"{net}.3")
    assert (cisco["kind"], cisco["vendor"], cisco["snmp_profile"]) == ("switch", "cisco", "county-v2c")
    icmp_only = next(row for row in rows if row["address"] == f"{net}.4")
    assert icmp_only["snmp_profile"] == "" and icmp_only["id"] == f"dev-{net.replace('.', '-')}-4"


def test_the_sweep_never_leaves_the_range(lab: tuple[ProbeLab, Path]) -> None:
    ns, _ = lab
    net = f"10.77.{ns.n}"
    code = (
        "import asyncio, json; from collectors.discovery.sweep import sweep; probed = []; "
        f"found = asyncio.run(sweep(['{net}.4/30', '{net}.2'], None, rate=50, timeout_s=0.3, probed=probed)); "
        "print(json.dumps([sorted(probed), sorted(f.address for f in found)]))"
    )
    r = ns.probe.python(["-c", code], timeout=60)
    assert r.returncode == 0, r.stderr
    probed, found = json.loads(r.stdout)
    assert probed == sorted([f"{net}.5", f"{net}.6", f"{net}.2"])  # the hosts of .4/30, and .2
    assert found == sorted([f"{net}.5", f"{net}.2"])


def test_ranges_and_guesses() -> None:
    assert targets(["10.0.0.0/30", "10.0.0.1", "10.0.0.2/32"]) == ["10.0.0.1", "10.0.0.2"]
    with pytest.raises(RangeError, match="at most"):
        targets(["10.0.0.0/8"])
    with pytest.raises(RangeError, match="IPv4"):
        targets(["fe80::/120"])
    with pytest.raises(RangeError, match="not a subnet"):
        targets(["county-lan"])
    assert vendor_of("1.3.6.1.4.1.2011.10.1.5") == "h3c" and vendor_of("1.3.6.1.4.1.2011.2.240") == "huawei"
    assert kind_of("1.3.6.1.4.1.8072.3.2.10", "Linux kiosk 6.1") == DeviceKind.SERVER
    assert kind_of("1.3.6.1.4.1.14823.1.1.32", "ArubaOS (MODEL: Aruba7210), Wireless LAN Controller") == (
        DeviceKind.WIRELESS_CONTROLLER
    )
    assert kind_of("1.3.6.1.4.1.25053.3.1.10", "SmartCell Gateway") == DeviceKind.WIRELESS_CONTROLLER
    assert kind_of("1.3.6.1.4.1.9.1.1069", "Cisco IOS Software, C3560") == DeviceKind.SWITCH
