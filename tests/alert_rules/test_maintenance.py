"""Recurring maintenance windows: weekly slots, monthly patterns, dated ranges, holidays."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from supervision.maintenance import MaintenanceError, MaintenanceSchedule, Window, load_maintenance

BJ = dt.timezone(dt.timedelta(hours=8))
TAGS = {"province": "51", "city": "5101", "county": "510121", "facility": "JT-LIB", "device": "JT-SW1"}


def at(y: int, mo: int, d: int, h: int, mi: int) -> float:
    return dt.datetime(y, mo, d, h, mi, tzinfo=BJ).timestamp()


def test_weekly_slot_and_a_holiday_skipped() -> None:
    w = Window.model_validate(
        {
            "name": "周一例行维护",
            "facility": "JT-LIB",
            "weekly": {"days": ["mon"], "start": "08:00", "end": "10:00"},
            "holidays": "skip",
        }
    )
    s = MaintenanceSchedule(windows=(w,))
    assert s.active(TAGS, at(2026, 11, 30, 7, 59)) is None  # Monday, before the slot
    assert s.active(TAGS, at(2026, 11, 30, 8, 0)) == w
    assert s.active(TAGS, at(2026, 11, 30, 9, 59)) == w
    assert s.active(TAGS, at(2026, 11, 30, 10, 0)) is None  # half-open: ends at 10:00
    assert s.active(TAGS, at(2026, 12, 1, 9, 0)) is None  # Tuesday
    assert s.active({**TAGS, "facility": "OTHER"}, at(2026, 11, 30, 9, 0)) is None
    # Monday 5 October 2026 is inside the National Day holiday (国办发明电〔2025〕7号): skipped.
    assert s.active(TAGS, at(2026, 10, 5, 9, 0)) is None
    assert s.active(TAGS, at(2026, 10, 12, 9, 0)) == w  # the next Monday is an ordinary one
    keep = w.model_copy(update={"holidays": "keep"})
    assert MaintenanceSchedule(windows=(keep,)).active(TAGS, at(2026, 10, 5, 9, 0)) == keep


def test_slot_past_midnight_monthly_and_dated() -> None:
    night = Window.model_validate(
        {"name": "夜间割接", "region": "510121", "weekly": {"days": ["sat"], "start": "23:00", "end": "02:00"}}
    )
    s = MaintenanceSchedule(windows=(night,))
    assert s.active(TAGS, at(2026, 12, 5, 23, 30)) == night  # Saturday night
    assert s.active(TAGS, at(2026, 12, 6, 1, 59)) == night  # into Sunday morning
    assert s.active(TAGS, at(2026, 12, 6, 23, 30)) is None
    assert s.active({**TAGS, "county": "510116", "city": "5101"}, at(2026, 12, 5, 23, 30)) is None

    first_sat = Window.model_validate(
        {
            "name": "每月第一个周六",
            "device": "JT-SW1",
            "monthly": {"week": 1, "day": "sat", "start": "08:00", "end": "12:00"},
        }
    )
    last_day = Window.model_validate(
        {"name": "月末", "device": "JT-SW1", "monthly": {"days": [-1], "start": "20:00", "end": "22:00"}}
    )
    assert first_sat.occurrence(dt.datetime(2026, 12, 5, 9, tzinfo=BJ)) is not None
    assert first_sat.occurrence(dt.datetime(2026, 12, 12, 9, tzinfo=BJ)) is None
    assert last_day.occurrence(dt.datetime(2026, 2, 28, 21, tzinfo=BJ)) is not None
    assert last_day.occurrence(dt.datetime(2026, 2, 27, 21, tzinfo=BJ)) is None

    moving = Window.model_validate(
        {"name": "机房搬迁", "facility": "JT-LIB", "dates": {"start": "2026-12-02T08:00", "end": "2026-12-03T18:00"}}
    )
    assert moving.occurrence(dt.datetime(2026, 12, 2, 20, tzinfo=BJ)) is not None
    assert moving.occurrence(dt.datetime(2026, 12, 3, 18, tzinfo=BJ)) is None


def test_file_problems_name_line_and_field(tmp_path: Path) -> None:
    f = tmp_path / "windows.yaml"
    f.write_text(
        "windows:\n"
        "  - name: 周一例行维护\n"
        "    facility: JT-LIB\n"
        "    weekly: {days: [monday], start: '08:00', end: '10:00'}\n"
        "  - name: 无范围\n"
        "    dates: {start: 2026-12-02T08:00, end: 2026-12-01T08:00}\n",
        encoding="utf-8",
    )
    with pytest.raises(MaintenanceError) as exc:
        load_maintenance(f)
    text = "\n".join(exc.value.problems)
    assert f"{f}:4: windows.0.weekly.days:" in text and "'monday'" in text
    assert f"{f}:6: windows.1.dates:" in text and "end: must come after start" in text


def test_maintenance_windows_command(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pdcs.cli import app

    f = tmp_path / "windows.yaml"
    f.write_text(
        "windows:\n"
        "  - {name: 周一例行维护, facility: JT-LIB, holidays: skip, reason: 例行检修,\n"
        "     weekly: {days: [mon], start: '08:00', end: '10:00'}}\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    assert runner.invoke(app, ["maintenance", "check", str(f)]).exit_code == 0
    during = runner.invoke(app, ["maintenance", "windows", str(f), "--at", "2026-12-07T09:00"])
    assert "进行中 active until 2026-12-07 10:00" in during.output
    holiday = runner.invoke(app, ["maintenance", "windows", str(f), "--at", "2026-10-05T09:00"])
    assert "未开始 inactive; next 2026-10-12 Mon 08:00" in holiday.output  # the holiday Monday is skipped
    f.write_text("windows:\n  - {name: x, weekly: {days: [mon], start: '08:00', end: '10:00'}}\n", encoding="utf-8")
    bad = runner.invoke(app, ["maintenance", "check", str(f)])
    assert (
        bad.exit_code == 1 and f"{f}:2: windows.0: scope: give exactly one of device, facility or region" in bad.output
    )


def test_add_window_appends_a_valid_entry(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pdcs.cli import app

    f = tmp_path / "windows.yaml"
    runner = CliRunner()
    base = ["maintenance", "add-window", str(f)]
    r1 = runner.invoke(
        app,
        [
            *base,
            "--name",
            "周一例行维护",
            "--facility",
            "JT-LIB",
            "--weekly",
            "mon",
            "--start",
            "08:00",
            "--end",
            "10:00",
            "--skip-holidays",
            "--reason",
            "例行检修",
        ],
    )
    assert r1.exit_code == 0, r1.output
    r2 = runner.invoke(
        app,
        [
            *base,
            "--name",
            "每月第一个周六",
            "--region",
            "510121",
            "--monthly-week",
            "1",
            "--monthly-day",
            "sat",
            "--start",
            "22:00",
            "--end",
            "02:00",
        ],
    )
    assert r2.exit_code == 0, r2.output
    bad = runner.invoke(app, [*base, "--name", "x", "--weekly", "mon", "--start", "08:00", "--end", "09:00"])
    assert bad.exit_code == 2 and "scope: give exactly one of device, facility or region" in bad.output
    s = load_maintenance(f)
    assert [w.name for w in s.windows] == ["周一例行维护", "每月第一个周六"]
    assert s.active(TAGS, at(2026, 11, 30, 9, 0)) is not None and s.active(TAGS, at(2026, 10, 5, 9, 0)) is None
    assert s.active(TAGS, at(2026, 12, 6, 1, 0)) is not None  # first Saturday of December, past midnight
