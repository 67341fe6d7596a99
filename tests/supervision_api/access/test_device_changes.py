"""Devices created, updated and deleted through the API: in scope only, stored, reflected, audited."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from inventory.models import Inventory
from pdcs.settings import Settings
from pdcs.storage import InfluxDB
from supervision_api.access.store import issue_token
from supervision_api.app import create_app
from supervision_api.db.users import Role
from supervision_api.state import AppState

from .conftest import Api


def test_county_staff_change_their_county_only(api: Api) -> None:
    staff = api.client(Role.COUNTY_STAFF, "510121", name="jt-it")
    before = staff.get("/regions/510121").json()["devices"]
    r = staff.post("/devices", json={"id": "jt-lib-k9", "kind": "kiosk", "facility": "jt-lib", "name": "大厅一体机"})
    assert r.status_code == 201, r.text
    assert r.json()["region"]["county"]["code"] == "510121"
    assert staff.get("/regions/510121").json()["devices"] == before + 1
    assert staff.get("/devices/jt-lib-k9").json()["name"] == "大厅一体机"

    r = staff.put("/devices/jt-lib-k9", json={"id": "jt-lib-k9", "kind": "kiosk", "facility": "jt-wh", "vendor": "X"})
    assert r.status_code == 200 and r.json()["facility"]["id"] == "jt-wh"
    # moving it to a facility outside the county is refused (as an unknown facility: ids of other
    # counties are not revealed), and nothing changes
    r = staff.put("/devices/jt-lib-k9", json={"id": "jt-lib-k9", "kind": "kiosk", "facility": "dy-lib"})
    assert r.status_code == 422
    assert staff.get("/devices/jt-lib-k9").json()["facility"]["id"] == "jt-wh"
    assert staff.post("/devices", json={"id": "x", "kind": "kiosk", "facility": "fm-lib"}).status_code == 422
    assert staff.post("/devices", json={"id": "jt-lib-k9", "kind": "kiosk", "facility": "jt-lib"}).status_code == 409
    bad = staff.post("/devices", json={"id": "y", "kind": "kiosk", "facility": "nowhere"})
    assert bad.status_code == 422 and "nowhere" in bad.json()["detail"]
    r = staff.post("/devices", json={"id": "z", "kind": "switch", "facility": "jt-lib", "snmp_profile": "p"})
    assert r.status_code == 422  # a profile needs a management address (the model's own check)
    assert staff.delete("/devices/jt-lib-k9").status_code == 204
    assert staff.get("/devices/jt-lib-k9").status_code == 404
    assert staff.delete("/devices/dy-lib-sw1").status_code == 404  # another county's device: as if unknown

    admin = api.client(Role.ADMIN)
    log = admin.get("/audit-log").json()["data"]
    mine = [(e["action"], e["target"], e["region"]) for e in log if e["user"] == "jt-it"]
    assert mine == [
        ("device.delete", "jt-lib-k9", "510121"),
        ("device.update", "jt-lib-k9", "510121"),
        ("device.create", "jt-lib-k9", "510121"),
    ]
    assert admin.get("/audit-log?action=device.update").json()["data"][0]["details"]["changed"] == [
        "facility",
        "name",  # PUT replaces the record: the name it did not send is gone
        "vendor",
    ]
    assert staff.get("/audit-log").status_code == 403


def test_inspectors_read_only(api: Api) -> None:
    for role, scope in ((Role.MINISTRY, ""), (Role.PROVINCE_INSPECTOR, "51")):
        c = api.client(role, scope)
        r = c.post("/devices", json={"id": "n", "kind": "kiosk", "facility": "jt-lib"})
        assert r.status_code == 403 and "角色" in r.json()["detail"]


def test_changes_survive_a_restart(tmp_path: Path, influx: InfluxDB, inventory: Inventory) -> None:
    url = f"sqlite:///{tmp_path}/pdcs.sqlite"
    settings = Settings(influx_url=influx.url, influx_db=influx.database, database_url=url, _env_file=None)  # type: ignore[call-arg]
    state = AppState(settings=settings, inventory=inventory, influx=influx)
    app = create_app(state)  # seeds the empty database from the folder's inventory
    token = issue_token(state, "admin", Role.ADMIN)
    c = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    assert c.delete("/devices/jt-lib-t2").status_code == 204
    state.close()

    # started again with the folder's inventory: the database (not the folder) is the truth now
    state2 = AppState(settings=settings, inventory=inventory, influx=influx)
    c2 = TestClient(create_app(state2), headers={"Authorization": f"Bearer {token}"})
    assert c2.get("/devices/jt-lib-t2").status_code == 404
    assert "jt-lib-t2" not in state2.inventory.devices and "jt-lib-t1" in state2.inventory.devices
    state2.close()


def test_a_second_api_process_sees_changes(tmp_path: Path, influx: InfluxDB, inventory: Inventory) -> None:
    """Two apps on one database (as with pdcs api --workers 2): a change through one reaches the other."""
    settings = Settings(
        influx_url=influx.url, influx_db=influx.database, database_url=f"sqlite:///{tmp_path}/p.sqlite", _env_file=None
    )  # type: ignore[call-arg]
    one = AppState(settings=settings, inventory=inventory, influx=influx)
    c1 = TestClient(create_app(one))
    two = AppState(settings=settings, inventory=inventory, influx=influx)
    c2 = TestClient(create_app(two))
    token = issue_token(one, "admin", Role.ADMIN)
    auth = {"Authorization": f"Bearer {token}"}
    assert (
        c1.post("/devices", json={"id": "w-1", "kind": "kiosk", "facility": "jt-lib"}, headers=auth).status_code == 201
    )
    two.inventory_checked_at = 0.0  # as if the re-check interval had passed
    assert c2.get("/devices/w-1", headers=auth).status_code == 200
    for state in (one, two):
        state.close()
