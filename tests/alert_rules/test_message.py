"""The Alerta body: Chinese by default, English on request, region names and tags filled."""

from __future__ import annotations

from alert_rules.load import load_rules
from alert_rules.message import MessageContext, alert_body
from alert_rules.state import FIRING, AlertState
from tests.alert_rules.conftest import make_inventory


def state() -> AlertState:
    inv = make_inventory()
    tags = inv.device_tags(inv.devices["F1-T1"])
    return AlertState(
        "disk_nearly_full", "F1-T1", "disk_nearly_full", FIRING, 0.0, info={"tags": tags, "columns": {"value": 96.4}}
    )


def test_chinese_by_default_english_on_request() -> None:
    rule = next(r for r in load_rules() if r.name == "disk_nearly_full")
    inv = make_inventory()
    zh = alert_body(rule, state(), MessageContext(inv, "Production", "pdcs-alerts/t", 3600))
    assert zh["text"] == "双流区图书馆 的终端 阅览终端1 磁盘使用率 96%"
    assert zh["value"] == "96%" and zh["severity"] == "warning" and zh["timeout"] == 3600
    assert zh["attributes"]["region"] == "四川省 成都市 双流区"
    assert zh["attributes"]["deviceKind"] == "电子阅览终端"
    assert {"province=51", "city=5101", "county=510116", "facility=F1", "device=F1-T1"} <= set(zh["tags"])
    en = alert_body(rule, state(), MessageContext(inv, "Production", "o", 60, language="en"), resolved=True)
    assert en["text"] == "Cleared: Disk of terminal 阅览终端1 at 双流区图书馆 is 96% full"
    assert en["severity"] == "normal"


def test_missing_values_do_not_break_the_text() -> None:
    rule = next(r for r in load_rules() if r.name == "link_saturated")
    st = state()
    body = alert_body(rule, st, MessageContext(make_inventory(), "Production", "o", 60))
    assert "利用率过高" in body["text"] and "?" in body["text"]  # in_pct/out_pct unknown: shown as ?
