"""InfluxDB set up for high cardinality, against a real influxd: the TSI index, and shard group durations per
retention policy — for a new database, and for one created by an earlier release (``pdcs influx migrate``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from devstack.influxdb import HIGH_CARDINALITY, InfluxServer
from pdcs.cli import app
from pdcs.settings import NATIONAL_RETENTION_POLICIES, RAW_RP, RAW_RP_DURATION, ROLLUP_RP, ROLLUP_RP_DURATION, Settings
from pdcs.storage import InfluxDB, layout

runner = CliRunner()
DAY = 86_400
WEEK_NS = 7 * DAY * 10**9


@pytest.fixture
def database(influx_server: InfluxServer) -> Iterator[InfluxDB]:
    db = InfluxDB(url=influx_server.url, database=f"c_{uuid.uuid4().hex[:12]}", retries=1, backoff_s=0.05)
    yield db
    db.execute(f'DROP DATABASE "{db.database}"')
    db.close()


def _shard_seconds(db: InfluxDB) -> dict[str, int]:
    return {name: layout.duration_s(shard) for name, (_, shard) in db.retention_policies().items()}


def _shard_groups(db: InfluxDB, rp: str) -> list[tuple[int, int]]:
    """(start, end) in ns of the retention policy's shard groups (SHOW SHARDS)."""
    rows = [r for s in db.query("SHOW SHARDS", epoch="ns") if s.name == db.database for r in s.rows()]
    return sorted((_ns(r["start_time"]), _ns(r["end_time"])) for r in rows if r["retention_policy"] == rp)


def _ns(value: object) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()) * 10**9


def test_a_new_database_gets_the_recommended_shard_durations(database: InfluxDB, influx_server: InfluxServer) -> None:
    Settings(influx_url=influx_server.url, influx_db=database.database).ensure_schema()
    assert _shard_seconds(database) == {"autogen": 7 * DAY, "raw": 7 * DAY, "rollup": 30 * DAY, "pdcs_meta": 364 * DAY}
    assert layout.policy_changes(database) == []
    # Points a week apart in raw land in 7-day shard groups (InfluxDB's default for a 90-day policy: 1 day).
    now = time.time_ns()
    database.write_lines([f"device_up,device=d1 up=1i {now - n * WEEK_NS}" for n in range(3)])
    groups = _shard_groups(database, RAW_RP)
    assert len(groups) == 3 and all(end - start == WEEK_NS for start, end in groups)


def test_the_national_store_policies(database: InfluxDB, influx_server: InfluxServer) -> None:
    """``pdcs influx init --national`` (compose's influx-init) sets the national summaries store up."""
    env = {"PDCS_INFLUX_URL": influx_server.url, "PDCS_INFLUX_DB": database.database}
    done = runner.invoke(app, ["influx", "init", "--national", "--lang", "en"], env=env)
    assert done.exit_code == 0, done.output
    assert "retention policy summary: duration 960h0m0s, shard group duration 168h0m0s" in done.output
    assert set(database.retention_policies()) == {"autogen", *(rp[0] for rp in NATIONAL_RETENTION_POLICIES)}
    shards = _shard_seconds(database)
    assert (shards["summary"], shards["summary_long"], shards["rollup"]) == (7 * DAY, 30 * DAY, 30 * DAY)
    default = [r["name"] for s in database.query("SHOW RETENTION POLICIES") for r in s.rows() if r["default"]]
    assert default == ["summary"]


def test_init_grants_grafana_read_on_the_summaries(database: InfluxDB, influx_server: InfluxServer) -> None:
    """compose's influx-init: Grafana's read-only user may read pdcs_national (data source pdcs-national)."""
    user = f"g_{uuid.uuid4().hex[:8]}"
    database.execute(f"CREATE USER \"{user}\" WITH PASSWORD 'not-a-secret'")
    try:
        env = {"PDCS_INFLUX_URL": influx_server.url, "PDCS_INFLUX_DB": database.database}
        done = runner.invoke(app, ["influx", "init", "--national", "--grant-read", user], env=env)
        assert done.exit_code == 0, done.output
        grants = [r for s in database.query(f'SHOW GRANTS FOR "{user}"') for r in s.rows()]
        assert grants == [{"database": database.database, "privilege": "READ"}]
    finally:
        database.execute(f'DROP USER "{user}"')


def test_an_older_database_keeps_its_data_and_gets_the_new_durations(
    database: InfluxDB, influx_server: InfluxServer
) -> None:
    """A database of an earlier release (policies without shard durations: InfluxDB chose 1 day and 7 days)."""
    database.ensure_database([(RAW_RP, RAW_RP_DURATION, True), (ROLLUP_RP, ROLLUP_RP_DURATION, False)])
    layout.stamp(database, layout.SCHEMA_VERSION)
    old = time.time_ns() - 2 * DAY * 10**9
    database.write_lines([f"device_up,device=d1 up=1i {old}"])
    assert _shard_seconds(database)["raw"] == DAY
    env = {"PDCS_INFLUX_URL": influx_server.url, "PDCS_INFLUX_DB": database.database}
    status = runner.invoke(app, ["influx", "status", "--lang", "en"], env=env)
    assert status.exit_code == 0, status.output  # readable as it is: durations are no layout change
    assert "retention policy raw: duration 2160h0m0s → 90d, shard group duration 24h0m0s → 7d" in status.output
    assert "retention policy rollup" in status.output and "168h0m0s → 30d" in status.output

    done = runner.invoke(app, ["influx", "migrate"], env=env)
    assert done.exit_code == 0, done.output
    assert "保留策略 raw" in done.output and "只影响此后新建的分片组" in done.output
    assert _shard_seconds(database) == {"autogen": 7 * DAY, "raw": 7 * DAY, "rollup": 30 * DAY, "pdcs_meta": 364 * DAY}
    default = [r["name"] for s in database.query("SHOW RETENTION POLICIES") for r in s.rows() if r["default"]]
    assert default == ["raw"]
    # The old shard group keeps its day; a point after it opens a 7-day group; both are read.
    database.write_lines([f"device_up,device=d1 up=0i {time.time_ns() + WEEK_NS}"])
    lengths = sorted(end - start for start, end in _shard_groups(database, RAW_RP))
    assert lengths == [DAY * 10**9, WEEK_NS]
    rows = [r for s in database.query("SELECT up FROM device_up", epoch="ns") for r in s.rows()]
    assert [r["up"] for r in rows] == [1, 0]
    again = runner.invoke(app, ["influx", "status", "--lang", "en"], env=env)
    assert "→" not in again.output
    assert "retention policy raw: duration 2160h0m0s, shard group duration 168h0m0s" in again.output


def test_the_dev_and_test_server_uses_tsi_without_cardinality_limits(
    database: InfluxDB, influx_server: InfluxServer
) -> None:
    conf = (influx_server.data_dir / "influxdb.conf").read_text(encoding="utf-8")
    for key, value in HIGH_CARDINALITY.items():
        assert f"  {key} = {value}\n" in conf
    database.ensure_database([(RAW_RP, RAW_RP_DURATION, True, "7d")])
    database.write_lines(["device_up,device=d1 up=1i"])
    shard_dirs = list((influx_server.data_dir / "data" / database.database / RAW_RP).iterdir())
    # A TSI shard has its index on disk (an "index" folder of partitions); an inmem shard has none.
    assert shard_dirs and all((d / "index").is_dir() for d in shard_dirs)
    assert (influx_server.data_dir / "data" / database.database / "_series").is_dir()


def test_durations_parse_both_ways() -> None:
    assert layout.duration_s("7d") == layout.duration_s("168h0m0s") == 7 * DAY
    assert layout.duration_s("52w") == layout.duration_s("8736h0m0s")
    assert layout.duration_s("INF") == layout.duration_s("0s") == 0
    with pytest.raises(ValueError, match="not a duration"):
        layout.duration_s("7 days")
