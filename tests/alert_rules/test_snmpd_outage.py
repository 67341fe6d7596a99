"""A real snmpd stopped → the device_down alert opens in Alerta; started again → it closes.

Real polls: the collector's one-shot cycle (``CollectorService.run_once``)
polls snmpd over SNMP and writes through its spool into InfluxDB; the
evaluator reads InfluxDB and tells a real Alerta.  The evaluator's clock is
stepped (InfluxDB's is not), so "5 minutes down" takes no real time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from alert_rules.alerta import AlertaClient
from collectors.service import CollectorService, ServiceConfig
from devstack.alerta import AlertaServer
from devstack.snmpd import SnmpdServer, start_snmpd
from inventory.models import Device, DeviceKind, Inventory, SecretRef, SnmpProfile
from pdcs.storage import InfluxDB
from tests.alert_rules.conftest import EvaluatorFactory, make_inventory

MIN = 60.0


@pytest.fixture
def own_snmpd(tmp_path: Path) -> Iterator[SnmpdServer]:
    """An snmpd this test may stop (the session one is shared)."""
    server = start_snmpd(tmp_path / "snmpd")
    yield server
    server.stop()


def lab(tmp_path: Path, down_one: SnmpdServer, steady: SnmpdServer) -> Inventory:
    base = make_inventory()
    (tmp_path / "secrets.yaml").write_text(yaml.safe_dump({"community": down_one.community}), encoding="utf-8")
    profile = SnmpProfile(
        name="v2c", version="2c", community=SecretRef(file="secrets.yaml", key="community"), timeout_s=0.5, retries=0
    )
    devices = {
        "F1-SW": Device(
            id="F1-SW",
            name="馆内交换机",
            kind=DeviceKind.SWITCH,
            facility="F1",
            address=down_one.address,
            snmp_profile="v2c",
        ),
        "F1-AC": Device(
            id="F1-AC",
            name="无线控制器",
            kind=DeviceKind.WIRELESS_CONTROLLER,
            facility="F1",
            address=steady.address,
            snmp_profile="v2c",
        ),
    }
    return Inventory(
        regions=base.regions,
        facilities=base.facilities,
        devices=devices,
        snmp_profiles={"v2c": profile},
        base_dir=tmp_path,
    )


def poll(inv: Inventory, influx: InfluxDB, spool: Path) -> None:
    service = CollectorService(inv, influx, spool, ServiceConfig(name="test-collector"))
    try:
        asyncio.run(service.run_once())
    finally:
        service.spool.close()


def test_snmpd_stopped_opens_and_started_closes(
    tmp_path: Path,
    influx: InfluxDB,
    alerta: AlertaClient,
    own_snmpd: SnmpdServer,
    snmpd: SnmpdServer,
    make_evaluator: EvaluatorFactory,
) -> None:
    inv = lab(tmp_path, own_snmpd, snmpd)
    ev = make_evaluator(["device_down", "facility_down"], inv=inv)
    spool = tmp_path / "spool.sqlite"
    t0 = time.time()

    poll(inv, influx, spool)
    assert ev.cycle(t0).pending == 0  # both answer

    own_snmpd.stop()
    poll(inv, influx, spool)
    r = ev.cycle(t0 + 1 * MIN)
    assert r.pending == 1 and alerta.alerts() == []
    opened_at = None
    for minute in range(2, 8):  # the rule's window: for 5m, evaluated every minute
        poll(inv, influx, spool)
        r = ev.cycle(t0 + minute * MIN)
        if r.opened:
            opened_at = minute
            break
    assert opened_at is not None and opened_at - 1 <= 5 + 1
    [a] = alerta.alerts()
    assert (a["resource"], a["event"], a["status"]) == ("F1-SW", "device_down", "open")
    assert "馆内交换机" in a["text"] and a["attributes"]["facility"] == "双流区图书馆"

    own_snmpd.start_again()
    closed_at = None
    for minute in range(opened_at + 1, opened_at + 6):
        poll(inv, influx, spool)
        r = ev.cycle(t0 + minute * MIN)
        if r.resolved:
            closed_at = minute
            break
    assert closed_at is not None
    [a] = alerta.alerts()
    assert a["status"] == "closed" and a["severity"] == "normal"


def test_collector_cycle_sends_its_heartbeat(
    tmp_path: Path,
    influx: InfluxDB,
    alerta: AlertaClient,
    alerta_server: AlertaServer,
    snmpd: SnmpdServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PDCS_ALERTA_URL", alerta_server.url)
    monkeypatch.setenv("PDCS_ALERTA_API_KEY", alerta_server.admin_key)
    inv = lab(tmp_path, snmpd, snmpd)
    poll(inv, influx, tmp_path / "spool.sqlite")
    [h] = alerta.heartbeats()
    assert h["origin"] == "pdcs-collector/test-collector" and h["timeout"] == 180
