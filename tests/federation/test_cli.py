"""``pdcs federation ship|status`` on real InfluxDBs: messages in Chinese by default, English with --lang en,
exit codes (0 delivered / none late, 1 national store unreachable / a province late, 2 configuration)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from devstack.influxdb import InfluxServer
from devstack.procs import free_port
from pdcs.cli import app
from pdcs.storage import InfluxDB
from tests.conftest import EXAMPLES

runner = CliRunner()


@pytest.fixture
def national_url(influx_server: InfluxServer, monkeypatch: pytest.MonkeyPatch) -> str:
    name = f"n_{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("PDCS_NATIONAL_INFLUX_URL", influx_server.url)
    monkeypatch.setenv("PDCS_NATIONAL_INFLUX_DB", name)
    return name


def _ship(influx: InfluxDB, spool: Path, *extra: str) -> tuple[int, str]:
    args = ["federation", "ship", "-i", str(EXAMPLES), "--influx-url", influx.url, "--influx-db", influx.database]
    result = runner.invoke(app, [*args, "--spool-dir", str(spool), *extra])
    return result.exit_code, result.output


def test_status_without_a_national_store_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PDCS_NATIONAL_INFLUX_URL", raising=False)
    result = runner.invoke(app, ["federation", "status"])
    assert result.exit_code == 2
    assert "未配置全国汇总库" in result.output
    result = runner.invoke(app, ["federation", "status", "--lang", "en"])
    assert result.exit_code == 2 and "no national store" in result.output
    assert runner.invoke(app, ["federation", "status", "--lang", "fr"]).exit_code == 2


def test_ship_then_status(influx: InfluxDB, national_url: str, influx_server: InfluxServer, tmp_path: Path) -> None:
    code, out = _ship(influx, tmp_path / "spool")
    assert code == 0, out
    assert "51：汇总至" in out and "已全部送达全国汇总库" in out
    result = runner.invoke(app, ["federation", "status"])
    assert result.exit_code == 0, result.output
    assert "51  汇总至" in result.output and "正常" in result.output
    result = runner.invoke(app, ["federation", "status", "--lang", "en", "--expect", "53"])
    assert result.exit_code == 1
    assert "53  through never" in result.output and "late provinces: 53" in result.output
    result = runner.invoke(app, ["federation", "status", "--json", "--expect", "53"])
    assert result.exit_code == 1 and '"late": [\n  "53"\n ]' in result.output
    InfluxDB(url=influx_server.url, database=national_url).execute(f'DROP DATABASE "{national_url}"')


def test_ship_to_an_unreachable_national_store_keeps_the_points(
    influx: InfluxDB, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PDCS_NATIONAL_INFLUX_URL", f"http://127.0.0.1:{free_port()}")  # nobody listens
    code, out = _ship(influx, tmp_path / "spool", "--lang", "en")
    assert code == 1
    assert "national store unreachable" in out and "points kept in the spool" in out
    code, out = _ship(influx, tmp_path / "spool", "--since", "yesterday")
    assert code == 2 and "ISO 8601" in out
    code, out = _ship(influx, tmp_path / "spool", "--province", "53")
    assert code == 2 and "清单中没有这些省份：53" in out


def test_a_bad_shard_map_exits_2_naming_the_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bad = tmp_path / "shards.yaml"
    bad.write_text("default: {url: http://127.0.0.1:1, database: pdcs}\nnational: {database: 5}\n", encoding="utf-8")
    monkeypatch.setenv("PDCS_INFLUX_SHARDS", str(bad))
    result = runner.invoke(app, ["federation", "status"])
    assert result.exit_code == 2
    assert f"{bad}:2" in result.output
