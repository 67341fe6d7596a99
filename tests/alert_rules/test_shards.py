"""The evaluator over province stores (`pdcs alerts run` reads `Settings.reader()`): every store at once."""

from __future__ import annotations

import time
from pathlib import Path

from alert_rules.evaluator import Evaluator
from alert_rules.load import load_rules
from alert_rules.state import StateStore
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


def test_rules_see_every_store_and_a_store_down_keeps_alerts(tmp_path: Path, influx: InfluxDB) -> None:
    inv = _two_provinces()
    yunnan = InfluxDB(url=influx.url, database=f"{influx.database}_53", retries=0)
    yunnan.ensure_database(RETENTION_POLICIES)
    shards = ShardMap(default=influx, provinces={"53": yunnan})
    t0 = time.time()
    for db in (influx, yunnan):  # a collector of the whole inventory reports to every store
        db.write_lines(to_lines(collector_points("c-all", "all", t0 - 600, t0 + 3 * 3600)))
    for device, up in {"F1-T1": 0, "F1-T2": 1, "F2-SW": 0, "F2-T1": 1}.items():
        shards.write_points([device_up(inv, device, up, int(t0 * 1e9))])
    assert yunnan.query("SELECT count(up) FROM device_up")[0].values[0][1] == 2
    rules = [r for r in load_rules() if r.name == "device_down"]
    ev = Evaluator(rules, shards.reader(), inv, StateStore(tmp_path / "a.sqlite"), None, timeout_s=3600)
    ev.cycle(t0, deliver=False)
    r = ev.cycle(t0 + 5 * MIN, deliver=False)
    assert sorted(r.opened) == [("device_down", "F1-T1", "device_down"), ("device_down", "F2-SW", "device_down")]
    # Yunnan's store unreachable: the rule fails this cycle, both alerts stay (none resolved by missing data).
    blind_map = ShardMap(default=influx, provinces={"53": InfluxDB("http://127.0.0.1:9", yunnan.database, retries=0)})
    blind = Evaluator(rules, blind_map.reader(), inv, StateStore(tmp_path / "a.sqlite"), None, timeout_s=3600)
    r = blind.cycle(t0 + 30 * MIN, deliver=False)
    assert set(r.failed_rules) == {"device_down"} and r.firing == 2 and not r.resolved
    yunnan.execute(f'DROP DATABASE "{yunnan.database}"')
    yunnan.close()
