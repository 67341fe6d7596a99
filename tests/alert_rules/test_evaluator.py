"""The evaluator against a real InfluxDB and a real Alerta (with PostgreSQL)."""

from __future__ import annotations

import time
from typing import Any

from alert_rules.alerta import AlertaClient
from devstack.alerta import AlertaServer
from inventory.models import Inventory
from pdcs.points import to_lines
from pdcs.storage import InfluxDB
from tests.alert_rules.conftest import EvaluatorFactory, device_up, make_inventory

MIN = 60.0


def write_up(influx: InfluxDB, inv: Inventory, states: dict[str, int], t: float | None = None) -> None:
    t_ns = int((t or time.time()) * 1e9)
    influx.write_lines(to_lines(device_up(inv, d, up, t_ns) for d, up in states.items()))


def open_alerts(client: AlertaClient, **params: Any) -> list[dict[str, Any]]:
    return [a for a in client.alerts(**params) if a["status"] != "closed"]


def test_device_down_opens_then_closes_with_region_attributes(
    influx: InfluxDB, inventory: Inventory, alerta: AlertaClient, make_evaluator: EvaluatorFactory
) -> None:
    ev = make_evaluator(["device_down", "facility_down"])
    t0 = time.time()
    write_up(influx, inventory, {"F1-T1": 0, "F1-T2": 1, "F2-SW": 1})
    r = ev.cycle(t0)
    assert r.pending == 1 and not r.opened
    assert alerta.alerts() == []  # pending: Alerta hears nothing yet
    r = ev.cycle(t0 + 5 * MIN)
    assert r.opened == [("device_down", "F1-T1", "device_down")]
    [a] = alerta.alerts()
    assert (a["resource"], a["event"], a["severity"], a["status"]) == ("F1-T1", "device_down", "major", "open")
    assert a["environment"] == "Production" and a["service"] == ["设备可用性"] and a["group"] == "设备"
    assert a["customer"] == "四川省"
    assert a["attributes"]["province"] == "四川省"
    assert a["attributes"]["county"] == "双流区"
    assert a["attributes"]["facility"] == "双流区图书馆"
    assert "双流区图书馆" in a["text"] and "阅览终端1" in a["text"]
    assert "county=510116" in a["tags"] and "facility=F1" in a["tags"]
    # engineers filter by region
    assert [x["id"] for x in alerta.alerts(**{"attributes.county": "双流区"})] == [a["id"]]
    assert alerta.alerts(**{"attributes.county": "金堂县"}) == []

    # still down: no new message (no storm), only the same alert
    r = ev.cycle(t0 + 6 * MIN)
    assert not r.opened and r.delivered == 0

    write_up(influx, inventory, {"F1-T1": 1})
    r = ev.cycle(t0 + 7 * MIN)
    assert not r.resolved  # resolve_after 2m: not yet
    r = ev.cycle(t0 + 9 * MIN)
    assert r.resolved == [("device_down", "F1-T1", "device_down")]
    [a] = alerta.alerts()
    assert a["status"] == "closed" and a["severity"] == "normal"
    assert a["text"].startswith("已恢复")


def test_whole_facility_down_is_one_alert(
    influx: InfluxDB, inventory: Inventory, alerta: AlertaClient, make_evaluator: EvaluatorFactory
) -> None:
    ev = make_evaluator(["device_down", "facility_down"])
    t0 = time.time()
    write_up(influx, inventory, {"F1-T1": 0, "F1-T2": 0, "F2-SW": 1})
    ev.cycle(t0)
    r = ev.cycle(t0 + 5 * MIN)
    assert r.suppressed == 2
    alerts = open_alerts(alerta)
    assert [(a["resource"], a["event"], a["severity"]) for a in alerts] == [("F1", "facility_down", "critical")]
    assert "全部 2 台设备" in alerts[0]["text"]
    # one device comes back: the facility alert clears and the device still down is heard
    write_up(influx, inventory, {"F1-T2": 1})
    ev.cycle(t0 + 6 * MIN)
    r = ev.cycle(t0 + 8 * MIN)
    assert ("facility_down", "F1", "facility_down") in r.resolved
    r = ev.cycle(t0 + 9 * MIN)
    assert [(a["resource"], a["event"]) for a in open_alerts(alerta)] == [("F1-T1", "device_down")]


def test_closed_facility_does_not_alert(
    influx: InfluxDB, alerta: AlertaClient, make_evaluator: EvaluatorFactory
) -> None:
    inv = make_inventory()
    ev = make_evaluator(["device_down", "facility_down"], inv=inv)
    t0 = time.time()
    write_up(influx, inv, {"F3-T1": 0})  # F3 has no opening hours at all
    ev.cycle(t0)
    r = ev.cycle(t0 + 10 * MIN)
    assert r.firing == 0 and alerta.alerts() == []


def test_flapping_device_makes_no_storm(
    influx: InfluxDB, inventory: Inventory, alerta: AlertaClient, make_evaluator: EvaluatorFactory
) -> None:
    ev = make_evaluator(["device_down"])
    t0 = time.time()
    # Flapping before it ever stays down for 5 minutes: never fires.
    for i in range(8):
        write_up(influx, inventory, {"F1-T1": i % 2})
        ev.cycle(t0 + i * MIN)
    assert alerta.alerts() == []
    # Down long enough to fire, then flapping: one alert, not open/close/open …
    write_up(influx, inventory, {"F1-T1": 0})
    ev.cycle(t0 + 10 * MIN)
    ev.cycle(t0 + 15 * MIN)
    sent = 0
    for i in range(10):
        write_up(influx, inventory, {"F1-T1": (i + 1) % 2})
        r = ev.cycle(t0 + 16 * MIN + i * MIN)
        sent += r.delivered
    [a] = alerta.alerts()
    assert a["status"] == "open" and a["duplicateCount"] == 0
    assert sent == 0
    history = alerta.alert_history(a["id"])
    assert [h["type"] for h in history].count("status") <= 1


def test_alerta_down_then_back_loses_nothing(
    influx: InfluxDB,
    inventory: Inventory,
    alerta: AlertaClient,
    alerta_server: AlertaServer,
    make_evaluator: EvaluatorFactory,
) -> None:
    ev = make_evaluator(["device_down"])
    t0 = time.time()
    write_up(influx, inventory, {"F1-T1": 0, "F2-SW": 0})
    ev.cycle(t0)
    alerta_server.stop_api()
    try:
        r = ev.cycle(t0 + 5 * MIN)  # both fire while Alerta is down
        assert len(r.opened) == 2 and r.delivered == 0 and not r.alerta_up and r.outbox == 2
        write_up(influx, inventory, {"F2-SW": 1})
        ev.cycle(t0 + 6 * MIN)
        r = ev.cycle(t0 + 8 * MIN)  # F2-SW resolves, still down
        assert r.resolved == [("device_down", "F2-SW", "device_down")] and r.outbox == 3
    finally:
        alerta_server.start_api()
    # A restart of the evaluator too: a new one on the same state file delivers the outbox.
    ev2 = make_evaluator(["device_down"])
    r = ev2.cycle(t0 + 9 * MIN)
    assert r.delivered == 3 and r.outbox == 0 and r.alerta_up
    by_resource = {a["resource"]: a for a in alerta.alerts()}
    assert by_resource["F1-T1"]["status"] == "open"
    assert by_resource["F2-SW"]["status"] == "closed"
    assert by_resource["F2-SW"]["severity"] == "normal"


def test_restart_neither_refires_nor_forgets(
    influx: InfluxDB, inventory: Inventory, alerta: AlertaClient, make_evaluator: EvaluatorFactory
) -> None:
    ev = make_evaluator(["device_down"])
    t0 = time.time()
    write_up(influx, inventory, {"F1-T1": 0})
    ev.cycle(t0)
    ev.cycle(t0 + 5 * MIN)
    [a] = alerta.alerts()
    ev2 = make_evaluator(["device_down"])  # "restarted"
    r = ev2.cycle(t0 + 6 * MIN)
    assert r.firing == 1 and not r.opened and r.delivered == 0
    [a2] = alerta.alerts()
    assert a2["id"] == a["id"] and a2["duplicateCount"] == 0
    # refresh before Alerta's timeout (3600 s → every 1800 s): same alert, a duplicate
    r = ev2.cycle(t0 + 5 * MIN + 1800)
    assert r.refreshed == 1
    assert alerta.alerts()[0]["duplicateCount"] == 1
    # and it still remembers to close it
    write_up(influx, inventory, {"F1-T1": 1})
    ev3 = make_evaluator(["device_down"])
    ev3.cycle(t0 + 5 * MIN + 1900)
    r = ev3.cycle(t0 + 5 * MIN + 2100)
    assert r.resolved and alerta.alerts()[0]["status"] == "closed"


def test_evaluator_heartbeat(alerta: AlertaClient, make_evaluator: EvaluatorFactory) -> None:
    ev = make_evaluator([], origin="pdcs-alerts/test")
    ev.cycle()
    origins = {h["origin"]: h for h in alerta.heartbeats()}
    assert origins["pdcs-alerts/test"]["timeout"] == 300


def test_influxdb_down_keeps_alerts_as_they_are(
    influx: InfluxDB, inventory: Inventory, alerta: AlertaClient, make_evaluator: EvaluatorFactory
) -> None:
    ev = make_evaluator(["device_down", "facility_down"])
    t0 = time.time()
    write_up(influx, inventory, {"F1-T1": 0, "F1-T2": 1})
    ev.cycle(t0)
    ev.cycle(t0 + 5 * MIN)
    assert len(open_alerts(alerta)) == 1
    # The same state file, but InfluxDB unreachable: every rule fails, nothing resolves.
    blind = make_evaluator(["device_down", "facility_down"])
    blind.influx = InfluxDB(url="http://127.0.0.1:9", database=influx.database, retries=0)
    r = blind.cycle(t0 + 30 * MIN)
    assert set(r.failed_rules) == {"device_down", "facility_down"}
    assert r.firing == 1 and not r.resolved
    assert len(open_alerts(alerta)) == 1
