"""Fixtures for the alerting tests: a real Alerta with its own PostgreSQL, a small inventory."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from alert_rules.alerta import AlertaClient
from alert_rules.evaluator import Evaluator
from alert_rules.load import load_rules
from alert_rules.state import StateStore
from devstack.alerta import AlertaServer, start_alerta
from inventory.models import Device, DeviceKind, Facility, FacilityKind, Inventory, OpeningSpan, Region
from pdcs.points import Point, to_lines
from pdcs.storage import InfluxDB


@pytest.fixture(scope="session")
def alerta_server() -> Iterator[AlertaServer]:
    server = start_alerta()
    yield server
    server.stop()


@pytest.fixture
def alerta(alerta_server: AlertaServer) -> Iterator[AlertaClient]:
    """An admin client on an Alerta emptied of alerts, blackouts and heartbeats."""
    if not alerta_server.api.alive():  # a test that stopped it and failed before starting it again
        alerta_server.start_api()
    client = AlertaClient(alerta_server.url, SecretStr(alerta_server.admin_key))
    for a in client.alerts():
        client.delete_alert(a["id"])
    for b in client.blackouts():
        client.delete_blackout(b["id"])
    for h in client.heartbeats():
        client.request("DELETE", f"/heartbeat/{h['id']}")
    yield client
    client.close()


ALWAYS: dict[str, tuple[OpeningSpan, ...]] = {
    d: (OpeningSpan.parse("00:00-24:00"),) for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
}


def make_inventory(always_open: bool = True) -> Inventory:
    hours: dict[str, tuple[OpeningSpan, ...]] = ALWAYS if always_open else {}
    regions = [
        Region(code="51", name="四川省"),
        Region(code="5101", name="成都市"),
        Region(code="510116", name="双流区"),
        Region(code="510121", name="金堂县"),
    ]
    facilities = [
        Facility(
            id="F1",
            name="双流区图书馆",
            kind=FacilityKind.PUBLIC_LIBRARY,
            county="510116",
            opening_hours=hours,
            holiday_calendar=False,
        ),
        Facility(
            id="F2",
            name="金堂县文化馆",
            kind=FacilityKind.CULTURAL_CENTRE,
            county="510121",
            opening_hours=hours,
            holiday_calendar=False,
        ),
        Facility(id="F3", name="夜间闭馆的阅览室", kind=FacilityKind.E_READING_ROOM, county="510121", opening_hours={}),
    ]
    devices = [
        Device(id="F1-T1", name="阅览终端1", kind=DeviceKind.E_READING_TERMINAL, facility="F1"),
        Device(id="F1-T2", name="阅览终端2", kind=DeviceKind.E_READING_TERMINAL, facility="F1"),
        Device(id="F2-SW", name="核心交换机", kind=DeviceKind.SWITCH, facility="F2"),
        Device(id="F2-T1", name="一体机", kind=DeviceKind.KIOSK, facility="F2", agent_url="http://127.0.0.1:9/metrics"),
        Device(id="F2-AP", name="大厅无线AP", kind=DeviceKind.WIRELESS_AP, facility="F2"),
        Device(id="F3-T1", name="闭馆终端", kind=DeviceKind.E_READING_TERMINAL, facility="F3"),
    ]
    return Inventory(
        regions={r.code: r for r in regions},
        facilities={f.id: f for f in facilities},
        devices={d.id: d for d in devices},
    )


@pytest.fixture
def inventory() -> Inventory:
    return make_inventory()


def device_up(inv: Inventory, device: str, up: int, t_ns: int, source: str = "snmp") -> Point:
    tags = {**inv.device_tags(inv.devices[device]), "source": source}
    return Point("device_up", tags, {"up": up}, t_ns)


EvaluatorFactory = Callable[..., Evaluator]
MIN_NS = 60 * 10**9


def collector_points(name: str, regions: str, start_s: float, end_s: float) -> list[Point]:
    """A collector's ``collector`` point every minute over ``[start_s, end_s)``: it is alive then."""
    first, last = int(start_s) * 10**9, int(end_s) * 10**9
    return [
        Point("collector", {"collector": name, "regions": regions}, {"cycle_s": 1.0, "spool_depth": 0}, t)
        for t in range(first, last, MIN_NS)
    ]


@pytest.fixture
def make_evaluator(
    tmp_path: Path, influx: InfluxDB, inventory: Inventory, alerta: AlertaClient
) -> Iterator[EvaluatorFactory]:
    """Build evaluators sharing one state file (a second one is "the evaluator after a restart")."""
    stores: list[StateStore] = []

    def build(
        rules: list[str] | None = None,
        *,
        client: AlertaClient | None = alerta,
        inv: Inventory | None = None,
        collectors_alive: bool = True,
        **kw: object,
    ) -> Evaluator:
        """``collectors_alive``: a collector covering every county reports each minute from 10 minutes ago
        to 3 hours ahead (the evaluator's clock is stepped), so silence is down, as with a running collector."""
        if collectors_alive:
            now = time.time()
            influx.write_lines(to_lines(collector_points("c-all", "all", now - 600, now + 3 * 3600)))
        all_rules = load_rules()
        chosen = [r for r in all_rules if rules is None or r.name in rules]
        store = StateStore(tmp_path / "alerts.sqlite")
        stores.append(store)
        return Evaluator(chosen, influx, inv or inventory, store, client, timeout_s=3600, **kw)  # type: ignore[arg-type]

    yield build
    for s in stores:
        s.close()
