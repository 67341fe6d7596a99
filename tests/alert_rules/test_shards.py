"""The evaluator over province stores (`pdcs alerts run`): every store, each on its own (alert_rules/stores.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from alert_rules.alerta import AlertaClient
from alert_rules.evaluator import Evaluator
from alert_rules.load import load_rules
from alert_rules.state import StateStore
from alert_rules.stores import StoreSet
from devstack.influxdb import InfluxServer, start_influxdb
from inventory.models import Inventory, Region
from pdcs.points import to_lines
from pdcs.settings import RETENTION_POLICIES
from pdcs.storage import InfluxDB
from pdcs.storage.shards import ShardMap
from tests.alert_rules.conftest import collector_points, device_up, make_inventory

MIN = 60.0


def _two_provinces() -> Inventory:
    """The alert tests' inventory with 金堂县文化馆 (F2) moved to Yunnan (富民县)."""
    inv = make_inventory()
    regions = {**inv.regions, **{c: Region(code=c, name=n) for c, n in (("53", "云南省"), ("5301", "昆明市"))}}
    regions["530124"] = Region(code="530124", name="富民县")
    facilities = {**inv.facilities, "F2": inv.facilities["F2"].model_copy(update={"county": "530124"})}
    return inv.model_copy(update={"regions": regions, "facilities": facilities})


@pytest.fixture
def yunnan_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfluxServer]:
    """Yunnan's own InfluxDB (a second real server, stopped by the test)."""
    server = start_influxdb(tmp_path_factory.mktemp("influx-yunnan"))
    yield server
    server.stop()


def test_a_store_down_holds_up_no_other_province(
    tmp_path: Path,
    influx: InfluxDB,
    yunnan_server: InfluxServer,
    alerta: AlertaClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    inv = _two_provinces()
    yunnan = InfluxDB(url=yunnan_server.url, database="pdcs", retries=0)
    yunnan.ensure_database(RETENTION_POLICIES)
    shards = ShardMap(default=influx, provinces={"53": yunnan})
    t0 = time.time()
    for db in (influx, yunnan):  # a collector of the whole inventory reports to every store
        db.write_lines(to_lines(collector_points("c-all", "all", t0 - 600, t0 + 3 * 3600)))
    for device, up in {"F1-T1": 0, "F1-T2": 1, "F2-SW": 0, "F2-T1": 1}.items():
        shards.write_points([device_up(inv, device, up, int(t0 * 1e9))])
    assert yunnan.query("SELECT count(up) FROM device_up")[0].values[0][1] == 2
    rules = [r for r in load_rules() if r.name in ("device_down", "facility_down")]
    store = StateStore(tmp_path / "a.sqlite")
    ev = Evaluator(rules, shards.reader(), inv, store, alerta, timeout_s=3600, stores=shards.stores())
    ev.cycle(t0, deliver=False)
    r = ev.cycle(t0 + 5 * MIN, deliver=False)
    assert sorted(r.opened) == [("device_down", "F1-T1", "device_down"), ("device_down", "F2-SW", "device_down")]
    assert not r.failed_stores and not r.failed_rules

    # A store that failed earlier in the cycle is not asked again (its time-out is paid once a cycle).
    stores = StoreSet(shards.stores())
    series, errors = stores.query('SELECT last("up") FROM device_up GROUP BY "device"', {1: "down earlier"})
    assert errors == {1: "down earlier"} and sorted(s.tags["device"] for s in series) == ["F1-T1", "F1-T2"]
    assert stores.index_of("53") == 1 and stores.index_of("51") == stores.index_of("") == 0

    # Yunnan's store stops; F1-T1 comes back and F1-T2 goes down in Sichuan.
    yunnan_server.stop()
    t1 = t0 + 6 * MIN
    shards.default.write_lines(
        to_lines([device_up(inv, "F1-T1", 1, int(t1 * 1e9)), device_up(inv, "F1-T2", 0, int(t1 * 1e9))])
    )
    with caplog.at_level("WARNING", logger="alert_rules.evaluator"):
        r = ev.cycle(t1, deliver=False)
        pending = {k for k, st in store.load().items() if st.status == "pending"}
        r = ev.cycle(t1 + 5 * MIN, deliver=False)
    # Sichuan's alerts open and resolve in this cycle; Yunnan's open alert (F2-SW) stays open, nothing
    # opened in Yunnan from missing data (F2-T1 and the facility F2 are not judged while its store is down).
    assert ("device_down", "F1-T2", "device_down") in pending
    assert r.opened == [("device_down", "F1-T2", "device_down")]
    states = store.load()
    assert ("device_down", "F1-T1", "device_down") not in states  # resolved (resolve_after elapsed)
    assert states[("device_down", "F2-SW", "device_down")].status == "firing"
    assert {k[1] for k in states} == {"F1-T2", "F2-SW"}
    assert not r.failed_rules
    assert list(r.failed_stores) == [f"{yunnan.url} pdcs [53]"] and r.summary()["failed_stores"] == r.failed_stores
    down = [rec for rec in caplog.records if "unreachable" in rec.getMessage()]
    assert len(down) == 2  # once per cycle, not once per rule
    assert ev.heartbeat(r)  # and on the evaluator's heartbeat in Alerta
    beat = next(h for h in alerta.heartbeats() if h["origin"] == ev.origin)
    assert beat["attributes"] == {"failedStores": f"{yunnan.url} pdcs [53]"}
    store.close()
    yunnan.close()
