"""``pdcs notify check`` and ``pdcs notify test``: file:line: field messages, secrets never shown, real answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from devstack.robots import Robot, RobotServer
from pdcs.cli import app

GOOD = """\
links:
  grafana: "http://grafana.local/d/pdcs-device?var-device={device}"
channels:
  jt:
    type: dingtalk
    url: {env: TEST_DINGTALK_URL}
    secret: {file: secrets.yaml, key: dingtalk_jt}
    keywords: [告警]
  ops-mail:
    type: email
    host: smtp.example.org
    sender: pdcs@example.org
    to: [oncall@example.org]
    password: {env: TEST_SMTP_PASSWORD}
routes:
  - name: 金堂县
    match: {region: "510121", severity: [critical, major]}
    channels: [jt]
    quiet_hours: {start: "22:00", end: "08:00"}
    escalate:
      - {after: 30m, channels: [ops-mail]}
health: {failing_for: 10m, channels: [ops-mail]}
"""

BAD = """\
channels:
  jt:
    type: dingtalk
    url: https://oapi.dingtalk.com/robot/send?access_token=abc123
    secret: SECplain
  sms:
    type: sms
    url: http://gw.local/send
    to: []
routes:
  - name: 金堂县
    match: {region: "5101211"}
    channels: [jt, nowhere]
    quiet_hours: {start: "25:00", end: "08:00"}
"""


def test_check_accepts_a_good_file(tmp_path: Path) -> None:
    f = tmp_path / "notify.yaml"
    f.write_text(GOOD, encoding="utf-8")
    result = CliRunner().invoke(app, ["notify", "check", str(f)])
    assert result.exit_code == 0, result.output
    assert "jt" in result.output and "≤ 20/min" in result.output and "30 min: ops-mail" in result.output


def test_check_names_file_line_and_field(tmp_path: Path) -> None:
    f = tmp_path / "notify.yaml"
    f.write_text(BAD, encoding="utf-8")
    result = CliRunner().invoke(app, ["notify", "check", str(f)])
    assert result.exit_code == 1
    out = result.output
    assert f"{f}:5: channels.jt.secret: secrets must not be written in the file" in out
    assert f"{f}:4: channels.jt.url: the robot URL carries its token" in out
    assert "abc123" not in out and "SECplain" not in out


def test_check_names_validation_problems(tmp_path: Path) -> None:
    f = tmp_path / "notify.yaml"
    f.write_text(BAD.replace("    secret: SECplain\n", "").replace("?access_token=abc123", ""), encoding="utf-8")
    result = CliRunner().invoke(app, ["notify", "check", str(f)])
    assert result.exit_code == 1
    out = result.output
    assert f"{f}:8: channels.sms.to:" in out
    assert f"{f}:11: routes.0.match.region:" in out and "GB/T 2260" in out
    assert f"{f}:13: routes.0.quiet_hours.start:" in out


@pytest.mark.parametrize("down", [False, True])
def test_notify_test_says_what_the_service_answered(
    tmp_path: Path, robots: RobotServer, monkeypatch: pytest.MonkeyPatch, down: bool
) -> None:
    url = robots.add(Robot("dingtalk", "tok", secret="SEC-right", keywords=("告警",)))
    (tmp_path / "secrets.yaml").write_text("dingtalk_jt: SEC-right\n", encoding="utf-8")
    f = tmp_path / "notify.yaml"
    f.write_text(GOOD, encoding="utf-8")
    monkeypatch.setenv("TEST_DINGTALK_URL", url)
    monkeypatch.setenv("PDCS_NOTIFY_CONFIG", str(f))
    robots.clock = __import__("time").time
    robots.down = down
    result = CliRunner().invoke(app, ["notify", "test", "jt"])
    if down:
        assert result.exit_code == 1 and "refused" in result.output and "503" in result.output
    else:
        assert result.exit_code == 0, result.output
        assert "jt: accepted (code 0)" in result.output
        assert "测试" in robots.of("dingtalk")[0].text
    assert "SEC-right" not in result.output and "tok" not in result.output


def test_notify_test_with_a_wrong_secret_exits_1(
    tmp_path: Path, robots: RobotServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = robots.add(Robot("dingtalk", "tok", secret="SEC-right", keywords=("告警",)))
    (tmp_path / "secrets.yaml").write_text("dingtalk_jt: SEC-wrong\n", encoding="utf-8")
    f = tmp_path / "notify.yaml"
    f.write_text(GOOD, encoding="utf-8")
    monkeypatch.setenv("TEST_DINGTALK_URL", url)
    robots.clock = __import__("time").time
    result = CliRunner().invoke(app, ["notify", "test", "jt", "--config", str(f)])
    assert result.exit_code == 1
    assert "refused (code 310000): sign not match" in result.output


def test_check_resolve_secrets_and_unknown_channels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "notify.yaml"
    f.write_text(GOOD, encoding="utf-8")
    monkeypatch.delenv("TEST_DINGTALK_URL", raising=False)
    result = CliRunner().invoke(app, ["notify", "check", str(f), "--resolve-secrets"])
    assert result.exit_code == 1
    assert "channels.jt: environment variable TEST_DINGTALK_URL is not set" in result.output
    f.write_text(GOOD.replace("channels: [jt]", "channels: [jt, nowhere]"), encoding="utf-8")
    result = CliRunner().invoke(app, ["notify", "check", str(f)])
    assert result.exit_code == 1 and "routes.0.channels: no channel named 'nowhere'" in result.output
    assert f"{f}:18:" in result.output  # the line of routes[0].channels
