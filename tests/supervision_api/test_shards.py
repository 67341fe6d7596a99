"""Province shards in the API: a region read from its store, the nation from every store, exactly.

Two real InfluxDBs: Sichuan (51) in one, Yunnan (53) in the other; the same polls also in a third
database holding everything (today's single store), the answer the sharded one must equal.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from devstack.influxdb import InfluxServer, start_influxdb
from inventory.models import Inventory
from pdcs.settings import RETENTION_POLICIES, Settings
from pdcs.storage import InfluxDB
from pdcs.storage.federated import FederatedInfluxDB
from pdcs.storage.shards import ShardMap
from supervision_api.access.store import issue_token
from supervision_api.app import create_app
from supervision_api.db.users import Role
from supervision_api.state import AppState
from tests.support.figures import build_inventory
from tests.support.scenarios import END, KIOSK_DOWN, PERIOD, START, SWITCH_DOWN, at, write_polls

YUNNAN_DOWN = [(at("2026-09-29", "10:00"), at("2026-09-29", "12:00")), (at("2026-10-09", "16:00"), at("2026-10-10"))]
POLLS = {  # device → its down ranges; every poll one a minute over the fortnight
    "jt-wh-k1": KIOSK_DOWN,
    "jt-wh-sw1": SWITCH_DOWN,
    "jt-lib-sw1": [(at("2026-09-30", "10:00"), at("2026-09-30", "11:00"))],
    "dy-lib-sw1": [],
    "fm-lib-sw1": YUNNAN_DOWN,
}


@pytest.fixture(scope="module")
def yunnan_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfluxServer]:
    server = start_influxdb(tmp_path_factory.mktemp("influx-yunnan"))
    yield server
    server.stop()


def _db(url: str) -> InfluxDB:
    db = InfluxDB(url=url, database=f"s_{uuid.uuid4().hex[:10]}", retries=0)
    db.ensure_database(RETENTION_POLICIES)
    return db


@pytest.fixture(scope="module")
def stores(influx_server: InfluxServer, yunnan_server: InfluxServer) -> tuple[ShardMap, InfluxDB]:
    """The shard map (51 default, 53 its own server) and one store holding the same polls."""
    inv = build_inventory()
    shards = ShardMap(default=_db(influx_server.url), provinces={"53": _db(yunnan_server.url)})
    single = _db(influx_server.url)
    for device, down in POLLS.items():
        county = inv.county_of(inv.devices[device])
        write_polls(shards.for_region(county), inv, device, START, END, down=down)
        write_polls(single, inv, device, START, END, down=down)
    return shards, single


def _client(inv: Inventory, influx: InfluxDB, shards: ShardMap | None) -> TestClient:
    settings = Settings(database_url="sqlite://", _env_file=None)  # type: ignore[call-arg]
    state = AppState(settings=settings, inventory=inv, influx=influx, shards=shards)
    app = create_app(state)
    token = issue_token(state, "ministry", Role.MINISTRY)
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def _get(client: TestClient, path: str) -> dict[str, Any]:
    r = client.get(path, params=PERIOD)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_regions_read_their_store_and_the_nation_every_store(stores: tuple[ShardMap, InfluxDB]) -> None:
    shards, single = stores
    inv = build_inventory()
    assert isinstance(shards.reader(), FederatedInfluxDB)
    with _client(inv, shards.reader(), shards) as sharded, _client(inv, single, None) as one:
        for path in (
            "/regions/0/availability",
            "/regions/51/availability",
            "/regions/53/availability",
            "/regions/530124/availability",
            "/facilities/fm-lib/availability",
            "/devices/fm-lib-sw1/availability",
            "/regions/0/bandwidth",
            "/facilities/jt-wh/availability",
        ):
            assert _get(sharded, path) == _get(one, path), path
        nation = _get(sharded, "/regions/0/availability")
        provinces = [_get(sharded, f"/regions/{p}/availability") for p in ("51", "53")]
    # The nation is the sum of its provinces, to the second.
    assert nation["outage_count"] == sum(p["outage_count"] for p in provinces) > 0
    for seconds in ("scheduled_s", "up_s", "down_s", "unknown_s"):
        assert nation[seconds] == sum(p[seconds] for p in provinces), seconds
    assert nation["down_s"] > 0
    assert sorted(o["start"] for o in nation["outages"]) == sorted(o["start"] for p in provinces for o in p["outages"])
    by_code = {c["code"]: c for c in nation["data"]}
    for code, p in zip(("51", "53"), provinces, strict=True):
        child = {k: v for k, v in by_code[code].items() if k not in ("code", "name")}
        assert child == {k: p[k] for k in child}, code
    assert provinces[1]["outage_count"] == 2 and provinces[1]["availability"] < 1


def test_a_province_is_read_from_its_store_only(stores: tuple[ShardMap, InfluxDB]) -> None:
    shards, _ = stores
    inv = build_inventory()
    # Yunnan's polls are only in Yunnan's store: a client over Sichuan's store alone has none of them.
    with _client(inv, shards.default, None) as wrong, _client(inv, shards.reader(), shards) as right:
        assert _get(wrong, "/regions/53/availability")["outage_count"] == 0
        assert _get(right, "/regions/53/availability")["outage_count"] == 2


def test_a_national_aggregate_is_refused_not_read_from_one_store(stores: tuple[ShardMap, InfluxDB]) -> None:
    from pdcs.storage.federated import NotExactAcrossStores

    shards, _ = stores
    with pytest.raises(NotExactAcrossStores):
        shards.reader().query('SELECT count("up") FROM device_up')
    per_device = shards.reader().query('SELECT count("up") FROM device_up GROUP BY "device"')
    assert sorted(s.tags["device"] for s in per_device) == sorted(POLLS)
    shows = shards.reader().query('SHOW TAG VALUES FROM device_up WITH KEY = "province"')
    assert sorted(r[1] for s in shows for r in s.values) == ["51", "53"]


def test_yunnan_store_down_leaves_sichuan_answers_whole(
    stores: tuple[ShardMap, InfluxDB], yunnan_server: InfluxServer
) -> None:
    """The recent-polls cache reads a question's polls from its province's store, not every store."""
    from supervision.recent_polls import RecentPolls

    shards, single = stores
    inv = build_inventory()
    paths = ("/regions/51/availability", "/regions/510121/availability", "/facilities/jt-wh/availability")
    with _client(inv, single, None) as one:
        expected = {path: _get(one, path) for path in paths}
    yunnan_server.stop()
    try:
        with _client(inv, shards.reader(), shards) as sharded:
            for path in paths:
                assert _get(sharded, path) == expected[path], path
            assert sharded.get("/regions/53/availability", params=PERIOD).status_code >= 500  # no made-up figures
        # The cached path too (a question within the cache's horizon: the clock at the period's end).
        end_ms = int(END.timestamp() * 1000)
        state = AppState(settings=Settings(_env_file=None), inventory=inv, influx=shards.reader(), shards=shards)  # type: ignore[call-arg]
        from supervision_api.deps import _polls_store

        cached = RecentPolls(shards.reader(), wall_ms=lambda: end_ms, store_of=lambda tags: _polls_store(state, tags))
        direct = RecentPolls(single, max_polls=0)
        for _ in range(2):  # a full read, then a delta
            got = cached({"province": "51"}, end_ms - 3 * 86_400_000, end_ms)
            want = direct({"province": "51"}, end_ms - 3 * 86_400_000, end_ms)
            assert sorted(got) == sorted(want) == ["dy-lib-sw1", "jt-lib-sw1", "jt-wh-k1", "jt-wh-sw1"]
            assert all(got[d].counts(0, end_ms) == want[d].counts(0, end_ms) for d in want)
        assert cached.reads["full"] == 1 and cached.reads["direct"] == 0
    finally:
        yunnan_server.start_again()
