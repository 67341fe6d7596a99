"""Fixtures of the figures' tests (supervision, reports, API).

A small two-province inventory built in code, and an API client over a fresh InfluxDB.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from inventory.models import Device, Facility, Inventory, Region
from pdcs.settings import Settings
from pdcs.storage import InfluxDB
from supervision_api.access.store import issue_token
from supervision_api.app import create_app
from supervision_api.db.users import Role
from supervision_api.state import AppState

WEEKDAYS_9_17 = {d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")}


def _fac(**kw: object) -> Facility:
    # The scenarios' facilities announce closure on statutory holidays (a library or cultural centre
    # opens on holidays by default — 《公共图书馆法》第三十三条 — so they say so explicitly).
    return Facility.model_validate({"holidays": "closed", **kw})


def _dev(**kw: object) -> Device:
    return Device.model_validate(kw)


def build_inventory() -> Inventory:
    regions = [
        Region(code="51", name="四川省"),
        Region(code="5101", name="成都市"),
        Region(code="510121", name="金堂县"),
        Region(code="510129", name="大邑县"),
        Region(code="53", name="云南省"),
        Region(code="5301", name="昆明市"),
        Region(code="530124", name="富民县"),
    ]
    facilities = [
        _fac(
            id="jt-lib",
            name="金堂县图书馆",
            kind="public_library",
            county="510121",
            opening_hours={**WEEKDAYS_9_17, "sat": "09:00-12:00,14:00-17:00"},
            uplink_mbps=100,
            attributes={"wireless_coverage": True, "digital_library_service": True},
        ),
        _fac(
            id="jt-wh",
            name="金堂县文化馆",
            kind="cultural_centre",
            county="510121",
            opening_hours=WEEKDAYS_9_17,
            attributes={"wireless_coverage": True, "digital_cultural_centre": False},
        ),
        _fac(
            id="jt-zhaozhen",
            name="赵镇综合文化服务中心",
            kind="township_centre",
            county="510121",
            opening_hours=WEEKDAYS_9_17,
            uplink_mbps=20,
            attributes={"wireless_coverage": False, "service_point_upgraded": True},
        ),
        _fac(
            id="dy-lib",
            name="大邑县图书馆",
            kind="public_library",
            county="510129",
            opening_hours=WEEKDAYS_9_17,
            attributes={"wireless_coverage": True, "digital_library_service": False},
        ),
        _fac(
            id="fm-lib",
            name="富民县图书馆",
            kind="public_library",
            county="530124",
            opening_hours=WEEKDAYS_9_17,
        ),
    ]
    devices = [
        _dev(id="jt-lib-sw1", kind="switch", facility="jt-lib", address="10.1.0.1", uplink_interface="ge0/0/1"),
        _dev(id="jt-lib-ap1", kind="wireless_ap", facility="jt-lib", address="10.1.0.11"),
        _dev(id="jt-lib-ap2", kind="wireless_ap", facility="jt-lib", address="10.1.0.12"),
        _dev(id="jt-lib-t1", kind="e_reading_terminal", facility="jt-lib", agent_url="http://10.1.0.21:9105/metrics"),
        _dev(id="jt-lib-t2", kind="e_reading_terminal", facility="jt-lib", agent_url="http://10.1.0.22:9105/metrics"),
        _dev(id="jt-wh-k1", kind="kiosk", facility="jt-wh", agent_url="http://10.2.0.21:9105/metrics"),
        _dev(id="jt-wh-sw1", kind="switch", facility="jt-wh", address="10.2.0.1"),
        _dev(id="jt-zz-sw1", kind="switch", facility="jt-zhaozhen", address="10.3.0.1"),
        _dev(id="jt-zz-t1", kind="e_reading_terminal", facility="jt-zhaozhen"),
        _dev(id="dy-lib-sw1", kind="switch", facility="dy-lib", address="10.4.0.1"),
        _dev(id="dy-lib-ap1", kind="wireless_ap", facility="dy-lib", address="10.4.0.11"),
        _dev(id="fm-lib-sw1", kind="switch", facility="fm-lib", address="10.5.0.1"),
        _dev(id="fm-lib-old", kind="server", facility="fm-lib", enabled=False),
    ]
    return Inventory(
        regions={r.code: r for r in regions},
        facilities={f.id: f for f in facilities},
        devices={d.id: d for d in devices},
    )


@pytest.fixture
def inventory() -> Inventory:
    return build_inventory()


@pytest.fixture
def client(influx: InfluxDB, inventory: Inventory) -> Iterator[TestClient]:
    settings = Settings(influx_url=influx.url, influx_db=influx.database, database_url="sqlite://", _env_file=None)  # type: ignore[call-arg]
    state = AppState(settings=settings, inventory=inventory, influx=influx)
    app = create_app(state)
    token = issue_token(state, "ministry", Role.MINISTRY)  # every route needs a token; the nation's scope
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as c:
        yield c


@pytest.fixture
def rolled(influx: InfluxDB, inventory: Inventory) -> InfluxDB:
    """The National Day fortnight (scenarios.py) in raw points, rolled up day by day for 金堂县."""
    from supervision import rollup
    from tests.support.scenarios import write_fortnight, write_library_traffic_checks

    write_fortnight(influx, inventory)
    write_library_traffic_checks(influx, inventory)
    day = date(2026, 9, 28)
    while day < date(2026, 10, 12):
        rollup.rollup_day(influx, inventory, day, only=["510121"])
        day += timedelta(days=1)
    return influx


def strip_outages(children: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An availability answer's children without their outage counts: roll-ups count an outage crossing
    midnight once per day, raw polls once, so those counts may differ where every other figure agrees."""
    return [{k: v for k, v in c.items() if k != "outage_count"} for c in children]
