"""The notifier with a fake clock: storms, outages, escalation, quiet hours — nothing lost, nobody flooded."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from devstack.robots import Robot, RobotServer, start_robots
from notify.channels.base import Channel
from notify.channels.dingtalk import DingTalk
from notify.channels.sms import Sms
from notify.channels.wecom import WeCom
from notify.config import NotifyConfig
from notify.dispatch import Notifier
from tests.notify.conftest import FakeClock
from tests.notify.helpers import T0, county_inventory, notice


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def backup(clock: FakeClock) -> Iterator[RobotServer]:
    """A second, independent service (the fallback channel stays up while the first is down)."""
    server = start_robots(clock=clock)
    yield server
    server.stop()


def _config(**extra: Any) -> NotifyConfig:
    base: dict[str, Any] = {
        "channels": {
            "jt": {"type": "dingtalk", "url": {"env": "UNUSED"}},
            "sc": {"type": "wecom", "url": {"env": "UNUSED"}},
            "sms": {"type": "sms", "url": {"env": "UNUSED"}, "to": ["13800000000"]},
        },
        "routes": [{"name": "金堂县", "match": {"region": "510121"}, "channels": ["jt"]}],
        "links": {
            "grafana": "http://grafana.local/d/pdcs-device?var-device={device}",
            "alerta": "http://alerta.local/#/alerts?resource={resource}",
        },
    }
    base.update(extra)
    return NotifyConfig.model_validate(base)


def _channels(robots: RobotServer, backup: RobotServer, clock: FakeClock) -> dict[str, Channel]:
    jt = robots.add(Robot("dingtalk", "jt-token", secret="SEC-jt", keywords=("告警", "恢复")))
    sc = backup.add(Robot("wecom", "sc-key"))
    sms = backup.add(Robot("sms", "gw", secret="gw-key"))
    return {
        "jt": DingTalk("jt", jt, SecretStr("SEC-jt"), keywords=("告警",), clock=clock),
        "sc": WeCom("sc", sc),
        "sms": Sms(
            "sms",
            sms,
            to=("13800000000",),
            headers={"Authorization": "Bearer {secret}"},
            secret=SecretStr("gw-key"),
            ok_field="code",
            ok_value=0,
            max_chars=120,
            clock=clock,
        ),
    }


def _notifier(config: NotifyConfig, channels: dict[str, Channel], clock: FakeClock, **kw: Any) -> Notifier:
    return Notifier(config, sqlite3.connect(":memory:", isolation_level=None), channels, clock=clock, **kw)


def _run(n: Notifier, clock: FakeClock, seconds: float, step: float = 10.0) -> None:
    end = clock.t + seconds
    while clock.t < end:
        n.pump()
        clock.advance(step)


def _max_per_minute(times: list[float]) -> int:
    return max((sum(1 for u in times if t <= u < t + 60) for t in times), default=0)


def test_storm_of_500_devices_in_one_county(robots: RobotServer, backup: RobotServer, clock: FakeClock) -> None:
    inv = county_inventory(500)
    n = _notifier(_config(), _channels(robots, backup, clock), clock)
    devices = [d for d in inv.devices if d.startswith("JT-")]
    # They go down within two evaluation cycles (30 s apart), as a county-wide power cut would look.
    n.intake([notice(inv, d, T0 - 300, T0) for d in devices[:300]])
    _run(n, clock, 30)
    n.intake([notice(inv, d, T0 - 270, clock.t) for d in devices[300:]])
    _run(n, clock, 600)
    opened = robots.of("dingtalk")
    assert n.store.queued() == 0
    assert robots.refused == []  # never over the rate or the length limit, always signed and with the keyword
    times = [m.at for m in opened]
    assert _max_per_minute(times) <= 6, times  # a few messages a minute, far under DingTalk's 20
    text = "\n".join(m.text for m in opened)
    assert all(str(inv.devices[d].name) in text for d in devices)  # which: every device named
    assert all("告警汇总" in m.text and "新增告警" in m.text for m in opened)  # how many: in every title
    assert "金堂县第1服务点" in text and "四川省 成都市 金堂县" in text
    # Power comes back: all resolve — while the DingTalk service is down for 10 minutes.
    robots.down = True
    t1 = clock.t
    n.intake([notice(inv, d, T0 - 300, t1, resolve=True) for d in devices])
    _run(n, clock, 600)
    assert n.store.queued("jt") == len(devices)  # kept, not dropped
    robots.down = False
    _run(n, clock, 600)
    cleared = robots.of("dingtalk")[len(opened) :]
    assert n.store.queued() == 0 and robots.refused == []
    ctext = "\n".join(m.text for m in cleared)
    assert all(str(inv.devices[d].name) in ctext for d in devices)
    assert "已恢复" in ctext and "故障持续" in ctext
    assert _max_per_minute([m.at for m in cleared]) <= 6


def test_single_alert_reads_like_an_engineer_needs(robots: RobotServer, backup: RobotServer, clock: FakeClock) -> None:
    inv = county_inventory(20)
    n = _notifier(_config(), _channels(robots, backup, clock), clock)
    n.intake([notice(inv, "JT-D0003", T0 - 23 * 60, T0)])
    n.pump()
    (msg,) = robots.of("dingtalk")
    text = msg.text
    for expected in (
        "重要",  # severity of device_down (major)
        "金堂县第1服务点 · 阅览终端0003",
        "四川省 成都市 金堂县",
        "公共图书馆",
        "已持续 23 分钟",
        "离线 23 分钟",  # the rule's value template
        "SNMP 请求超时",  # last error
        "今日开放 09:00-17:00，当前开放中",
        "处理建议",  # the rule's runbook line
        "http://grafana.local/d/pdcs-device?var-device=JT-D0003",
        "http://alerta.local/#/alerts?resource=JT-D0003",
    ):
        assert expected in text, (expected, text)
    clock.advance(600)
    n.intake([notice(inv, "JT-D0003", T0 - 23 * 60, clock.t, resolve=True)])
    n.pump()
    resolved = robots.of("dingtalk")[1].text
    assert "已恢复" in resolved and "故障持续**：33 分钟" in resolved


def test_channel_down_ten_minutes_then_back(robots: RobotServer, backup: RobotServer, clock: FakeClock) -> None:
    inv = county_inventory(40)
    config = _config(health={"failing_for": "5m", "channels": ["sc"]}, delivery={"retry_min": "10s", "retry_max": "2m"})
    n = _notifier(config, _channels(robots, backup, clock), clock)
    robots.down = True
    devices = [d for d in inv.devices if d.startswith("JT-")]
    for i, d in enumerate(devices):  # alerts keep arriving during the outage
        n.intake([notice(inv, d, clock.t - 300, clock.t)])
        if i % 4 == 3:
            _run(n, clock, 60)
    assert clock.t - T0 >= 600 and robots.of("dingtalk") == []
    assert n.store.queued("jt") == len(devices)
    # The outage raised the channel's own alert on the other channel, once.
    down_msgs = [m for m in backup.of("wecom") if "通知通道 jt 已连续失败" in m.text]
    assert len(down_msgs) == 1 and "待发" in down_msgs[0].text and "503" in down_msgs[0].text
    robots.down = False
    _run(n, clock, 300)
    assert n.store.queued() == 0
    delivered = "\n".join(m.text for m in robots.of("dingtalk"))
    assert all(str(inv.devices[d].name) in delivered for d in devices)
    assert sum(delivered.count(str(inv.devices[d].name)) for d in devices) == len(devices)  # each exactly once
    assert any("通知通道 jt 恢复发送" in m.text for m in backup.of("wecom"))


def test_escalation_stops_when_acknowledged(robots: RobotServer, backup: RobotServer, clock: FakeClock) -> None:
    inv = county_inventory(20)
    config = _config(
        routes=[
            {
                "name": "金堂县",
                "match": {"region": "510121"},
                "channels": ["jt"],
                "escalate": [{"after": "30m", "channels": ["sc"]}, {"after": "1h", "channels": ["sms"]}],
            }
        ]
    )
    acked: set[str] = set()
    n = _notifier(
        config, _channels(robots, backup, clock), clock, acked=lambda notices: acked & {x["key"] for x in notices}
    )
    a, b = notice(inv, "JT-D0001", T0, T0), notice(inv, "JT-D0002", T0, T0)
    n.intake([a, b])
    _run(n, clock, 29 * 60, step=60)
    assert backup.of("wecom") == []
    acked.add(b["key"])  # somebody acknowledged D0002 in Alerta
    _run(n, clock, 2 * 60, step=60)
    (esc,) = backup.of("wecom")
    assert "升级" in esc.text and "阅览终端0001" in esc.text and "30 分钟 未确认" in esc.text
    assert "阅览终端0002" not in esc.text
    _run(n, clock, 31 * 60, step=60)
    (sms,) = backup.of("sms")
    assert "阅览终端0001" in sms.body["text"] and len(sms.body["text"]) <= 120
    # The resolve goes to every channel that heard of the alert, and to no other.
    n.intake([notice(inv, "JT-D0001", T0, clock.t, resolve=True), notice(inv, "JT-D0002", T0, clock.t, resolve=True)])
    _run(n, clock, 120)
    assert any("已恢复" in m.text and "阅览终端0001" in m.text for m in backup.of("wecom"))
    assert not any("阅览终端0002" in m.text for m in backup.of("wecom"))
    assert any("已恢复" in m.body["text"] for m in backup.of("sms"))


def test_quiet_hours_hold_unless_the_facility_is_open(
    robots: RobotServer, backup: RobotServer, clock: FakeClock
) -> None:
    inv = county_inventory(20)
    config = _config(
        routes=[
            {
                "name": "金堂县",
                "match": {"region": "510121"},
                "channels": ["jt"],
                "quiet_hours": {"start": "22:00", "end": "08:00"},
            }
        ]
    )
    open_at_night = {"JT000"}  # a 24-hour reading room
    n = _notifier(config, _channels(robots, backup, clock), clock, facility_open=lambda f, _t: f in open_at_night)
    clock.t = T0 + 13 * 3600  # 23:00 Beijing time
    held = notice(inv, "JT-D0015", clock.t, clock.t)  # facility JT001: closed at night
    served = notice(inv, "JT-D0005", clock.t, clock.t)  # facility JT000: open all night
    n.intake([held, served])
    _run(n, clock, 120)
    assert len(robots.of("dingtalk")) == 1 and "阅览终端0005" in robots.of("dingtalk")[0].text
    _run(n, clock, 8.5 * 3600, step=300)  # until 07:30: still held
    assert len(robots.of("dingtalk")) == 1 and n.store.queued("jt") == 1
    _run(n, clock, 3600, step=60)  # 08:00 passes
    assert "阅览终端0015" in robots.of("dingtalk")[1].text and n.store.queued() == 0


def test_critical_is_never_held_and_province_gets_a_digest(
    robots: RobotServer, backup: RobotServer, clock: FakeClock
) -> None:
    inv = county_inventory(20)
    config = _config(
        routes=[
            {
                "name": "金堂县",
                "match": {"region": "510121"},
                "channels": ["jt"],
                "quiet_hours": {"start": "00:00", "end": "23:59"},
            },
            {
                "name": "四川省值班",
                "match": {"region": "51", "severity": ["critical", "major"]},
                "channels": ["sc"],
                "digest": "10m",
            },
        ]
    )
    n = _notifier(config, _channels(robots, backup, clock), clock)
    clock.t = t = T0 + 60  # 10:01
    crit = notice(inv, "JT-D0001", t, t)
    crit["severity"] = "critical"
    n.intake([crit, notice(inv, "JT-D0002", t, t), notice(inv, "SL-SW", t, t)])
    n.pump()
    assert ["阅览终端0001" in m.text for m in robots.of("dingtalk")] == [True]  # critical went through quiet hours
    assert backup.of("wecom") == []  # the province reads a digest, at the next 10-minute boundary
    _run(n, clock, 600)
    (digest,) = backup.of("wecom")
    assert "告警汇总" in digest.text and "四川省 成都市" in digest.text and "核心交换机" in digest.text


def test_quiet_hours_hold_an_escalation_too(robots: RobotServer, backup: RobotServer, clock: FakeClock) -> None:
    inv = county_inventory(20)
    config = _config(
        routes=[
            {
                "name": "金堂县",
                "match": {"region": "510121"},
                "channels": ["jt"],
                "quiet_hours": {"start": "22:00", "end": "08:00"},
                "escalate": [{"after": "30m", "channels": ["sc"]}],
            }
        ]
    )
    n = _notifier(config, _channels(robots, backup, clock), clock, facility_open=lambda _f, _t: False)
    clock.t = T0 + 11 * 3600 + 50 * 60  # 21:50
    n.intake([notice(inv, "JT-D0001", clock.t, clock.t)])
    _run(n, clock, 60 * 60, step=60)  # to 22:50: the escalation fell due at 22:20, inside quiet hours
    assert len(robots.of("dingtalk")) == 1 and backup.of("wecom") == []
    _run(n, clock, 9.5 * 3600, step=300)  # past 08:00
    (esc,) = backup.of("wecom")
    assert "升级" in esc.text and esc.at >= T0 + 22 * 3600


def test_feishu_five_a_second_and_escalations_summarised(robots: RobotServer, clock: FakeClock) -> None:
    from notify.channels.feishu import Feishu

    inv = county_inventory(20)
    url = robots.add(Robot("feishu", "ops", secret="fs"))
    config = NotifyConfig.model_validate(
        {
            "channels": {"ops": {"type": "feishu", "url": {"env": "UNUSED"}}},
            "routes": [{"name": "r", "match": {"region": "51"}, "channels": ["ops"]}],
            "delivery": {"storm_per_minute": 20},
        }
    )
    n = _notifier(config, {"ops": Feishu("ops", url, SecretStr("fs"), clock=clock)}, clock)
    # Health messages go one by one: eight due at the same instant (Feishu takes 5 a second).
    for i in range(8):
        health = {"action": "health", "channel": f"c{i}", "failing_s": 700.0, "last_error": "x", "queued": 1}
        n.store.enqueue("ops", health, clock.t, clock.t)
    n.pump()
    assert len(robots.of("feishu")) == 5 and robots.refused == []  # not 8: 5 a second
    clock.advance(60)  # the rest after the batch gap
    n.pump()
    assert len(robots.of("feishu")) == 8 and robots.refused == [] and n.store.queued() == 0
    # Escalations of many alerts at once: one summary, not one message each.
    clock.advance(120)
    n.intake([{**notice(inv, f"JT-D{i:04d}", T0, T0), "escalated_after": 1800.0} for i in range(8)])
    n.pump()
    (summary,) = robots.of("feishu")[8:]
    assert "升级·告警汇总" in summary.text and "30 分钟 未确认" in summary.text and "阅览终端0007" in summary.text
