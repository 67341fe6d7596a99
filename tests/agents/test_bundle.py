"""The offline install bundle: built without network, installed without network or pip, and it runs."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

from agents import __version__
from agents.packaging.bundle import build
from devstack.procs import Managed, free_port

# The interpreter the venv was made from: it has none of the agent's dependencies installed.
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("dist"))


def test_bundle_installs_offline_and_runs(tmp_path: Path, archive: Path) -> None:
    assert archive.name == f"pdcs-agent-{__version__}-linux-x86_64.tar.gz"
    with tarfile.open(archive) as tf:
        tf.extractall(tmp_path / "unpacked", filter="data")
    bundle = tmp_path / "unpacked" / archive.name.removesuffix(".tar.gz")
    wheels = sorted(p.name.split("-")[0].lower() for p in (bundle / "wheels").glob("*.whl"))
    assert wheels == ["pdcs_agent", "prometheus_client", "psutil", "pyyaml"]

    root = tmp_path / "target"
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHON": BASE_PYTHON,
        "PREFIX": str(root / "opt/pdcs-agent"),
        "ETC": str(root / "etc/pdcs-agent"),
        "STATE": str(root / "var/lib/pdcs-agent"),
        "SYSTEMD_DIR": str(root / "etc/systemd/system"),
        "NO_START": "1",
    }
    res = subprocess.run(["sh", str(bundle / "install.sh")], env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().endswith(f"pdcs-agent {__version__}")

    unit = (root / "etc/systemd/system/pdcs-agent.service").read_text()
    assert "@" not in unit.replace("multi-user", "")
    assert f"ExecStart={root}/opt/pdcs-agent/bin/pdcs-agent --config {root}/etc/pdcs-agent/agent.yaml run" in unit
    assert f"ReadWritePaths={root}/var/lib/pdcs-agent" in unit
    config = root / "etc/pdcs-agent/agent.yaml"
    assert "listen: 0.0.0.0:9750" in config.read_text()

    launcher = str(root / "opt/pdcs-agent/bin/pdcs-agent")
    clean = {"PATH": "/usr/bin:/bin"}
    port = free_port()
    (tmp_path / "scrape-token").write_text("s3cret-scrape\n", encoding="utf-8")
    text = config.read_text().replace("0.0.0.0:9750", f"127.0.0.1:{port}")
    config.write_text(text + f"scrape_token: {{file: {tmp_path / 'scrape-token'}}}\n", encoding="utf-8")
    checks = subprocess.run(
        [launcher, "--config", str(config), "checks", "--json"], env=clean, capture_output=True, text=True, timeout=120
    )
    assert checks.returncode in (0, 1), checks.stderr
    assert json.loads(checks.stdout)["count"] == 10

    agent = Managed("installed-agent", [launcher, "--config", str(config), "run"], tmp_path / "agent.log", env=clean)
    # Managed merges os.environ; the launcher sets PYTHONPATH itself and runs with -s, so the venv is not used.
    agent.start()
    try:
        agent.wait_ready(lambda: httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200)
        assert httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).status_code == 401
        auth = {"Authorization": "Bearer s3cret-scrape"}
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", headers=auth, timeout=5).text
        assert f'version="{__version__}"' in metrics and "pdcs_host_memory_used_percent" in metrics
    finally:
        agent.stop()


def test_wheels_are_valid_for_pip(tmp_path: Path, archive: Path) -> None:
    with tarfile.open(archive) as tf:
        tf.extractall(tmp_path / "u", filter="data")
    wheels = next((tmp_path / "u").iterdir()) / "wheels"
    res = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-index", "--find-links", str(wheels), "--target",
         str(tmp_path / "site"), "--quiet", "--disable-pip-version-check", "pdcs-agent"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "site/agents/checks/firewall.py").exists()
    assert (tmp_path / "site/bin/pdcs-agent").exists()


def test_windows_service_definition() -> None:
    svc = ET.parse(Path(__file__).parents[2] / "agents/packaging/pdcs-agent.xml").getroot()
    assert svc.findtext("id") == "pdcs-agent"
    assert svc.findtext("executable") == r"%BASE%\python\python.exe"
    assert "-m agents" in (svc.findtext("arguments") or "") and "agent.yaml" in (svc.findtext("arguments") or "")
    assert svc.findtext("startmode") == "Automatic"
    assert {e.get("name"): e.get("value") for e in svc.findall("env")}["PYTHONPATH"] == r"%BASE%\lib"


def test_windows_bundle_layout(tmp_path: Path) -> None:
    import zipfile

    from agents.packaging.bundle import repack_installed

    wheels = tmp_path / "win-wheels"
    wheels.mkdir()
    repack_installed("prometheus-client", wheels)  # pure Python: the same wheel serves Windows
    extra = tmp_path / "extra"
    (extra / "python").mkdir(parents=True)
    (extra / "python" / "python.exe").write_bytes(b"MZ")
    (extra / "pdcs-agent.exe").write_bytes(b"MZ")
    archive = build(tmp_path / "dist", wheels=wheels, extra=extra, platform="windows")
    assert archive.name == f"pdcs-agent-{__version__}-windows-x86_64.zip"
    names = set(zipfile.ZipFile(archive).namelist())
    top = archive.name.removesuffix(".zip")
    for f in (
        "install-windows.ps1",
        "pdcs-agent.xml",
        "pdcs-agent.exe",
        "python/python.exe",
        "agent.example.yaml",
        f"wheels/pdcs_agent-{__version__}-py3-none-any.whl",
        "wheels/prometheus_client-0.26.0-py3-none-any.whl",
    ):
        assert f"{top}/{f}" in names
    assert any(n.startswith(f"{top}/wheels/prometheus_client-") for n in names)
