"""Planned maintenance marked in the availability answers and the report, on a real InfluxDB; figures unchanged.

金堂县文化馆 (jt-wh) opens Mon–Fri 09:00–17:00.  A weekly window (Wednesdays
10:00–12:00, the facility) is in the windows file named by PDCS_MAINTENANCE_FILE.
Its kiosk is down Wed 4 Nov 2026 10:00–11:00 (inside the window, in opening
hours: marked planned, still counted) and Thu 5 Nov 14:00–14:30 (outside any
window: not marked).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from inventory.load import load_inventory
from inventory.models import Inventory
from pdcs.settings import Settings
from pdcs.storage import InfluxDB
from reports.gather import build_report
from supervision.maintenance import MaintenanceSchedule, Window
from supervision.periods import Period
from supervision.planned import Scope, load_schedule, occurrences
from supervision_api.access.store import issue_token
from supervision_api.app import create_app
from supervision_api.db.users import Role
from supervision_api.state import AppState
from tests.support.cli import pdcs_argv, pdcs_env
from tests.support.scenarios import at, write_polls

WINDOWS = (
    "windows:\n"
    "  - {name: 周三系统升级, facility: jt-wh, reason: 数字文化馆系统升级,\n"
    "     weekly: {days: [wed], start: '10:00', end: '12:00'}}\n"
    "  - {name: 富民例行维护, region: '530124', weekly: {days: [thu], start: '14:00', end: '15:00'}}\n"
)
START, END = at("2026-11-02"), at("2026-11-07")
Q = {"start": START.isoformat(), "end": END.isoformat()}


@pytest.fixture
def windows_file(tmp_path: Path) -> Path:
    f = tmp_path / "windows.yaml"
    f.write_text(WINDOWS, encoding="utf-8")
    return f


@pytest.fixture
def planned_client(influx: InfluxDB, inventory: Inventory, windows_file: Path) -> Iterator[TestClient]:
    settings = Settings(  # type: ignore[call-arg]
        influx_url=influx.url,
        influx_db=influx.database,
        database_url="sqlite://",
        maintenance_file=windows_file,
        _env_file=None,
    )
    state = AppState(settings=settings, inventory=inventory, influx=influx)
    app = create_app(state)
    token = issue_token(state, "ministry", Role.MINISTRY)
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as c:
        yield c


@pytest.fixture
def written(influx: InfluxDB, inventory: Inventory) -> InfluxDB:
    write_polls(influx, inventory, "jt-wh-sw1", START, END)
    write_polls(
        influx,
        inventory,
        "jt-wh-k1",
        START,
        END,
        down=[
            (at("2026-11-04", "10:00"), at("2026-11-04", "11:00")),
            (at("2026-11-05", "14:00"), at("2026-11-05", "14:30")),
        ],
    )
    return influx


def _figures(body: dict[str, Any]) -> dict[str, Any]:
    """The figures of an answer: everything but the maintenance marks."""
    out = {k: v for k, v in body.items() if k != "maintenance"}
    for key in ("outages",):
        if key in out:
            out[key] = [{k: v for k, v in o.items() if k != "planned_maintenance"} for o in out[key]]
    if "service" in out:
        out["service"] = _figures(out["service"])
    return out


@pytest.mark.parametrize("path", ["/facilities/jt-wh/availability", "/regions/510121/availability"])
def test_outage_in_weekly_window_is_marked_planned_and_still_counts(
    written: InfluxDB, client: TestClient, planned_client: TestClient, path: str
) -> None:
    plain = client.get(path, params={**Q, "source": "raw"})
    marked = planned_client.get(path, params={**Q, "source": "raw"})
    assert plain.status_code == marked.status_code == 200, marked.text
    a, b = plain.json(), marked.json()
    assert b["maintenance"] == [
        {
            "name": "周三系统升级",
            "reason": "数字文化馆系统升级",
            "start": "2026-11-04T10:00:00+08:00",
            "end": "2026-11-04T12:00:00+08:00",
            "device": None,
            "facility": "jt-wh",
            "region": None,
        }
    ]  # 富民县's window is outside 金堂县
    assert a["maintenance"] == []
    assert _figures(a) == _figures(b)  # the figures do not change: planned maintenance still counts
    assert b["down_s"] == 1.5 * 3600 and b["outage_count"] == 2
    wed, thu = b["outages"]
    assert wed["start"] == "2026-11-04T10:00:00+08:00"
    assert wed["planned_maintenance"] == {
        "name": "周三系统升级",
        "reason": "数字文化馆系统升级",
        "start": "2026-11-04T10:00:00+08:00",
        "end": "2026-11-04T12:00:00+08:00",
    }
    assert thu["start"] == "2026-11-05T14:00:00+08:00" and thu["planned_maintenance"] is None


def test_device_answer_marks_its_facility_window(written: InfluxDB, planned_client: TestClient) -> None:
    body = planned_client.get("/devices/jt-wh-k1/availability", params={**Q, "source": "raw"}).json()
    outages = body["service"]["outages"]
    assert [o["planned_maintenance"] and o["planned_maintenance"]["name"] for o in outages] == ["周三系统升级", None]
    assert body["service"]["down_s"] == 1.5 * 3600
    sw = planned_client.get("/devices/jt-wh-sw1/availability", params={**Q, "source": "raw"}).json()
    assert sw["service"]["outages"] == [] and [w["name"] for w in sw["maintenance"]] == ["周三系统升级"]


def test_report_marks_planned_maintenance(written: InfluxDB, inventory: Inventory, windows_file: Path) -> None:
    schedule = load_schedule(windows_file)
    period = Period(START, END)
    for lang, head, note in (("zh", "计划维护", "仍计入可用率"), ("en", "Planned maintenance", "still counts")):
        plain = build_report(written, inventory, "510121", period, lang)  # type: ignore[arg-type]
        rep = build_report(written, inventory, "510121", period, lang, maintenance=schedule)  # type: ignore[arg-type]
        sec, before = rep.sections[0], plain.sections[0]
        assert [h.value for h in sec.headline] == [h.value for h in before.headline]
        outages = next(t for t in sec.tables if t.key == "outages")
        assert outages.columns[-1] == head
        assert [r[-1] for r in outages.rows] == ["周三系统升级", ""]
        windows = next(t for t in sec.tables if t.key == "maintenance")
        assert windows.rows == [
            ["周三系统升级", "数字文化馆系统升级", "2026-11-04T10:00:00+08:00", "2026-11-04T12:00:00+08:00"]
        ]
        assert any(note in n for n in sec.notes)
        assert not any(t.key == "maintenance" for t in before.tables)


def test_occurrences_skip_holidays_and_other_scopes(inventory: Inventory) -> None:
    weekly = Window.model_validate(
        {
            "name": "周一例行维护",
            "facility": "jt-lib",
            "holidays": "skip",
            "weekly": {"days": ["mon"], "start": "08:00", "end": "10:00"},
        }
    )
    s = MaintenanceSchedule(windows=(weekly,))
    october = Period(at("2026-10-01"), at("2026-11-01"))
    # 1–31 October 2026: Mondays 5 (National Day holiday, skipped), 12, 19 and 26.
    found = occurrences(s, inventory, Scope("510121", "jt-lib"), october)
    assert [o.as_dict()["start"] for o in found] == [f"2026-10-{d}T08:00:00+08:00" for d in (12, 19, 26)]
    assert all(o.end - o.start == 7200 for o in found)
    assert occurrences(s, inventory, Scope("510121", "jt-wh"), october) == []  # another facility
    assert len(occurrences(s, inventory, Scope("5101"), october)) == 3  # its city
    assert occurrences(s, inventory, Scope("53"), october) == []  # another province


def test_cli_marks_planned_maintenance(influx: InfluxDB, examples_dir: Path, tmp_path: Path) -> None:
    inv = load_inventory(examples_dir)
    # Thursday 8 Oct 2026: the library's switch down 10:00–11:00 (the library opens 09:00–20:30 Tue–Fri).
    write_polls(
        influx,
        inv,
        "jt-lib-sw01",
        at("2026-10-08"),
        at("2026-10-09"),
        down=[(at("2026-10-08", "10:00"), at("2026-10-08", "11:00"))],
    )
    f = tmp_path / "windows.yaml"
    f.write_text(
        "windows:\n  - {name: 周四巡检, facility: jt-lib, weekly: {days: [thu], start: '10:00', end: '10:30'}}\n",
        encoding="utf-8",
    )
    argv = pdcs_argv(
        "supervision",
        "availability",
        "--facility",
        "jt-lib",
        "--start",
        "2026-10-08T00:00:00+08:00",
        "--end",
        "2026-10-09T00:00:00+08:00",
        "-i",
        str(examples_dir),
        "--influx-url",
        influx.url,
        "--influx-db",
        influx.database,
    )
    env = pdcs_env(PDCS_MAINTENANCE_FILE=str(f))
    run = subprocess.run([*argv, "--json"], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    body = json.loads(run.stdout)
    [outage] = body["outages"]
    assert outage["planned_maintenance"]["name"] == "周四巡检" and outage["in_service_s"] == 3600  # still counts
    assert body["up_s"] == 10.5 * 3600
    table = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert table.returncode == 0 and "计划维护" in table.stdout and "周四巡检" in table.stdout
    f.write_text(
        "windows:\n  - {name: 坏窗口, facility: jt-lib, weekly: {days: [thu], start: '25:00', end: '10:30'}}\n",
        encoding="utf-8",
    )
    bad = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and f"{f}:2: windows.0.weekly.start" in bad.stderr, bad.stderr
