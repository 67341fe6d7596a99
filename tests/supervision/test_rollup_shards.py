"""`pdcs backfill` (the roll-up job) with province stores: each store rolls up the counties it holds."""

from __future__ import annotations

import uuid
from pathlib import Path

import yaml
from typer.testing import CliRunner

from devstack.influxdb import InfluxServer
from inventory.load import load_inventory
from pdcs.cli import app
from pdcs.settings import RETENTION_POLICIES, ROLLUP_RP
from pdcs.storage import InfluxDB
from pdcs.storage.shards import write_shard_map
from tests.support.scenarios import at, write_polls

HOURS = {d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")}


def _inventory(folder: Path) -> Path:
    folder.mkdir(parents=True)
    regions = [
        {"code": "51", "name": "四川省"}, {"code": "5101", "name": "成都市", "parent": "51"},
        {"code": "510121", "name": "金堂县", "parent": "5101"},
        {"code": "53", "name": "云南省"}, {"code": "5301", "name": "昆明市", "parent": "53"},
        {"code": "530124", "name": "富民县", "parent": "5301"},
    ]  # fmt: skip
    facilities = [
        {"id": "jt-lib", "name": "金堂县图书馆", "kind": "public_library", "county": "510121", "opening_hours": HOURS},
        {"id": "fm-lib", "name": "富民县图书馆", "kind": "public_library", "county": "530124", "opening_hours": HOURS},
    ]
    devices = [
        {"id": "jt-sw", "kind": "switch", "facility": "jt-lib", "address": "10.1.0.1"},
        {"id": "fm-sw", "kind": "switch", "facility": "fm-lib", "address": "10.5.0.1"},
    ]
    for name, data in (("regions", regions), ("facilities", facilities), ("devices", devices)):
        (folder / f"{name}.yaml").write_text(yaml.safe_dump({name: data}, allow_unicode=True), encoding="utf-8")
    return folder


def _rows(db: InfluxDB) -> dict[str, tuple[float, float]]:
    q = f'SELECT "scheduled_s", "serving_s" FROM "{ROLLUP_RP}"."facility_daily" GROUP BY "facility"'
    return {s.tags["facility"]: (s.values[0][1], s.values[0][2]) for s in db.query(q)}


def test_backfill_rolls_each_county_up_in_its_store(tmp_path: Path, influx_server: InfluxServer) -> None:
    folder = _inventory(tmp_path / "inv")
    inv = load_inventory(folder)
    sichuan, yunnan, single = (InfluxDB(influx_server.url, f"r_{uuid.uuid4().hex[:10]}", retries=0) for _ in range(3))
    for db in (sichuan, yunnan, single):
        db.ensure_database(RETENTION_POLICIES)
    day, down = at("2026-10-13"), [(at("2026-10-13", "10:00"), at("2026-10-13", "11:30"))]
    for device, store in (("jt-sw", sichuan), ("fm-sw", yunnan)):
        for db in (store, single):
            write_polls(db, inv, device, day, at("2026-10-14"), down=down if device == "fm-sw" else ())
    shards = write_shard_map(
        tmp_path / "shards.yaml", (sichuan.url, sichuan.database), {"53": (yunnan.url, yunnan.database)}
    )
    args = ["backfill", "--start", "2026-10-13", "--end", "2026-10-13", "--inventory", str(folder)]
    done = CliRunner().invoke(app, args, env={"PDCS_INFLUX_SHARDS": str(shards)})
    assert done.exit_code == 0, done.output
    one = CliRunner().invoke(app, [*args, "--influx-url", single.url, "--influx-db", single.database])
    assert one.exit_code == 0, one.output
    expected = _rows(single)
    assert expected == {"jt-lib": (28800.0, 28800.0), "fm-lib": (28800.0, 23400.0)}
    assert _rows(sichuan) == {"jt-lib": expected["jt-lib"]}
    assert _rows(yunnan) == {"fm-lib": expected["fm-lib"]}


def test_a_store_down_does_not_stop_the_others(tmp_path: Path, influx_server: InfluxServer) -> None:
    folder = _inventory(tmp_path / "inv")
    inv = load_inventory(folder)
    sichuan = InfluxDB(influx_server.url, f"r_{uuid.uuid4().hex[:10]}", retries=0)
    sichuan.ensure_database(RETENTION_POLICIES)
    write_polls(sichuan, inv, "jt-sw", at("2026-10-13"), at("2026-10-14"))
    shards = write_shard_map(
        tmp_path / "shards.yaml", (sichuan.url, sichuan.database), {"53": ("http://127.0.0.1:9", "pdcs")}
    )
    args = ["backfill", "--start", "2026-10-13", "--end", "2026-10-13", "--inventory", str(folder)]
    done = CliRunner().invoke(app, args, env={"PDCS_INFLUX_SHARDS": str(shards)})
    assert done.exit_code == 1 and "127.0.0.1:9" in str(done.exception)  # Yunnan's store unreachable: said
    assert _rows(sichuan) == {"jt-lib": (28800.0, 28800.0)}  # Sichuan rolled up all the same
