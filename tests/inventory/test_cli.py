"""``pdcs inventory check`` and ``show``: exit codes, output, and no secret values anywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pdcs.cli import app
from tests.inventory.helpers import DATA, line_of

runner = CliRunner()

EXAMPLE_SECRETS = {
    "PDCS_SECRET_SNMP_COUNTY": "county-community-5150",
    "PDCS_SECRET_SNMP_V3_AUTH": "v3-auth-key-8086",
    "PDCS_SECRET_SNMP_V3_PRIV": "v3-priv-key-6502",
    "PDCS_SECRET_SSH_COUNTY": "ssh-password-2600",
}


def test_check_examples_exits_0_with_chinese_summary(examples_dir: Path) -> None:
    result = runner.invoke(app, ["inventory", "check", str(examples_dir)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "没有发现问题" in out
    assert "场馆 5 个，设备 21 台，SNMP 凭据 2 个，SSH 凭据 1 个。" in out
    assert "510121 金堂县（成都市）" in out and "51 四川省" in out
    assert "按场馆类型" in out and "乡镇综合文化服务中心" in out


def test_check_summary_in_english(examples_dir: Path) -> None:
    result = runner.invoke(app, ["inventory", "check", str(examples_dir), "--lang", "en"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "facilities: 5, devices: 21, SNMP profiles: 2, SSH profiles: 1." in lines
    assert any(line.split() == ["township_centre", "3"] for line in lines)
    assert any(line.split() == ["e_reading_terminal", "6"] for line in lines)


def test_check_with_problems_prints_each_and_exits_1() -> None:
    f = DATA / "unknown_references.yaml"
    result = runner.invoke(app, ["inventory", "check", str(f)])
    assert result.exit_code == 1
    where = f"{f}:{line_of(f, 'facility: jt-libb')}: devices[sw1].facility:"
    assert f"{where} 未定义的场馆 'jt-libb'；是否应为 'jt-lib'？" in result.output
    assert "发现 3 个问题" in result.output
    english = runner.invoke(app, ["inventory", "check", str(f), "--lang", "en"])
    assert f"{where} unknown facility 'jt-libb'; did you mean 'jt-lib'?" in english.output
    assert "3 problem(s) found." in english.output


def test_check_missing_path_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["inventory", "check", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "路径不存在" in result.output


def test_check_without_path_is_usage_error() -> None:
    assert runner.invoke(app, ["inventory", "check"]).exit_code == 2


def test_show_json_has_references_not_secret_values(examples_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in EXAMPLE_SECRETS.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["inventory", "show", str(examples_dir), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert len(data["devices"]) == 21 and len(data["facilities"]) == 5
    assert data["snmp_profiles"]["county-v2c"]["community"] == {
        "env": "PDCS_SECRET_SNMP_COUNTY",
        "file": None,
        "key": None,
    }
    assert data["facilities"]["jt-lib"]["opening_hours"]["tue"] == ["09:00-20:30"]
    for value in EXAMPLE_SECRETS.values():
        assert value not in result.output


def test_show_lists_devices_by_facility(examples_dir: Path) -> None:
    result = runner.invoke(app, ["inventory", "show", str(examples_dir)])
    assert result.exit_code == 0
    assert "jt-lib  金堂县图书馆  (公共图书馆)" in result.output
    assert "jt-lib-ac01  无线控制器  10.51.121.2" in result.output


def test_error_output_never_shows_secret_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PDCS_TEST_COMMUNITY", "env-community-9999")
    f = tmp_path / "profiles.yaml"
    f.write_text(
        "snmp_profiles:\n"
        "  - {name: ok, community: {env: PDCS_TEST_COMMUNITY}, port: 99999}\n"
        "  - {name: inline, community: inline-community-7777}\n"
        "  - {name: nested, community: {env: X, value: nested-community-6666}}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["inventory", "check", str(f)])
    assert result.exit_code == 1
    assert result.output.count(str(f)) == 3
    for value in ("env-community-9999", "inline-community-7777", "nested-community-6666"):
        assert value not in result.output


def test_resolve_secrets_names_missing_references_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PDCS_TEST_SET", "set-value-1234")
    monkeypatch.delenv("PDCS_TEST_UNSET", raising=False)
    (tmp_path / "creds.yaml").write_text("v3-auth: file-value-5678\n", encoding="utf-8")
    f = tmp_path / "profiles.yaml"
    f.write_text(
        "snmp_profiles:\n"
        "  - {name: a, community: {env: PDCS_TEST_SET}}\n"
        "  - {name: b, community: {env: PDCS_TEST_UNSET}}\n"
        "  - name: c\n"
        "    version: 3\n"
        "    user: u\n"
        "    auth_protocol: SHA\n"
        "    auth_key: {file: creds.yaml, key: v3-auth}\n"
        "    priv_protocol: AES\n"
        "    priv_key: {file: creds.yaml, key: v3-priv}\n",
        encoding="utf-8",
    )
    plain = runner.invoke(app, ["inventory", "check", str(tmp_path)])
    assert plain.exit_code == 0  # references are not resolved unless asked
    result = runner.invoke(app, ["inventory", "check", str(tmp_path), "--resolve-secrets"])
    assert result.exit_code == 1
    problem_lines = [line for line in result.output.splitlines() if line.startswith(str(f))]
    assert problem_lines == [
        f"{f}:3: snmp_profiles[b].community: 环境变量 PDCS_TEST_UNSET 未设置",
        f"{f}:10: snmp_profiles[c].priv_key: 密钥文件 {tmp_path / 'creds.yaml'} 中没有键 'v3-priv'",
    ]
    assert "set-value-1234" not in result.output and "file-value-5678" not in result.output
