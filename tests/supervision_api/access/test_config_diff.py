"""``GET /devices/{id}/config/diff``: the configuration history through the API, inside the caller's scope only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from collectors.config_history.repo import ConfigRepo
from supervision_api.db.users import Role
from tests.supervision_api.access.conftest import Api

BEFORE = "hostname jt-lib-sw1\nsnmp-server community Zq9-secret RO\nline vty 0 4\n access-class MGMT in\n"
AFTER = "hostname jt-lib-sw1\nsnmp-server community Zq9-secret RO\nline vty 0 4\n transport input ssh\n"


def test_config_diff_in_scope_masked_and_refused_outside(make_api: Callable[[], Api], tmp_path: Path) -> None:
    api = make_api()
    api.state.settings.config_history_dir = tmp_path / "history"
    repo = ConfigRepo(tmp_path / "history")
    repo.save("jt-lib-sw1", BEFORE, source="ssh_audit", when=datetime(2026, 11, 1, 2, 0, tzinfo=UTC))
    repo.save("jt-lib-sw1", AFTER, source="fetch", when=datetime(2026, 11, 20, 2, 0, tzinfo=UTC))

    staff = api.client(Role.COUNTY_STAFF, "510121")
    r = staff.get("/devices/jt-lib-sw1/config/diff")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["versions"] == 2 and body["new"]["source"] == "fetch" and body["old"]["source"] == "ssh_audit"
    assert body["added"] == [" transport input ssh"] and body["removed"] == [" access-class MGMT in"]
    assert "Zq9-secret" not in r.text and "snmp-server community ****** RO" in body["unified"]  # context, masked

    # since a Beijing-time date before the first version: every line is new, the old side empty
    r = staff.get("/devices/jt-lib-sw1/config/diff", params={"since": "2026-10-01T00:00:00"})
    assert r.status_code == 200 and r.json()["old"] is None
    assert "snmp-server community ****** RO" in r.json()["added"] and "Zq9-secret" not in r.text

    # a device without history answers an empty history, not an error
    r = api.client(Role.ADMIN).get("/devices/dy-lib-sw1/config/diff")
    assert r.status_code == 200 and r.json()["versions"] == 0 and r.json()["new"] is None

    # outside the caller's county: refused
    # another county's device: the same 404 as an unknown id (issue 15)
    assert api.client(Role.COUNTY_STAFF, "510129").get("/devices/jt-lib-sw1/config/diff").status_code == 404
