"""A silent collector is one collector alert, not one alert per device of its county (issue #14's rule).

The figures' rule (``supervision.liveness``): a device silent (or last seen down) while a collector
covering its county is alive is down; when no covering collector is alive, nobody knows — no data.
Real InfluxDB and Alerta; the evaluator's clock is stepped.
"""

from __future__ import annotations

import time

from alert_rules.alerta import AlertaClient
from inventory.models import Inventory
from pdcs.points import Point, to_lines
from pdcs.storage import InfluxDB
from tests.alert_rules.conftest import EvaluatorFactory, collector_points, device_up

MIN = 60
RULES = ["device_down", "facility_down", "agent_silent", "collector_silent"]


def polls(inv: Inventory, device: str, up: int, start_s: float, end_s: float, source: str = "snmp") -> list[Point]:
    return [device_up(inv, device, up, t * 10**9, source) for t in range(int(start_s), int(end_s), MIN)]


def open_alerts(alerta: AlertaClient) -> dict[tuple[str, str], dict[str, object]]:
    return {(a["resource"], a["event"]): a for a in alerta.alerts() if a["status"] != "closed"}


def test_collector_gone_is_one_collector_alert_not_device_alerts(
    influx: InfluxDB, inventory: Inventory, alerta: AlertaClient, make_evaluator: EvaluatorFactory
) -> None:
    """Jintang's collector stops (its last cycle found its devices unreachable): only collector_silent fires;
    in Shuangliu, whose collector is alive, a device down still fires device_down as before."""
    t0 = float(int(time.time()))
    inv = inventory
    pts = collector_points("c-jintang", "510121", t0 - 10 * MIN, t0)  # last point at t0 - 1 min
    pts += collector_points("c-shuangliu", "510116", t0 - 10 * MIN, t0 + 30 * MIN)
    for dev in ("F2-SW", "F2-AP"):  # up until the last cycle, which wrote up=0 before the collector went
        pts += polls(inv, dev, 1, t0 - 10 * MIN, t0 - 2 * MIN) + polls(inv, dev, 0, t0 - MIN, t0)
    pts += polls(inv, "F2-T1", 1, t0 - 10 * MIN, t0 - 2 * MIN, source="agent")  # its agent goes quiet too
    pts += polls(inv, "F1-T1", 0, t0 - 10 * MIN, t0 + 30 * MIN) + polls(inv, "F1-T2", 1, t0 - 10 * MIN, t0 + 30 * MIN)
    influx.write_lines(to_lines(pts))

    ev = make_evaluator(RULES, collectors_alive=False)
    for k in (0, 3, 6, 9, 12, 15):
        r = ev.cycle(t0 + k * MIN)
        assert not r.failed_rules
    alerts = open_alerts(alerta)
    assert set(alerts) == {("c-jintang", "collector_silent"), ("F1-T1", "device_down")}
    assert "c-shuangliu" not in {res for res, _ in alerts}
    assert {s.rule for s in ev.store.load().values()} == {"collector_silent", "device_down"}


def test_an_open_device_alert_is_held_while_its_collector_is_silent(
    influx: InfluxDB, inventory: Inventory, alerta: AlertaClient, make_evaluator: EvaluatorFactory
) -> None:
    """Down while its collector was alive: device_down opens.  The collector goes: the alert stays open
    (not resolved as if the device came back) and says 无数据：采集器离线.  Collector back, device up: it closes."""
    t0 = float(int(time.time()))
    inv = inventory
    pts = collector_points("c-jintang", "510121", t0 - 10 * MIN, t0 + 7 * MIN)
    pts += polls(inv, "F2-SW", 0, t0 - 10 * MIN, t0 + 7 * MIN) + polls(inv, "F2-AP", 1, t0 - 10 * MIN, t0 + 7 * MIN)
    influx.write_lines(to_lines(pts))
    ev = make_evaluator(["device_down", "facility_down", "collector_silent"], collectors_alive=False)
    ev.cycle(t0)
    assert ev.cycle(t0 + 5 * MIN).opened == [("device_down", "F2-SW", "device_down")]

    for k in (11, 15):  # the collector's last point at t0 + 6 min: no data from t0 + 10 min
        r = ev.cycle(t0 + k * MIN)
        assert not r.resolved and not r.failed_rules
    # F2-SW's polls age out of device_down's 10-minute window (InfluxDB's clock is not stepped: drop them)
    influx.execute("DELETE FROM device_up WHERE \"device\" = 'F2-SW'")
    for k in (20, 30):
        r = ev.cycle(t0 + k * MIN)
        assert not r.resolved and not r.failed_rules
    assert [s.info.get("no_data") for s in ev.store.load().values() if s.rule == "device_down"] == [True]
    assert r.summary()["no_data"] == 1
    alerts = open_alerts(alerta)
    assert set(alerts) == {("F2-SW", "device_down"), ("c-jintang", "collector_silent")}
    down = alerts[("F2-SW", "device_down")]
    assert str(down["text"]).startswith("【无数据：采集器离线】") and down["severity"] == "major"

    back = collector_points("c-jintang", "510121", t0 + 31 * MIN, t0 + 40 * MIN)
    back += polls(inv, "F2-SW", 1, t0 + 31 * MIN, t0 + 40 * MIN)
    influx.write_lines(to_lines(back))
    ev.cycle(t0 + 32 * MIN)
    r = ev.cycle(t0 + 35 * MIN)
    assert ("device_down", "F2-SW", "device_down") in r.resolved
    closed = [a for a in alerta.alerts() if (a["resource"], a["event"]) == ("F2-SW", "device_down")]
    assert closed[0]["status"] == "closed" and not str(closed[0]["text"]).startswith("已恢复：【无数据")


def test_still_down_when_its_collector_comes_back_drops_the_no_data_text(
    influx: InfluxDB, inventory: Inventory, alerta: AlertaClient, make_evaluator: EvaluatorFactory
) -> None:
    t0 = float(int(time.time()))
    inv = inventory
    pts = collector_points("c-jintang", "510121", t0 - 10 * MIN, t0 + 7 * MIN)
    pts += collector_points("c-jintang", "510121", t0 + 20 * MIN, t0 + 30 * MIN)
    pts += polls(inv, "F2-SW", 0, t0 - 10 * MIN, t0 + 7 * MIN) + polls(inv, "F2-SW", 0, t0 + 20 * MIN, t0 + 30 * MIN)
    pts += polls(inv, "F2-AP", 1, t0 - 10 * MIN, t0 + 30 * MIN)
    influx.write_lines(to_lines(pts))
    ev = make_evaluator(["device_down"], collectors_alive=False)
    ev.cycle(t0)
    ev.cycle(t0 + 5 * MIN)
    ev.cycle(t0 + 15 * MIN)
    assert str(open_alerts(alerta)[("F2-SW", "device_down")]["text"]).startswith("【无数据")
    r = ev.cycle(t0 + 22 * MIN)
    assert not r.resolved and not r.opened
    [a] = open_alerts(alerta).values()
    assert not str(a["text"]).startswith("【无数据") and "核心交换机" in str(a["text"])
