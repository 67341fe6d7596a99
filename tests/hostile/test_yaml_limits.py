"""Item 1 of issue 15: YAML alias bombs and oversized registers are refused by every loader.

The attack: a county_staff user uploads ~600 bytes of nested YAML aliases to
``POST /inventory/import``. Before the limits the API stopped answering /health and
grew past 10 GB. Now: 422 with the reason in Chinese, /health answers within 2 s
throughout, and the server's peak memory (VmHWM from /proc) stays bounded.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from agents.config import ConfigError, load_config
from alert_rules.load import load_rules_file
from collectors.ssh_audit.rules import RulesError, load_rules
from inventory.load import read_inventory
from pdcs import yaml_guard
from tests.support.cli import pdcs_argv, pdcs_env

from .conftest import ApiProcess
from .probe import HealthWatch, peak_kb, rss_kb


def alias_bomb(levels: int = 9, fan: int = 9) -> str:
    """The "billion laughs": ``fan ** levels`` strings from a few hundred bytes."""
    out = 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, levels):
        out += f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * fan) + "]\n"
    return out


BOMB_DEVICES = alias_bomb() + "devices:\n  - {id: jt-bomb, kind: kiosk, facility: jt-lib, attributes: *a8}\n"


def test_guard_refuses_bombs_and_keeps_ordinary_aliases() -> None:
    with pytest.raises(yaml_guard.YamlLimitError) as bomb:
        yaml_guard.safe_load(alias_bomb())
    assert bomb.value.code == "yaml.alias_bomb"
    with pytest.raises(yaml_guard.YamlLimitError) as loop:
        yaml_guard.safe_load("x: &x [1, *x]")
    assert loop.value.code == "yaml.recursive"
    with pytest.raises(yaml_guard.YamlLimitError) as deep:
        yaml_guard.safe_load("[" * 65 + "]" * 65)
    assert deep.value.code == "yaml.too_deep"
    with pytest.raises(yaml_guard.YamlLimitError) as big:
        yaml_guard.safe_load("a: 1\n", yaml_guard.YamlLimits(max_bytes=3))
    assert big.value.code == "yaml.too_large"
    many = "base: &b 1\nl: [" + ",".join(["*b"] * 20) + "]\n"
    with pytest.raises(yaml_guard.YamlLimitError):
        yaml_guard.safe_load(many, yaml_guard.YamlLimits(max_aliases=10))
    # what people write: anchors reused a few times, merge keys
    text = "p: &p {interval_s: 60, timeout_s: 2}\na: *p\nb: {<<: *p, timeout_s: 5}\n"
    assert yaml_guard.safe_load(text) == {
        "p": {"interval_s": 60, "timeout_s": 2},
        "a": {"interval_s": 60, "timeout_s": 2},
        "b": {"interval_s": 60, "timeout_s": 5},
    }


def test_every_yaml_loader_refuses_the_bomb(tmp_path: Path) -> None:
    (tmp_path / "inv").mkdir()
    (tmp_path / "inv" / "devices.yaml").write_text(BOMB_DEVICES, encoding="utf-8")
    _inv, problems = read_inventory(tmp_path / "inv")
    assert [(p.field, p.text("zh").split(": ")[-1]) for p in problems] == [
        ("yaml", "已拒绝：别名展开后将超过 100000 个额外节点（别名炸弹，上限 PDCS_YAML_MAX_ALIAS_NODES）")
    ]
    rules = tmp_path / "rules.yaml"
    rules.write_text(alias_bomb() + "rules: []\n", encoding="utf-8")
    _rules, msgs = load_rules_file(rules)
    assert len(msgs) == 1 and "alias bomb" in msgs[0]
    agent = tmp_path / "agent.yaml"
    agent.write_text(alias_bomb(), encoding="utf-8")
    with pytest.raises(ConfigError, match="alias bomb"):
        load_config(agent)
    baseline = tmp_path / "baselines"
    baseline.mkdir()
    (baseline / "cisco_ios.yaml").write_text(alias_bomb() + "rules: []\n", encoding="utf-8")
    with pytest.raises(RulesError, match="alias bomb"):
        load_rules(baseline)


def test_csv_register_row_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PDCS_CSV_MAX_ROWS", "3")
    rows = "".join(f"jt-k{i},kiosk,jt-lib\n" for i in range(5))
    (tmp_path / "devices.csv").write_text("id,kind,facility\n" + rows, encoding="utf-8")
    _inv, problems = read_inventory(tmp_path)
    assert [(p.line, p.field, p.text("zh").split(": ")[-1]) for p in problems] == [
        (5, "csv", "超过 3 行，已拒绝（上限 PDCS_CSV_MAX_ROWS）")
    ]


def test_inventory_check_cli_refuses_the_bomb_quickly(tmp_path: Path) -> None:
    (tmp_path / "devices.yaml").write_text(BOMB_DEVICES, encoding="utf-8")
    run = subprocess.run(
        pdcs_argv("inventory", "check", str(tmp_path)), env=pdcs_env(), capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "别名炸弹" in run.stdout + run.stderr


def test_api_upload_of_a_bomb_is_refused_and_the_api_stays_up(api_process: ApiProcess) -> None:
    before = rss_kb(api_process.pid)
    files = [("files", ("devices.yaml", BOMB_DEVICES.encode(), "application/yaml"))]
    with HealthWatch(f"{api_process.url}/health") as watch:
        for _ in range(5):
            r = httpx.post(
                f"{api_process.url}/inventory/import", files=files, headers=api_process.auth("jt-staff"), timeout=30
            )
            assert r.status_code == 422, r.text
    assert any("别名炸弹" in p for p in r.json()["problems"]), r.json()
    assert watch.all_answered(), watch.answers
    assert peak_kb(api_process.pid) < before + 100 * 1024, (before, peak_kb(api_process.pid))
    assert "inventory import refused: user=jt-staff" in api_process.log.read_text()


def test_api_refuses_an_oversized_upload(api_process: ApiProcess) -> None:
    big = b"#" * (21 * 1024 * 1024)
    r = httpx.post(
        f"{api_process.url}/inventory/import",
        files=[("files", ("devices.yaml", big, "application/yaml"))],
        headers=api_process.auth("jt-staff"),
        timeout=60,
    )
    assert r.status_code == 413
    assert "20" in r.json()["detail"]


def test_api_refuses_a_body_beyond_its_ceiling(api_process: ApiProcess) -> None:
    """Any route, even before authentication: 413 from Content-Length, or while the body streams in."""
    before = rss_kb(api_process.pid)
    huge = b"x" * (26 * 1024 * 1024)

    def chunks() -> Iterator[bytes]:  # a well-formed multipart upload, streamed without a Content-Length
        yield b'--x\r\nContent-Disposition: form-data; name="files"; filename="a.yaml"\r\n\r\n'
        for i in range(0, len(huge), 1024 * 1024):
            yield huge[i : i + 1024 * 1024]
        yield b"\r\n--x--\r\n"

    with HealthWatch(f"{api_process.url}/health") as watch:
        declared = httpx.post(f"{api_process.url}/devices", content=huge, timeout=60)
        assert declared.status_code == 413 and "上限 25 MB" in declared.json()["detail"]
        try:
            streamed = httpx.post(
                f"{api_process.url}/inventory/import",
                content=chunks(),
                headers={**api_process.auth("jt-staff"), "Content-Type": "multipart/form-data; boundary=x"},
                timeout=60,
            )
            assert streamed.status_code == 413
        except httpx.HTTPError:
            pass  # the server may close the connection while the client still sends: refused either way
    assert watch.all_answered(), watch.answers
    assert peak_kb(api_process.pid) < before + 100 * 1024
