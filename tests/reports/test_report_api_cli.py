"""The report through the API (scoped, audited, four formats) and through ``pdcs report`` (progress, exit codes)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from typer.testing import CliRunner

from inventory.models import Inventory
from pdcs.cli import app
from pdcs.storage import InfluxDB
from supervision_api.db import Database, inventory_store
from supervision_api.db.users import Role
from tests.supervision_api.access.conftest import Api
from tests.support.cli import pdcs_argv, pdcs_env

PERIOD_Q = "start=2026-11-02T00:00:00%2B08:00&end=2026-11-05T00:00:00%2B08:00"


def test_report_through_the_api(scenario: InfluxDB, api: Api) -> None:
    inspector = api.client(Role.PROVINCE_INSPECTOR, "51", name="wang")
    hashes = set()
    formats = (
        ("json", "application/json", "json"),
        ("csv", "application/zip", "zip"),
        ("xlsx", "spreadsheetml", "xlsx"),
    )
    for fmt, media, ext in (*formats, ("pdf", "pdf", "pdf")):
        r = inspector.get(f"/regions/510121/report?format={fmt}&{PERIOD_Q}")
        assert r.status_code == 200, r.text[:300]
        assert media in r.headers["content-type"]
        assert r.headers["content-disposition"] == f'attachment; filename="pdcs-report-510121-20261102-20261105.{ext}"'
        hashes.add(r.headers["x-content-sha256"])
    assert len(hashes) == 1  # one content, four renderings
    body = inspector.get(f"/regions/510121/report?{PERIOD_Q}").json()
    assert body["content_sha256"] in hashes and body["generated_by"] == "wang"
    assert body["sections"][0]["headline"][0]["value"] == 95.83

    county = api.client(Role.COUNTY_STAFF, "510129")
    r = county.get(f"/regions/510121/report?format=pdf&{PERIOD_Q}")
    assert r.status_code == 403 and "权限范围" in r.json()["detail"]

    log = api.client(Role.ADMIN).get("/audit-log?action=report.pull").json()["data"]
    assert len(log) == 5 and {e["user"] for e in log} == {"wang"}
    assert {e["details"]["format"] for e in log} == {"json", "csv", "xlsx", "pdf"}
    assert all(e["region"] == "510121" and e["details"]["content_sha256"] in hashes for e in log)


def test_pdcs_report_cli(scenario: InfluxDB, inventory: Inventory, tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path}/pdcs.sqlite"
    db = Database(db_url)
    db.create_schema()
    with db.session() as s:
        inventory_store.replace(s, inventory)
    db.dispose()
    env = pdcs_env(PDCS_DATABASE_URL=db_url, PDCS_INFLUX_URL=scenario.url, PDCS_INFLUX_DB=scenario.database)
    period = ["--start", "2026-11-02T00:00:00+08:00", "--end", "2026-11-05T00:00:00+08:00"]
    out = tmp_path / "r.json"
    p = subprocess.run(
        pdcs_argv("report", "--region", "510121", *period, "--format", "json", "-o", str(out)),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["content_sha256"] in p.stdout and "report: done" in p.stdout  # progress shown
    assert doc["sections"][0]["headline"][0]["value"] == 95.83

    # the rest in process (same command, without paying for a child process each time)
    runner = CliRunner()
    cli_env = {"PDCS_DATABASE_URL": db_url, "PDCS_INFLUX_URL": scenario.url, "PDCS_INFLUX_DB": scenario.database}
    pdf = tmp_path / "r.pdf"
    r = runner.invoke(
        app, ["report", "-r", "510121", *period, "-f", "pdf", "--lang", "en", "-o", str(pdf)], env=cli_env
    )
    assert r.exit_code == 0, r.output
    assert pdf.read_bytes().startswith(b"%PDF")
    assert doc["content_sha256"] not in r.output  # another language, another content

    r = runner.invoke(app, ["report", "-r", "510121", *period, "-f", "docx", "-o", str(tmp_path / "x")], env=cli_env)
    assert r.exit_code == 2 and "--format" in r.output
    r = runner.invoke(app, ["report", "-r", "99", *period, "-o", str(tmp_path / "x")], env=cli_env)
    assert r.exit_code == 2 and "99" in r.output
    bad_period = ["--start", "2026-11-02", "--end", "x"]
    r = runner.invoke(app, ["report", "-r", "510121", *bad_period, "-o", str(tmp_path / "x")], env=cli_env)
    assert r.exit_code == 2 and "ISO 8601" in r.output
    assert not (tmp_path / "x").exists()
