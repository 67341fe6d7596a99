"""The shard map: province code → store, from one YAML file; unset = today's single store."""

from __future__ import annotations

from pathlib import Path

import pytest

from pdcs.settings import RETENTION_POLICIES, Settings
from pdcs.storage import InfluxDB
from pdcs.storage.shards import ShardMap, ShardMapError, load_shard_map, write_shard_map

MAP = """\
default: {url: http://127.0.0.1:8086, database: pdcs}
provinces:
  "51": {url: http://10.0.51.5:8086, database: pdcs, username: pdcs, password: {env: T_SHARD_51}}
  "52": {url: http://10.0.51.5:8086/, database: pdcs}
  "44": {url: http://10.0.44.5:8086, database: pdcs, token: "{file:secrets.yaml#influx44}"}
  "11": {url: http://127.0.0.1:8086, database: pdcs}
national: {url: http://10.0.0.5:8086, database: pdcs_national}
"""


def _settings(**kw: object) -> Settings:
    return Settings(_env_file=None, **kw)  # type: ignore[call-arg,arg-type]


def test_unset_is_the_single_store_of_the_settings() -> None:
    shards = ShardMap.from_settings(_settings(influx_url="http://h:1", influx_db="x", influx_username="u"))
    [(codes, db)] = shards.stores()
    assert codes is None and (db.url, db.database, db.username) == ("http://h:1", "x", "u")
    assert shards.for_region("510121") is db and shards.for_region("") is db and shards.reader() is db
    assert shards.national() is None and shards.is_single


def test_map_routes_provinces_and_shares_one_client_per_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_SHARD_51", "s3cret")
    (tmp_path / "secrets.yaml").write_text("influx44: tok44\n", encoding="utf-8")
    path = tmp_path / "shards.yaml"
    path.write_text(MAP, encoding="utf-8")
    shards = ShardMap.from_settings(_settings(influx_shards=path))
    s51, s44, default = shards.for_region("51"), shards.for_region("440106"), shards.for_region("")
    assert (s51.url, s51.username, s51.password) == ("http://10.0.51.5:8086", "pdcs", "s3cret")
    assert s44.token == "tok44" and default.url == "http://127.0.0.1:8086"
    assert shards.for_region("5201") is s51  # same URL and database: the same store
    assert shards.for_region("110101") is default  # listed with the default's store: it is the default
    assert shards.for_region("330102") is default  # not listed
    stores = {codes: db for codes, db in shards.stores()}
    assert set(stores) == {None, frozenset({"51", "52"}), frozenset({"44"})}
    national = shards.national()
    assert national is not None and national.database == "pdcs_national"
    assert "s3cret" not in repr(s51) and "tok44" not in repr(shards)


def test_problems_name_file_line_and_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("T_SHARD_UNSET", raising=False)
    path = tmp_path / "shards.yaml"
    path.write_text(
        "default: {url: http://127.0.0.1:8086}\n"
        "provinces:\n"
        '  "5": {url: http://a:1}\n'
        '  "44": {url: http://b:1, password: plain}\n'
        '  "45": {url: "not a url"}\n'
        '  "46": {url: http://c:1, colour: red}\n',
        encoding="utf-8",
    )
    with pytest.raises(ShardMapError) as err:
        load_shard_map(path)
    text = str(err.value)
    assert f"{path}:3: provinces.5: '5' is not a province code" in text
    path.write_text(
        "default: {url: http://127.0.0.1:8086}\n"
        "provinces:\n"
        '  "44": {url: http://b:1, password: plain}\n'
        '  "45": {url: "not a url"}\n'
        '  "46": {url: http://c:1, colour: red}\n',
        encoding="utf-8",
    )
    with pytest.raises(ShardMapError) as err:
        load_shard_map(path)
    problems = err.value.problems
    assert any(p.startswith(f"{path}:3: provinces.44.password: secrets must not be written") for p in problems)
    assert any(p.startswith(f"{path}:4: provinces.45.url: ") for p in problems)
    assert any(p.startswith(f"{path}:5: provinces.46.colour: ") for p in problems)
    path.write_text(
        "default: {url: http://127.0.0.1:8086}\nprovinces:\n"
        '  "44":\n    url: http://b:1\n    password: {env: T_SHARD_UNSET}\n',
        encoding="utf-8",
    )
    with pytest.raises(ShardMapError) as err:
        load_shard_map(path)
    assert err.value.problems == [f"{path}:5: provinces.44.password: environment variable T_SHARD_UNSET is not set"]
    path.write_text("provinces: {}\n", encoding="utf-8")
    with pytest.raises(ShardMapError, match=r":1: default: Field required"):
        load_shard_map(path)
    with pytest.raises(ShardMapError, match=r"missing.yaml:1: file: cannot read"):
        load_shard_map(tmp_path / "missing.yaml")


def test_write_shard_map_round_trips(tmp_path: Path) -> None:
    path = write_shard_map(
        tmp_path / "dev" / "shards.yaml",
        ("http://127.0.0.1:1", "pdcs"),
        {"51": ("http://127.0.0.1:2", "pdcs"), "05": ("http://127.0.0.1:3", "pdcs")},
        national=("http://127.0.0.1:4", "pdcs_national"),
    )
    shards = load_shard_map(path)
    assert shards.for_region("05").url == "http://127.0.0.1:3" and shards.for_region("51").url == "http://127.0.0.1:2"
    assert len(shards.stores()) == 3 and shards.national() is not None


def test_an_explicit_influx_url_means_that_one_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pdcs.cli_context import make_settings

    path = write_shard_map(tmp_path / "s.yaml", ("http://127.0.0.1:1", "pdcs"), {"51": ("http://127.0.0.1:2", "pdcs")})
    monkeypatch.setenv("PDCS_INFLUX_SHARDS", str(path))
    assert len(make_settings(None, None, None).shards().stores()) == 2
    [(_, db)] = make_settings(None, "http://127.0.0.1:9", None).shards().stores()
    assert db.url == "http://127.0.0.1:9"


def test_influx_status_and_migrate_go_through_every_store(tmp_path: Path, influx: InfluxDB) -> None:
    """Two stores on a real InfluxDB: `pdcs influx status|migrate` report each in turn."""
    from typer.testing import CliRunner

    from pdcs.cli import app
    from pdcs.storage import layout

    other = InfluxDB(url=influx.url, database=f"{influx.database}_53", retries=0)
    for db in (influx, other):
        layout.ensure(db, RETENTION_POLICIES)
    path = write_shard_map(tmp_path / "s.yaml", (influx.url, influx.database), {"53": (other.url, other.database)})
    env = {"PDCS_INFLUX_SHARDS": str(path)}
    status = CliRunner().invoke(app, ["influx", "status", "--lang", "en"], env=env)
    heads = [line for line in status.output.splitlines() if line.startswith("InfluxDB ")]
    assert heads == [
        f"InfluxDB {db.url} {db.database}: layout {layout.SCHEMA_VERSION}; this code writes {layout.SCHEMA_VERSION} "
        f"and reads {layout.OLDEST_READABLE}-{layout.SCHEMA_VERSION} as they are."
        for db in (influx, other)
    ], status.output
    migrate = CliRunner().invoke(app, ["influx", "migrate", "--lang", "en"], env=env)
    assert migrate.exit_code == 0 and migrate.output.count(" point(s) rewritten") == 2, migrate.output
    other.execute(f'DROP DATABASE "{other.database}"')
    other.close()
