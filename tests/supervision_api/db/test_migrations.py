"""Migrations of the API database on SQLite and a real PostgreSQL.

The upgrade test takes a database as pdcs 0.1.0 left it (``release_0_1``: its tables, made by
``create_all``, with users, tokens, audit entries and stored inventory), runs ``pdcs db upgrade``
and checks every row is still there and still works: the old token authenticates, the revoked
one does not, the stored inventory loads, new rows can be written.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from typer.testing import CliRunner

from pdcs.cli import app, main
from supervision_api.db import Database, audit, inventory_store, migrate, users
from supervision_api.db.schema import Base
from tests.supervision_api.db import release_0_1

runner = CliRunner()


def _pdcs_db(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["db", *args])
    return result.exit_code, result.output


def test_migrations_build_exactly_the_models_schema(database: Database) -> None:
    """``schema.py`` and the migrations agree: a column added to one without the other fails here."""
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == [], "schema.py differs from the migrations; add one (docs/architecture.md)"
    assert migrate.current(database.engine) == migrate.head()


def test_a_release_0_1_database_upgrades_in_place_with_every_row_usable(empty_database_url: str) -> None:
    db = Database(empty_database_url)
    filled = release_0_1.create_and_fill(db.engine)
    before = release_0_1.dump(db.engine)
    assert migrate.current(db.engine) is None

    code, out = _pdcs_db("upgrade", "--database-url", empty_database_url, "--lang", "en")
    assert code == 0, out
    assert f"schema - → {migrate.head()}" in out and "password" not in out
    assert migrate.current(db.engine) == migrate.head()
    assert release_0_1.dump(db.engine) == before  # every row, every value, as it was

    with db.session() as s:
        who = users.authenticate(s, release_0_1.LIVE_TOKEN)
        assert who is not None and who.name == "wang" and who.scope == "51"
        assert users.authenticate(s, release_0_1.REVOKED_TOKEN) is None
        old = audit.entries(s, region="51")
        assert [e.action for e in old] == ["report.pull", "token.create", "user.add"]  # newest first
        assert old[0].details == {"label": "笔记本"} and old[0].at.replace(tzinfo=UTC) == release_0_1.WHEN
        inv = inventory_store.load(s)
        assert inv.facilities["jt-zhaozhen"].name == "赵镇街道综合文化服务中心"
        assert inv.devices["jt-zz-sw01"].facility == "jt-zhaozhen"
        assert "county-v2c" in inv.snmp_profiles
        assert inventory_store.version(s) == filled.inventory_version
    with db.session() as s:  # and the upgraded database takes new rows
        users.add_user(s, "li", users.Role("county_staff"), "510121", "李")
        _, token = users.create_token(s, "li")
        audit.record(s, "cli:test", "user.add", target="li")
        inventory_store.bump_version(s)
    with db.session() as s:
        assert users.authenticate(s, token) is not None
        assert inventory_store.version(s) == filled.inventory_version + 1
        n_users = s.scalar(text("SELECT COUNT(*) FROM users"))
    assert n_users == filled.users + 1

    # and through HTTP: the API started on the upgraded database answers the old token, refuses the revoked one
    from fastapi.testclient import TestClient

    from inventory.models import Inventory
    from pdcs.settings import Settings
    from pdcs.storage import InfluxDB
    from supervision_api.app import create_app
    from supervision_api.state import AppState

    settings = Settings(database_url=empty_database_url, _env_file=None)  # type: ignore[call-arg]
    state = AppState(settings=settings, inventory=Inventory(), influx=InfluxDB(url="http://127.0.0.1:9"))
    with TestClient(create_app(state)) as client:
        me = client.get("/me", headers={"Authorization": f"Bearer {release_0_1.LIVE_TOKEN}"})
        assert me.status_code == 200 and me.json()["name"] == "wang", me.text
        bad = client.get("/me", headers={"Authorization": f"Bearer {release_0_1.REVOKED_TOKEN}"})
        assert bad.status_code == 401
        assert (
            client.get("/facilities/jt-zhaozhen", headers={"Authorization": f"Bearer {release_0_1.LIVE_TOKEN}"}).json()[
                "name"
            ]
            == "赵镇街道综合文化服务中心"
        )  # the stored inventory, seen through the province scope
    state.close()

    code, out = _pdcs_db("upgrade", "--database-url", empty_database_url)
    assert code == 0 and "→" in out  # a second run has nothing to do
    assert _pdcs_db("current", "--database-url", empty_database_url)[0] == 0
    db.dispose()


def test_a_database_newer_than_the_code_is_refused(empty_database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = Database(empty_database_url)
    db.create_schema()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00d0000'"))

    with pytest.raises(migrate.SchemaTooNew) as exc:
        db.create_schema()
    assert "f00d0000" in exc.value.text("zh") and "docs/upgrading.md" in exc.value.text("zh")
    code, out = _pdcs_db("upgrade", "--database-url", empty_database_url, "--lang", "en")
    assert code == 1 and "newer than this code" in out
    assert _pdcs_db("current", "--database-url", empty_database_url)[0] == 1
    # every command on that database says the same, in one line of the user's language
    assert main(["users", "list", "--database-url", empty_database_url]) == 1
    assert "比本程序（最高" in capsys.readouterr().err
    with db.engine.connect() as conn:  # refused, not touched
        assert conn.scalar(select(text("version_num")).select_from(text("alembic_version"))) == "f00d0000"
    db.dispose()


def test_the_api_refuses_to_start_on_a_newer_database(tmp_path: Path) -> None:
    from inventory.models import Inventory
    from pdcs.settings import Settings
    from supervision_api.access.store import attach_database
    from supervision_api.state import AppState

    url = f"sqlite:///{tmp_path / 'api.sqlite'}"
    newer = Database(url)
    newer.create_schema()
    with newer.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00d0000'"))
    newer.dispose()
    state = AppState(settings=Settings(database_url=url), inventory=Inventory(), influx=None)  # type: ignore[arg-type]
    with pytest.raises(migrate.SchemaTooNew):
        attach_database(state)


def test_pdcs_api_refuses_to_start_on_a_newer_database(tmp_path: Path, examples_dir: Path) -> None:
    url = f"sqlite:///{tmp_path / 'api.sqlite'}"
    newer = Database(url)
    newer.create_schema()
    with newer.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00d0000'"))
    newer.dispose()
    result = runner.invoke(
        app,
        ["api", "--inventory", str(examples_dir), "--port", "1"],
        env={"PDCS_DATABASE_URL": url, "PDCS_LANGUAGE": "zh"},
    )
    assert result.exit_code == 1  # before uvicorn binds anything
    assert "f00d0000" in result.output and "比本程序" in result.output


def test_migrations_ship_in_the_package() -> None:
    """The wheel carries the migrations (package data), so an installed pdcs can upgrade."""
    import tomllib

    root = Path(__file__).resolve().parents[3]
    data = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    patterns = data.get("supervision_api.db.migrations", [])
    assert "script.py.mako" in patterns
    assert (migrate.MIGRATIONS_DIR / "script.py.mako").is_file()
    assert (migrate.MIGRATIONS_DIR / "versions" / "__init__.py").is_file()  # a package: found by setuptools


def _upgrade_in_a_process(url: str) -> str:
    from supervision_api.db.engine import make_engine

    engine = make_engine(url)
    try:
        return migrate.upgrade(engine).after
    finally:
        engine.dispose()


def test_workers_starting_together_migrate_once(empty_database_url: str) -> None:
    """API workers (``pdcs api --workers N``) start at once on one fresh database: all come up at the head."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(3) as pool:
        results = pool.map(_upgrade_in_a_process, [empty_database_url] * 3)
    assert results == [migrate.head()] * 3
    db = Database(empty_database_url)
    with db.engine.connect() as conn:
        assert conn.scalar(text("SELECT COUNT(*) FROM alembic_version")) == 1
    db.dispose()
