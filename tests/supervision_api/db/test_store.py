"""Persistence on SQLite and on a real PostgreSQL: inventory round trip, users, hashed tokens, audit log."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select, text

from inventory.models import Device, Inventory
from supervision_api.db import ApiToken, Database, inventory_store, users
from supervision_api.db import audit as audit_log
from supervision_api.db.users import Role, UserError


def test_inventory_round_trip(database: Database, inventory: Inventory) -> None:
    with database.session() as s:
        inventory_store.replace(s, inventory)
    with database.session() as s:
        back = inventory_store.load(s)
    assert back.regions == inventory.regions
    assert back.facilities == inventory.facilities
    assert back.devices == inventory.devices
    assert [str(s) for s in back.facilities["jt-lib"].opening_hours["sat"]] == ["09:00-12:00", "14:00-17:00"]
    with database.session() as s:
        # scoped reads are a prefix match on the stored region
        rows = s.execute(text("SELECT key FROM inventory_items WHERE kind='device' AND region LIKE '53%' ORDER BY key"))
        assert [r[0] for r in rows] == ["fm-lib-old", "fm-lib-sw1"]


def test_upsert_and_remove_device(database: Database, inventory: Inventory) -> None:
    with database.session() as s:
        inventory_store.replace(s, inventory)
        new = Device.model_validate({"id": "ap-1", "kind": "wireless_ap", "facility": "jt-wh", "name": "二楼AP"})
        inventory_store.upsert(s, "device", new, inventory)
        inventory_store.upsert(s, "device", new.model_copy(update={"name": "三楼AP"}), inventory)
        assert inventory_store.remove(s, "device", "jt-lib-t1")
        assert not inventory_store.remove(s, "device", "nope")
    with database.session() as s:
        back = inventory_store.load(s)
    assert back.devices["ap-1"].name == "三楼AP"
    assert "jt-lib-t1" not in back.devices


def test_tokens_are_stored_hashed_and_shown_once(database: Database) -> None:
    with database.session() as s:
        users.add_user(s, "wang", Role.PROVINCE_INSPECTOR, "51", "王检查员")
        row, token = users.create_token(s, "wang", label="laptop")
        prefix = row.prefix
    with database.session() as s:
        stored = s.scalars(select(ApiToken)).one()
        assert stored.sha256 == hashlib.sha256(token.encode()).hexdigest()
        dump = " ".join(str(v) for r in s.execute(text("SELECT * FROM api_tokens")) for v in r)
        assert token not in dump and token.split("_", 2)[2] not in dump
        who = users.authenticate(s, token)
    assert who is not None and (who.name, who.role, who.scope) == ("wang", Role.PROVINCE_INSPECTOR, "51")
    with database.session() as s:
        assert users.authenticate(s, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
        assert users.authenticate(s, "garbage") is None
        users.revoke_token(s, prefix)
    with database.session() as s:
        assert users.authenticate(s, token) is None


def test_disabled_user_cannot_authenticate(database: Database) -> None:
    with database.session() as s:
        users.add_user(s, "li", Role.COUNTY_STAFF, "510122")
        _, token = users.create_token(s, "li")
        users.set_disabled(s, "li")
    with database.session() as s:
        assert users.authenticate(s, token) is None
        with pytest.raises(UserError, match="disabled"):
            users.create_token(s, "li")


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.MINISTRY, "51"),
        (Role.PROVINCE_INSPECTOR, "5101"),
        (Role.COUNTY_STAFF, "51"),
        (Role.COUNTY_STAFF, "510100"),
    ],
)
def test_scope_must_fit_the_role(sqlite_db: Database, role: Role, scope: str) -> None:
    with sqlite_db.session() as s, pytest.raises(UserError, match="scope"):
        users.add_user(s, "x", role, scope)


def test_audit_log(database: Database) -> None:
    with database.session() as s:
        users.add_user(s, "zhang", Role.MINISTRY)
        _, token = users.create_token(s, "zhang")
        who = users.authenticate(s, token)
        assert who
        audit_log.record(s, who, "report.pull", region="51", target="/regions/51/report", details={"format": "pdf"})
        audit_log.record(s, who, "device.delete", region="530124", target="fm-lib-sw1")
    with database.session() as s:
        got = audit_log.entries(s)
        assert [e.action for e in got] == ["device.delete", "report.pull"]
        assert got[1].details == {"format": "pdf"} and got[1].user == "zhang" and got[1].role == "ministry"
        assert [e.action for e in audit_log.entries(s, region="51")] == ["report.pull"]


def test_database_urls() -> None:
    """docker-compose gives libpq's postgres:// form; SQLite files get their folder."""
    from supervision_api.db.engine import make_engine

    assert make_engine("postgres://pdcs:pw@db:5432/pdcs").url.drivername == "postgresql+psycopg2"
    assert make_engine("sqlite://").url.database is None
