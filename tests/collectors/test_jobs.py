"""The jobs a collector builds from an inventory: every part wired, none silently missing (issue 13.2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from collectors.service import Collectors, build_jobs
from inventory.load import load_inventory
from pdcs.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def test_an_audited_device_gets_its_audit_job(examples_dir: Path, tmp_path: Path) -> None:
    inv = load_inventory(examples_dir)
    audited = sorted(d.id for d in inv.devices.values() if d.ssh_profile and d.address and d.enabled)
    assert audited, "the example inventory has devices with an SSH profile"
    settings = Settings(audit_interval_s=7200, audit_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    jobs = build_jobs(inv, Collectors.of(inv, settings))
    audits = {j.target.device.id: j for j in jobs if j.collector.name == "ssh_audit"}
    assert sorted(audits) == audited  # a missing audit job fails here, it does not become a log line
    assert all(j.detached and j.interval_s == 7200 for j in audits.values())
    agents = {j.target.device.id for j in jobs if j.collector.name == "prometheus"}
    assert agents == {d.id for d in inv.devices.values() if d.agent_url and d.enabled}


def test_a_broken_part_fails_loudly() -> None:
    """With the SSH audit's parser missing, the collector service does not start (it used to drop every audit)."""
    code = "import sys; sys.modules['ciscoconfparse2'] = None; import collectors.service"
    res = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert res.returncode != 0
    assert "ciscoconfparse2" in res.stderr


def test_pdcs_help_does_not_import_the_config_parser_nor_sqlalchemy() -> None:
    """ciscoconfparse2, then SQLAlchemy (through ``pdcs db``) were most of ``pdcs --help``'s time."""
    code = "import sys, pdcs.cli; print(sorted({'ciscoconfparse2', 'sqlalchemy'} & set(sys.modules)))"
    res = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert res.stdout.strip() == "[]", res.stderr
