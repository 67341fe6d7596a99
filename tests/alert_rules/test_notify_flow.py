"""From a device going down to a DingTalk message: real InfluxDB, real Alerta, the robot stand-ins.

The Alerta alert carries a meaningful value ("离线 5 分钟") and the configured environment;
a maintenance window keeps the notification back and Alerta's history says why; an
acknowledgement in Alerta stops the escalation.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from alert_rules.alerta import AlertaClient
from alert_rules.model import Links
from devstack.robots import Robot, RobotServer, start_robots
from inventory.models import Inventory
from notify.channels.base import Channel
from notify.channels.dingtalk import DingTalk
from notify.channels.wecom import WeCom
from notify.config import NotifyConfig
from notify.dispatch import Notifier
from pdcs.storage import InfluxDB
from supervision.maintenance import MaintenanceSchedule, Window
from tests.alert_rules.conftest import EvaluatorFactory
from tests.alert_rules.test_evaluator import write_up

MIN = 60.0


@pytest.fixture
def robots() -> Iterator[RobotServer]:
    server = start_robots()
    yield server
    server.stop()


def _wire(ev: Any, robots: RobotServer, alerta: AlertaClient, **route: Any) -> Notifier:
    jt = robots.add(Robot("dingtalk", "jt", secret="SEC-jt", keywords=("告警", "恢复")))
    sc = robots.add(Robot("wecom", "sc"))
    config = NotifyConfig.model_validate(
        {
            "channels": {"jt": {"type": "wecom", "url": "x"}, "sc": {"type": "wecom", "url": "x"}},
            "routes": [{"name": "四川", "match": {"region": "51"}, "channels": ["jt"], **route}],
            "links": {"grafana": "http://grafana.local/d/pdcs-device?var-device={device}"},
        }
    )
    channels: dict[str, Channel] = {
        "jt": DingTalk("jt", jt, SecretStr("SEC-jt"), keywords=("告警",)),
        "sc": WeCom("sc", sc),
    }

    def acked(notices: list[dict[str, Any]]) -> set[str]:
        done = alerta.acknowledged("开发")
        return {n["key"] for n in notices if (n["resource"], n["event"]) in done}

    n = Notifier(config, ev.store.db, channels, acked=acked)
    ev.notify = True
    ev.on_cycle_end = lambda now: (n.take(ev.store, now), n.pump(now))
    return n


def test_value_environment_and_the_message(
    influx: InfluxDB, inventory: Inventory, alerta: AlertaClient, make_evaluator: EvaluatorFactory, robots: RobotServer
) -> None:
    ev = make_evaluator(["device_down", "facility_down"], environment="开发", links=Links(grafana="http://g/{device}"))
    _wire(ev, robots, alerta)
    t0 = time.time()
    write_up(influx, inventory, {"F1-T1": 0, "F1-T2": 1})
    ev.cycle(t0)
    ev.cycle(t0 + 5 * MIN)
    [a] = alerta.alerts()
    assert a["environment"] == "开发" and a["value"] == "离线 5 分钟"
    assert a["attributes"]["runbook"].startswith("先确认设施是否停电")
    assert a["attributes"]["moreInfo"] == "http://g/F1-T1"
    [msg] = robots.of("dingtalk")
    assert "阅览终端1" in msg.text and "双流区图书馆" in msg.text and "离线 5 分钟" in msg.text
    write_up(influx, inventory, {"F1-T1": 1})
    ev.cycle(t0 + 6 * MIN)
    ev.cycle(t0 + 8 * MIN)
    [a] = alerta.alerts()
    assert a["status"] == "closed"
    assert "已恢复" in robots.of("dingtalk")[1].text and "故障持续**：8 分钟" in robots.of("dingtalk")[1].text


def test_maintenance_window_recorded_in_alerta_history(
    influx: InfluxDB, inventory: Inventory, alerta: AlertaClient, make_evaluator: EvaluatorFactory, robots: RobotServer
) -> None:
    t0 = time.time()
    window = Window.model_validate(
        {
            "name": "周一例行维护",
            "reason": "更换核心交换机",
            "facility": "F1",
            "dates": {
                "start": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t0 - 3600)),
                "end": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t0 + 10 * MIN)),
            },
        }
    )
    ev = make_evaluator(["device_down"], environment="开发", maintenance=MaintenanceSchedule(windows=(window,)))
    _wire(ev, robots, alerta)
    write_up(influx, inventory, {"F1-T1": 0})
    ev.cycle(t0)
    r = ev.cycle(t0 + 5 * MIN)
    assert r.maintenance == 1
    [a] = alerta.alerts()
    assert a["status"] == "blackout" and "维护中：周一例行维护" in a["text"] and "更换核心交换机" in a["text"]
    assert robots.of("dingtalk") == []  # nobody is told during the window
    write_up(influx, inventory, {"F1-T1": 0})
    ev.cycle(t0 + 11 * MIN)  # the window is over and the device is still down: now it is news
    [a] = alerta.alerts()
    assert a["status"] == "open"
    history = alerta.alert_history(a["id"])
    assert any(h.get("status") == "blackout" and "维护中" in (h.get("text") or "") for h in history), history
    assert any(h.get("status") == "open" for h in history)
    [msg] = robots.of("dingtalk")
    assert "阅览终端1" in msg.text


def test_acknowledged_in_alerta_stops_escalation(
    influx: InfluxDB, inventory: Inventory, alerta: AlertaClient, make_evaluator: EvaluatorFactory, robots: RobotServer
) -> None:
    ev = make_evaluator(["device_down"], environment="开发")
    _wire(ev, robots, alerta, escalate=[{"after": "30m", "channels": ["sc"]}])
    t0 = time.time()
    write_up(influx, inventory, {"F1-T1": 0, "F2-SW": 0, "F1-T2": 1})
    ev.cycle(t0)
    ev.cycle(t0 + 5 * MIN)
    by_resource = {a["resource"]: a for a in alerta.alerts()}
    alerta.request("PUT", f"/alert/{by_resource['F1-T1']['id']}/action", json={"action": "ack", "text": "值班员处理中"})
    write_up(influx, inventory, {"F1-T1": 0, "F2-SW": 0, "F1-T2": 1})
    ev.cycle(t0 + 31 * MIN)
    [esc] = robots.of("wecom")
    assert "升级" in esc.text and "核心交换机" in esc.text and "阅览终端1" not in esc.text
