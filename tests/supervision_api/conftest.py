"""Fixtures for the API's access, persistence and report tests.

``database`` runs each test on SQLite and on a real PostgreSQL (Debian's,
started once per session on a free port by ``pdcs.devstack.postgres``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from inventory.models import Device, Facility, Inventory, Region
from pdcs.devstack.postgres import PostgresServer, start_postgres
from supervision_api.db import Database


def small_inventory() -> Inventory:
    """Two provinces, three counties, a facility and two devices in each county."""
    regions = [
        Region(code="51", name="四川省"),
        Region(code="5101", name="成都市"),
        Region(code="510122", name="双流区"),
        Region(code="510124", name="郫都区"),
        Region(code="53", name="云南省"),
        Region(code="5301", name="昆明市"),
        Region(code="530102", name="五华区"),
    ]
    hours = {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat")}
    facilities = [
        Facility.model_validate(
            {"id": fid, "name": name, "kind": kind, "county": county, "opening_hours": hours, "uplink_mbps": mbps}
        )
        for fid, name, kind, county, mbps in (
            ("lib-510122", "双流区图书馆", "public_library", "510122", 100),
            ("cc-510124", "郫都区文化馆", "cultural_centre", "510124", 50),
            ("lib-530102", "五华区图书馆", "public_library", "530102", 100),
        )
    ]
    devices = []
    for fac in facilities:
        devices.append(Device.model_validate({"id": f"{fac.id}-sw", "kind": "switch", "facility": fac.id}))
        devices.append(Device.model_validate({"id": f"{fac.id}-t1", "kind": "e_reading_terminal", "facility": fac.id}))
    return Inventory(
        regions={r.code: r for r in regions},
        facilities={f.id: f for f in facilities},
        devices={d.id: d for d in devices},
    )


@pytest.fixture
def inventory() -> Inventory:
    return small_inventory()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> Iterator[Database]:
    """An empty schema on SQLite (in memory) or on the session's PostgreSQL (a fresh database)."""
    if request.param == "sqlite":
        db = Database("sqlite://")
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        db = Database(server.create_database(f"t_{uuid.uuid4().hex[:12]}"))
    db.create_schema()
    yield db
    db.dispose()


@pytest.fixture
def sqlite_db() -> Iterator[Database]:
    db = Database("sqlite://")
    db.create_schema()
    yield db
    db.dispose()
