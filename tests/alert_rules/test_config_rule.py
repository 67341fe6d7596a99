"""The config_changed rule: a stored configuration change is an alert (unless a blackout covers it)."""

from __future__ import annotations

import time

from alert_rules.load import load_rules
from alert_rules.message import MessageContext, alert_body
from alert_rules.state import FIRING
from inventory.models import Inventory
from pdcs.points import CONFIG_CHANGE, Point, to_lines
from pdcs.storage import InfluxDB
from tests.alert_rules.conftest import EvaluatorFactory


def test_a_configuration_change_fires_once_per_device(
    influx: InfluxDB, inventory: Inventory, make_evaluator: EvaluatorFactory
) -> None:
    now = time.time()
    tags = {**inventory.device_tags(inventory.devices["F2-SW"]), "source": "ssh_audit"}
    fields: dict[str, int | float | str] = {"added": 1, "removed": 1, "commit": "0123456789ab"}
    influx.write_lines(to_lines([Point(CONFIG_CHANGE, tags, fields, int((now - 3600) * 1e9))]))
    ev = make_evaluator(client=None)
    r = ev.cycle(now)
    assert not r.failed_rules
    states = [s for s in ev.store.load().values() if s.rule == "config_changed"]
    assert [(s.resource, s.event, s.status) for s in states] == [("F2-SW", "config_changed", FIRING)]
    (rule,) = [r for r in load_rules() if r.name == "config_changed"]
    ctx = MessageContext(inventory=inventory, environment="Test", origin="t", timeout_s=60)
    body = alert_body(rule, states[0], ctx)
    assert "运行配置已变更（+1 −1 行，版本 0123456789ab）" in body["text"] and "pdcs config diff F2-SW" in body["text"]
