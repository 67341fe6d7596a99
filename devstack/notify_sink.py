"""The local channel sink of ``pdcs dev up``: the robot stand-ins as a DingTalk, a WeCom and a Feishu group.

It writes a notification configuration (``<workdir>/notify.yaml``, secrets in
``<workdir>/notify-secrets.yaml``, mode 600) whose channels point at the sink, so
the evaluator's notifications take the same path as in production — signed,
rate-limited, batched — and every message the sink accepts is printed and
appended to ``<workdir>/notify-sink.log`` (``GET <sink>/`` lists them as JSON).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from pathlib import Path

from devstack.robots import Received, Robot, RobotServer, start_robots

LABEL = {"dingtalk": "钉钉", "wecom": "企业微信", "feishu": "飞书", "webhook": "webhook", "sms": "短信"}


def start_channel_sink(workdir: Path, echo: Callable[[str], None] = print) -> tuple[RobotServer, Path]:
    """Start the sink, write the configuration; the server and the configuration's path."""
    log_file = workdir / "notify-sink.log"

    def show(msg: Received) -> None:
        when = dt.datetime.fromtimestamp(msg.at).strftime("%H:%M:%S")
        head = msg.text.strip().splitlines()[0].lstrip("#").strip() if msg.text.strip() else ""
        echo(f"[{when} {LABEL.get(msg.service, msg.service)}群] {head}")
        with log_file.open("a", encoding="utf-8") as f:
            f.write(f"===== {when} {LABEL.get(msg.service, msg.service)} ({msg.token})\n{msg.text}\n\n")

    sink = start_robots()
    sink.on_message = show
    ding_secret, feishu_secret = "SEC" + secrets.token_hex(16), secrets.token_hex(12)
    county = sink.add(
        Robot("dingtalk", "dev-county-" + secrets.token_hex(4), secret=ding_secret, keywords=("告警", "恢复"))
    )
    province = sink.add(Robot("wecom", "dev-province-" + secrets.token_hex(4)))
    ops = sink.add(Robot("feishu", "dev-ops-" + secrets.token_hex(4), secret=feishu_secret))
    secrets_file = workdir / "notify-secrets.yaml"
    secrets_file.write_text(
        f"county_url: {county}\ncounty_secret: {ding_secret}\nprovince_url: {province}\n"
        f"ops_url: {ops}\nops_secret: {feishu_secret}\n",
        encoding="utf-8",
    )
    secrets_file.chmod(0o600)
    config = workdir / "notify.yaml"
    config.write_text(
        f"""# pdcs dev up: notification channels pointing at the local sink ({sink.url}).
links:
  grafana: "http://127.0.0.1:3000/d/pdcs-device/device?var-device={{device}}"
channels:
  dev-county:       # the county's DingTalk group (加签 + keywords, like a real robot)
    type: dingtalk
    url: {{file: notify-secrets.yaml, key: county_url}}
    secret: {{file: notify-secrets.yaml, key: county_secret}}
    keywords: [告警, 恢复]
  dev-province:     # the province's WeCom duty group: escalations and a 10-minute digest
    type: wecom
    url: {{file: notify-secrets.yaml, key: province_url}}
  dev-ops:          # the platform team's Feishu group: a notification channel failing for long
    type: feishu
    url: {{file: notify-secrets.yaml, key: ops_url}}
    secret: {{file: notify-secrets.yaml, key: ops_secret}}
routes:
  - name: 县级值班
    match: {{region: "51"}}
    channels: [dev-county]
    quiet_hours: {{start: "22:00", end: "07:00"}}
    escalate:
      - {{after: 30m, channels: [dev-province]}}
  - name: 省级汇总
    match: {{region: "51", severity: [critical]}}
    channels: [dev-province]
    digest: 10m
health: {{failing_for: 10m, channels: [dev-ops]}}
""",
        encoding="utf-8",
    )
    return sink, config


def write_dev_maintenance(workdir: Path) -> Path:
    """``<workdir>/maintenance.yaml``: an example recurring window (edit it, or ``pdcs maintenance add-window``)."""
    path = workdir / "maintenance.yaml"
    path.write_text(
        "# Recurring maintenance windows for pdcs dev up (supervision/maintenance.py).\n"
        "windows:\n"
        "  - name: 每月第一个周六凌晨例行维护\n"
        "    reason: 示例窗口：全省设备例行维护\n"
        '    region: "51"\n'
        '    monthly: {week: 1, day: sat, start: "02:00", end: "04:00"}\n'
        "    holidays: skip\n",
        encoding="utf-8",
    )
    return path
